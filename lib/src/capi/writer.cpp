// stg_writer_*: FileBuilder behind a handle, with the tensor bytes copied in
// so that a C caller's buffers need not outlive the call.
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "capi/boundary.hpp"
#include "stguard/dtype.hpp"
#include "stguard/writer.hpp"

namespace {

using stguard::capi::Call;
using stguard::capi::HandleKind;

struct WriterObject {
  // The builder borrows its tensors' bytes: a list never moves its elements.
  std::list<std::vector<std::uint8_t>> copies;
  stguard::FileBuilder builder;
};

template <typename Body>
stg_status with_writer(const stg_writer* handle, stg_error* err, Body&& body) noexcept {
  return stguard::capi::with_live<WriterObject>(handle, HandleKind::writer, err, "not a live stg_writer",
                                                std::forward<Body>(body));
}

stg_status settle(Call& call, const stguard::Status& status) {
  return status.ok() ? call.ok() : call.fail(status.error());
}

}  // namespace

extern "C" {

STG_API stg_status stg_writer_new(stg_writer** out) {
  return stguard::capi::publish_default<WriterObject>(out, HandleKind::writer);
}

STG_API stg_status stg_writer_free(stg_writer* writer) {
  return stguard::capi::free_handle(writer, HandleKind::writer);
}

STG_API stg_status stg_writer_add_tensor(stg_writer* writer, const char* name, size_t name_length, stg_dtype dtype,
                                         const uint64_t* dims, size_t rank, const void* data, size_t size,
                                         stg_error* err) {
  return with_writer(writer, err, [&](Call& call, WriterObject& object) {
    const auto type = stguard::dtype_from_order(static_cast<unsigned>(dtype));
    if (!type.has_value()) return call.bad_argument("unknown dtype");
    if ((name == nullptr && name_length != 0) || (dims == nullptr && rank != 0) || (data == nullptr && size != 0)) {
      return call.bad_argument("name, dims or data is NULL with a non-zero length");
    }
    const auto* first = static_cast<const std::uint8_t*>(data);
    std::vector<std::uint8_t>& copy = object.copies.emplace_back(first, first + size);
    std::vector<std::uint64_t> shape(dims, dims + rank);
    return settle(call, object.builder.add_tensor(std::string(name == nullptr ? "" : name, name_length), *type,
                                                  std::move(shape), std::span<const std::uint8_t>(copy)));
  });
}

STG_API stg_status stg_writer_set_metadata(stg_writer* writer, const char* key, size_t key_length, const char* value,
                                           size_t value_length, stg_error* err) {
  return with_writer(writer, err, [&](Call& call, WriterObject& object) {
    if ((key == nullptr && key_length != 0) || (value == nullptr && value_length != 0)) {
      return call.bad_argument("key or value is NULL with a non-zero length");
    }
    return settle(call, object.builder.set_metadata(std::string(key == nullptr ? "" : key, key_length),
                                                    std::string(value == nullptr ? "" : value, value_length)));
  });
}

STG_API stg_status stg_writer_save_path(const stg_writer* writer, const char* path, stg_error* err) {
  return with_writer(writer, err, [&](Call& call, const WriterObject& object) {
    if (path == nullptr) return call.bad_argument("path is NULL");
    return settle(call, object.builder.save_to_path(path));
  });
}

STG_API stg_status stg_writer_save_fd(const stg_writer* writer, int fd, stg_error* err) {
  return with_writer(writer, err, [&](Call& call, const WriterObject& object) {
    return settle(call, object.builder.save_to_fd(fd));
  });
}

}  // extern "C"
