// stg_stream_*: StreamValidator behind a handle.
#include <cstdint>
#include <memory>
#include <span>

#include "capi/header_handle.hpp"
#include "stguard/stream_validator.hpp"

namespace {

using stguard::capi::Call;
using stguard::capi::HandleKind;

}  // namespace

extern "C" {

STG_API stg_status stg_stream_new(const stg_options* options, stg_stream** out) {
  return stguard::capi::run(nullptr, [&](Call& call) {
    stguard::Options resolved;
    if (out == nullptr) return call.bad_argument("out is NULL");
    if (!stguard::capi::resolve_options(options, resolved)) return call.bad_argument("not a live stg_options");
    stguard::capi::publish(out, HandleKind::stream, std::make_shared<stguard::StreamValidator>(resolved));
    return STG_OK;
  });
}

STG_API stg_status stg_stream_free(stg_stream* stream) {
  return stguard::capi::free_handle(stream, HandleKind::stream);
}

STG_API stg_status stg_stream_feed(stg_stream* stream, const void* data, size_t size, int* keep_going) {
  return stguard::capi::with_live<stguard::StreamValidator>(
      stream, HandleKind::stream, nullptr, "not a live stg_stream", [&](Call& call, stguard::StreamValidator& validator) {
        if (data == nullptr && size != 0) return call.bad_argument("data is NULL but size is not 0");
        const bool more = validator.feed({static_cast<const std::uint8_t*>(data), size});
        if (keep_going != nullptr) *keep_going = more ? 1 : 0;
        return STG_OK;
      });
}

STG_API stg_status stg_stream_finish(const stg_stream* stream, stg_header** header, stg_error* err) {
  return stguard::capi::with_live<stguard::StreamValidator>(
      stream, HandleKind::stream, err, "not a live stg_stream", [&](Call& call, const stguard::StreamValidator& validator) {
        return stguard::capi::deliver_verdict(call, validator.finish(), header);
      });
}

}  // extern "C"
