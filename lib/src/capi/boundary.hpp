// How every C entry point is built: resolve the caller's stg_error, run the
// body, turn C++ errors into a stg_status and catch everything (so no
// exception crosses into C). Also the few argument checks all entries share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "capi/handles.hpp"
#include "stguard/error.hpp"
#include "stguard/options.hpp"
#include "stguard/stguard.h"

namespace stguard::capi {

// What a stg_error holds: the last status given to it and its details.
struct ErrorRecord {
  stg_status code = STG_OK;
  std::string message;
  std::uint64_t offset = kNoOffset;
  std::string tensor;
};

[[nodiscard]] constexpr stg_status to_status(ErrorCode code) noexcept { return static_cast<stg_status>(code); }

// One call's view of its stg_error (absent when the caller passed NULL).
class Call {
 public:
  explicit Call(std::shared_ptr<ErrorRecord> record) noexcept : record_(std::move(record)) {}

  stg_status ok() noexcept {
    if (record_) {
      record_->code = STG_OK;
      record_->message.clear();
      record_->offset = kNoOffset;
      record_->tensor.clear();
    }
    return STG_OK;
  }
  stg_status fail(const Error& error) {
    if (record_) {
      record_->code = to_status(error.code);
      record_->message = error.message;
      record_->offset = error.offset;
      record_->tensor = error.tensor;
    }
    return to_status(error.code);
  }
  stg_status fail(ErrorCode code, const char* message) { return fail(make_error(code, message)); }
  // The argument checks of the C boundary: all invalid_argument.
  stg_status bad_argument(const char* what) { return fail(ErrorCode::invalid_argument, what); }
  // Used after an exception: no allocation may be needed to record it.
  stg_status fail_quietly(ErrorCode code) noexcept {
    if (record_) {
      ok();
      record_->code = to_status(code);
    }
    return to_status(code);
  }

 private:
  std::shared_ptr<ErrorRecord> record_;
};

// Runs `body(Call&)`, which returns a stg_status. A non-NULL `err` that is
// not a live stg_error is refused before anything else happens.
template <typename Body>
stg_status run(stg_error* err, Body&& body) noexcept {
  std::shared_ptr<ErrorRecord> record;
  if (err != nullptr) {
    record = find<ErrorRecord>(err, HandleKind::error);
    if (!record) return STG_INVALID_ARGUMENT;
  }
  Call call(std::move(record));
  try {
    return std::forward<Body>(body)(call);
  } catch (const std::bad_alloc&) {
    return call.fail_quietly(ErrorCode::out_of_memory);
  } catch (...) {
    return call.fail_quietly(ErrorCode::internal_error);
  }
}

// Runs `body(call, object)` on the live object of `kind` behind `handle`;
// a handle that is not live is invalid_argument with the message `what`.
template <typename T, typename Body>
stg_status with_live(const void* handle, HandleKind kind, stg_error* err, const char* what, Body&& body) noexcept {
  return run(err, [&](Call& call) {
    const std::shared_ptr<T> object = find<T>(handle, kind);
    if (!object) return call.bad_argument(what);
    return body(call, *object);
  });
}

// The options a call runs with: NULL means the strict defaults.
[[nodiscard]] bool resolve_options(const stg_options* handle, Options& out) noexcept;

// A new handle for `object`, written to *out.
template <typename Handle, typename T>
void publish(Handle** out, HandleKind kind, std::shared_ptr<T> object) {
  *out = as_handle<Handle>(register_handle(kind, std::move(object)));
}

// The whole of a constructor that takes no arguments: a default-made `T`
// published to *out, or invalid_argument when `out` is NULL.
template <typename T, typename Handle>
stg_status publish_default(Handle** out, HandleKind kind) noexcept {
  return run(nullptr, [&](Call& call) {
    if (out == nullptr) return call.bad_argument("out is NULL");
    publish(out, kind, std::make_shared<T>());
    return STG_OK;
  });
}

// Frees a handle of `kind`: NULL is fine, a handle that is not live is not.
[[nodiscard]] stg_status free_handle(const void* handle, HandleKind kind) noexcept;

}  // namespace stguard::capi
