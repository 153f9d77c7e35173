// stg_reader_*: a validated file's tensors through stguard::Reader.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "capi/header_handle.hpp"
#include "stguard/reader.hpp"
#include "stguard/slice.hpp"

namespace {

using stguard::capi::Call;
using stguard::capi::HandleKind;

std::optional<stguard::ReaderMode> to_mode(stg_reader_mode mode) noexcept {
  switch (mode) {
    case STG_READER_MAPPED: return stguard::ReaderMode::mapped;
    case STG_READER_SNAPSHOT: return stguard::ReaderMode::snapshot;
    case STG_READER_PREAD: return stguard::ReaderMode::pread;
    case STG_READER_FORCE_INT32_: break;
  }
  return std::nullopt;
}

template <typename Open>
stg_status open_with(const stg_options* options, stg_reader_mode mode, stg_reader** out, stg_error* err,
                     Open&& open) noexcept {
  return stguard::capi::run(err, [&](Call& call) {
    stguard::ReaderOptions reader_options;
    const auto source = to_mode(mode);
    if (out == nullptr || !source.has_value()) return call.bad_argument("NULL out or unknown reader mode");
    if (!stguard::capi::resolve_options(options, reader_options.validation)) {
      return call.bad_argument("not a live stg_options");
    }
    reader_options.mode = *source;
    stguard::Result<stguard::Reader> opened = open(reader_options);
    if (!opened.ok()) return call.fail(opened.error());
    stguard::capi::publish(out, HandleKind::reader, std::make_shared<stguard::Reader>(std::move(opened).value()));
    return call.ok();
  });
}

// Runs `body(call, view)` on tensor `index` of a live reader.
template <typename Body>
stg_status with_tensor(const stg_reader* handle, std::size_t index, stg_error* err, Body&& body) noexcept {
  return stguard::capi::with_live<stguard::Reader>(handle, HandleKind::reader, err, "not a live stg_reader",
                                                   [&](Call& call, const stguard::Reader& reader) {
                                                     stguard::Result<stguard::TensorView> view = reader.tensor_at(index);
                                                     if (!view.ok()) return call.fail(view.error());
                                                     return body(call, view.value());
                                                   });
}

// The plan of a C slice request: ranges on the leading dimensions.
stguard::Result<stguard::TensorSlice> plan(const stguard::TensorView& view, const stg_slice_range* ranges,
                                           std::size_t count) {
  stguard::SliceSpec spec;
  spec.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const stg_slice_range& range = ranges[i];
    spec.push_back(stguard::SliceIndex::range(
        range.start, range.stop == STG_SLICE_TO_END ? std::nullopt : std::optional<std::uint64_t>(range.stop)));
  }
  return view.slice(spec);
}

}  // namespace

