// stg_header_* and stg_dtype_*: read access to a validated Header.
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "capi/header_handle.hpp"
#include "stguard/dtype.hpp"

namespace stguard::capi {

stg_status deliver_verdict(Call& call, Result<Header> verdict, stg_header** out) {
  if (!verdict.ok()) return call.fail(verdict.error());
  if (out != nullptr) {
    auto object = std::make_shared<HeaderObject>();
    object->header = std::move(verdict).value();
    publish(out, HandleKind::header, std::move(object));
  }
  return call.ok();
}

}  // namespace stguard::capi

namespace {

using stguard::capi::Call;
using stguard::capi::HandleKind;
using stguard::capi::HeaderObject;

// Runs `body(header)` on a live stg_header; every output pointer was checked.
template <typename Body>
stg_status with_header(const stg_header* handle, bool outputs_given, Body&& body) noexcept {
  if (!outputs_given) return STG_INVALID_ARGUMENT;
  return stguard::capi::with_live<HeaderObject>(handle, HandleKind::header, nullptr, "not a live stg_header",
                                                [&](Call&, const HeaderObject& object) { return body(object.header); });
}

// One value of a live stg_header into `*out` (invalid_argument when out is NULL).
template <typename Out, typename Read>
stg_status read_header_value(const stg_header* handle, Out* out, Read read) noexcept {
  return with_header(handle, out != nullptr, [&](const stguard::Header& header) {
    *out = read(header);
    return STG_OK;
  });
}

// The same for tensor `index` (invalid_argument past the end).
template <typename Body>
stg_status with_tensor(const stg_header* handle, std::size_t index, bool outputs_given, Body&& body) noexcept {
  return with_header(handle, outputs_given, [&](const stguard::Header& header) {
    if (index >= header.tensor_count()) return STG_INVALID_ARGUMENT;
    body(header.tensors()[index]);
    return STG_OK;
  });
}

}  // namespace

extern "C" {

STG_API stg_status stg_header_free(stg_header* header) {
  return stguard::capi::free_handle(header, HandleKind::header);
}

STG_API stg_status stg_header_profile(const stg_header* header, stg_profile* profile) {
  return read_header_value(header, profile, [](const stguard::Header& value) {
    return value.profile() == stguard::Profile::compat ? STG_PROFILE_COMPAT : STG_PROFILE_STRICT;
  });
}

STG_API stg_status stg_header_length(const stg_header* header, uint64_t* length) {
  return read_header_value(header, length, [](const stguard::Header& value) { return value.header_length(); });
}

STG_API stg_status stg_header_data_offset(const stg_header* header, uint64_t* offset) {
  return read_header_value(header, offset, [](const stguard::Header& value) { return value.data_offset(); });
}

STG_API stg_status stg_header_file_size(const stg_header* header, uint64_t* size) {
  return read_header_value(header, size, [](const stguard::Header& value) { return value.file_size(); });
}

STG_API stg_status stg_header_tensor_count(const stg_header* header, size_t* count) {
  return read_header_value(header, count, [](const stguard::Header& value) { return value.tensor_count(); });
}

STG_API stg_status stg_header_tensor_name(const stg_header* header, size_t index, const char** name,
                                          size_t* length) {
  return with_tensor(header, index, name != nullptr && length != nullptr, [&](const stguard::TensorInfo& tensor) {
    *name = tensor.name.c_str();
    *length = tensor.name.size();
  });
}

STG_API stg_status stg_header_tensor_dtype(const stg_header* header, size_t index, stg_dtype* dtype) {
  return with_tensor(header, index, dtype != nullptr, [&](const stguard::TensorInfo& tensor) {
    *dtype = static_cast<stg_dtype>(stguard::dtype_order(tensor.dtype));
  });
}

STG_API stg_status stg_header_tensor_shape(const stg_header* header, size_t index, size_t* rank,
                                           const uint64_t** dims) {
  return with_tensor(header, index, rank != nullptr && dims != nullptr, [&](const stguard::TensorInfo& tensor) {
    *rank = tensor.shape.size();
    *dims = tensor.shape.empty() ? nullptr : tensor.shape.data();
  });
}

STG_API stg_status stg_header_tensor_offsets(const stg_header* header, size_t index, uint64_t* begin,
                                             uint64_t* end) {
  return with_tensor(header, index, begin != nullptr && end != nullptr, [&](const stguard::TensorInfo& tensor) {
    *begin = tensor.begin;
    *end = tensor.end;
  });
}

STG_API stg_status stg_header_find(const stg_header* header, const char* name, size_t length, size_t* index) {
  const bool given = index != nullptr && (name != nullptr || length == 0);
  return with_header(header, given, [&](const stguard::Header& value) {
    const stguard::TensorInfo* found = value.find(std::string_view(name == nullptr ? "" : name, length));
    if (found == nullptr) return STG_TENSOR_NOT_FOUND;
    *index = static_cast<std::size_t>(found - value.tensors().data());
    return STG_OK;
  });
}

STG_API stg_status stg_header_metadata_count(const stg_header* header, size_t* count) {
  return read_header_value(header, count, [](const stguard::Header& value) { return value.metadata().size(); });
}

STG_API stg_status stg_header_metadata_entry(const stg_header* header, size_t index, const char** key,
                                             size_t* key_length, const char** value, size_t* value_length) {
  const bool given = key != nullptr && key_length != nullptr && value != nullptr && value_length != nullptr;
  return with_header(header, given, [&](const stguard::Header& held) {
    if (index >= held.metadata().size()) return STG_INVALID_ARGUMENT;
    const stguard::MetadataEntry& entry = held.metadata()[index];
    *key = entry.key.c_str();
    *key_length = entry.key.size();
    *value = entry.value.c_str();
    *value_length = entry.value.size();
    return STG_OK;
  });
}

STG_API stg_status stg_dtype_name(stg_dtype dtype, const char** name) {
  if (name == nullptr) return STG_INVALID_ARGUMENT;
  const auto found = stguard::dtype_from_order(static_cast<unsigned>(dtype));
  if (!found.has_value()) return STG_INVALID_ARGUMENT;
  *name = stguard::dtype_name(*found).data();  // a literal: NUL-terminated
  return STG_OK;
}

STG_API stg_status stg_dtype_bits(stg_dtype dtype, uint32_t* bits) {
  if (bits == nullptr) return STG_INVALID_ARGUMENT;
  const auto found = stguard::dtype_from_order(static_cast<unsigned>(dtype));
  if (!found.has_value()) return STG_INVALID_ARGUMENT;
  *bits = stguard::dtype_bits(*found);
  return STG_OK;
}

}  // extern "C"