extern "C" {

STG_API stg_status stg_reader_open(const stg_options* options, const char* path, stg_reader_mode mode,
                                   stg_reader** out, stg_error* err) {
  if (path == nullptr) return stguard::capi::run(err, [](Call& call) { return call.bad_argument("path is NULL"); });
  return open_with(options, mode, out, err, [&](const stguard::ReaderOptions& reader_options) {
    return stguard::Reader::open(path, reader_options);
  });
}

STG_API stg_status stg_reader_open_fd(const stg_options* options, int fd, stg_reader_mode mode, stg_reader** out,
                                      stg_error* err) {
  return open_with(options, mode, out, err, [&](const stguard::ReaderOptions& reader_options) {
    return stguard::Reader::open_fd(fd, reader_options);
  });
}

STG_API stg_status stg_reader_free(stg_reader* reader) {
  return stguard::capi::free_handle(reader, HandleKind::reader);
}

STG_API stg_status stg_reader_mode_of(const stg_reader* reader, stg_reader_mode* mode) {
  if (mode == nullptr) return STG_INVALID_ARGUMENT;
  return stguard::capi::with_live<stguard::Reader>(reader, HandleKind::reader, nullptr, "not a live stg_reader",
                                                   [&](Call&, const stguard::Reader& found) {
                                                     switch (found.mode()) {
                                                       case stguard::ReaderMode::snapshot: *mode = STG_READER_SNAPSHOT; break;
                                                       case stguard::ReaderMode::pread: *mode = STG_READER_PREAD; break;
                                                       // borrowed readers are never made here
                                                       default: *mode = STG_READER_MAPPED; break;
                                                     }
                                                     return STG_OK;
                                                   });
}

STG_API stg_status stg_reader_header(const stg_reader* reader, stg_header** header) {
  if (header == nullptr) return STG_INVALID_ARGUMENT;
  return stguard::capi::with_live<stguard::Reader>(reader, HandleKind::reader, nullptr, "not a live stg_reader",
                                                   [&](Call& call, const stguard::Reader& found) {
                                                     return stguard::capi::deliver_verdict(
                                                         call, stguard::Result<stguard::Header>(found.header()), header);
                                                   });
}

STG_API stg_status stg_reader_tensor_size(const stg_reader* reader, size_t index, uint64_t* size) {
  if (size == nullptr) return STG_INVALID_ARGUMENT;
  return with_tensor(reader, index, nullptr, [&](Call&, const stguard::TensorView& view) {
    *size = view.byte_size();
    return STG_OK;
  });
}

STG_API stg_status stg_reader_tensor_bytes(const stg_reader* reader, size_t index, const void** data, size_t* size,
                                           stg_error* err) {
  return with_tensor(reader, index, err, [&](Call& call, const stguard::TensorView& view) {
    if (data == nullptr || size == nullptr) return call.bad_argument("data or size is NULL");
    const auto bytes = view.bytes();
    if (!bytes.ok()) return call.fail(bytes.error());
    *data = bytes.value().data();
    *size = bytes.value().size();
    return call.ok();
  });
}

STG_API stg_status stg_reader_copy_tensor(const stg_reader* reader, size_t index, void* buffer, size_t buffer_size,
                                          stg_error* err) {
  return with_tensor(reader, index, err, [&](Call& call, const stguard::TensorView& view) {
    if (buffer == nullptr && buffer_size != 0) return call.bad_argument("buffer is NULL");
    if (buffer_size != view.byte_size()) return call.bad_argument("buffer_size is not the tensor's byte size");
    const stguard::Status status = view.read(0, {static_cast<std::uint8_t*>(buffer), buffer_size});
    if (!status.ok()) return call.fail(status.error());
    return call.ok();
  });
}

STG_API stg_status stg_reader_slice_size(const stg_reader* reader, size_t index, const stg_slice_range* ranges,
                                         size_t count, uint64_t* size, stg_error* err) {
  return with_tensor(reader, index, err, [&](Call& call, const stguard::TensorView& view) {
    if (size == nullptr || (ranges == nullptr && count != 0)) return call.bad_argument("size or ranges is NULL");
    const auto slice = plan(view, ranges, count);
    if (!slice.ok()) return call.fail(slice.error());
    *size = slice.value().byte_size();
    return call.ok();
  });
}

STG_API stg_status stg_reader_slice_copy(const stg_reader* reader, size_t index, const stg_slice_range* ranges,
                                         size_t count, void* buffer, size_t buffer_size, stg_error* err) {
  return with_tensor(reader, index, err, [&](Call& call, const stguard::TensorView& view) {
    if ((buffer == nullptr && buffer_size != 0) || (ranges == nullptr && count != 0)) {
      return call.bad_argument("buffer or ranges is NULL");
    }
    const auto slice = plan(view, ranges, count);
    if (!slice.ok()) return call.fail(slice.error());
    if (buffer_size != slice.value().byte_size()) return call.bad_argument("buffer_size is not the slice's byte size");
    const stguard::Status status = slice.value().read({static_cast<std::uint8_t*>(buffer), buffer_size});
    if (!status.ok()) return call.fail(status.error());
    return call.ok();
  });
}

}  // extern "C"
