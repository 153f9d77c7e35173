// The error model: every rejection stguard can report, as a value.
//
// Codes are stable: a code's number and name never change once released, new
// codes only get new numbers. The hundreds digit is the class, so a user can
// tell "malformed file" (framing .. layout) from "beyond the policy you set"
// (limit) from "could not read it" (io). docs/errors.md documents every code;
// a test checks that the table below and that document agree.
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace stguard {

enum class ErrorClass : std::uint8_t {
  framing = 1,   // the 8-byte length prefix and where the header ends
  encoding = 2,  // UTF-8 of the header bytes, first byte, padding
  syntax = 3,    // JSON grammar
  schema = 4,    // JSON is well formed but is not a safetensors header
  layout = 5,    // offsets, shapes and sizes do not describe the data region
  limit = 6,     // a configurable limit (policy) rejected the file
  io = 7,        // the file could not be read or written
  usage = 8,     // an API or command-line argument is wrong (not the file)
  write = 9,     // the writer refused its input
  index = 10,    // a sharded checkpoint index is inconsistent
  network = 11,  // a remote file (http/https) could not be fetched as asked (stguard::remote)
  internal = 99  // resource exhaustion or a bug
};

enum class ErrorCode : std::uint16_t {
  // framing
  file_too_small = 101,        // fewer than 8 bytes
  header_too_large = 102,      // N above the format maximum (100,000,000)
  header_past_eof = 103,       // 8 + N is beyond the end of the file
  // The length prefix failed one of the checks above and the first bytes
  // show the file is something else: the code says what.
  not_safetensors_shard_index = 104,  // a model.safetensors.index.json
  not_safetensors_lfs_pointer = 105,  // a Git LFS pointer, not the object
  not_safetensors_html = 106,         // an HTML page
  not_safetensors_json = 107,         // other JSON text
  not_safetensors_text = 108,         // other text
  // encoding
  invalid_utf8 = 201,          // header bytes are not strict UTF-8
  header_not_object_start = 202,  // strict: first header byte is not '{'
  padding_not_spaces = 203,    // strict: a byte other than 0x20 after the closing '}'
  // syntax
  json_syntax = 301,           // RFC 8259 grammar violation
  json_unexpected_end = 302,   // the JSON text ends early (empty header included)
  json_trailing_content = 303,  // something other than whitespace after the top-level value
  json_invalid_string = 304,   // bad escape, raw control character, lone surrogate
  json_invalid_number = 305,   // number syntax, NaN/Infinity, or a number no parser can hold
  // schema
  root_not_object = 401,
  metadata_not_object = 402,
  metadata_null = 403,         // strict: "__metadata__": null
  metadata_value_not_string = 404,
  duplicate_metadata_block = 405,
  duplicate_tensor_name = 406,  // strict (compat: last wins)
  duplicate_metadata_key = 407,  // strict (compat: last wins)
  duplicate_tensor_field = 408,
  unknown_tensor_field = 409,  // strict (compat: ignored)
  tensor_not_object = 410,
  missing_tensor_field = 411,
  unknown_dtype = 412,
  dtype_not_string = 413,
  shape_not_array = 414,
  offsets_not_pair = 415,
  not_an_integer = 416,        // -0, 1.0, 1e0, "2", true, null, -1 ...
  integer_overflow = 417,      // above 2^64 - 1
  invalid_tensor_name = 418,   // strict: empty, C0/C1 control characters
  invalid_metadata_key = 419,  // strict: C0/C1 control characters
  invalid_metadata_value = 420,  // strict: U+0000
  // layout
  invalid_offsets = 501,       // end < begin
  non_contiguous = 502,        // a gap or an overlap between tensors
  shape_overflow = 503,        // element count overflows 64 bits
  subbyte_misaligned = 504,    // elements * bits is not a multiple of 8
  size_mismatch = 505,         // end - begin differs from elements * bits / 8
  data_truncated = 506,        // the file is shorter than the tensors need
  trailing_bytes = 507,        // bytes after the last tensor
  // limit
  limit_header_bytes = 601,
  limit_tensor_count = 602,
  limit_rank = 603,
  limit_name_bytes = 604,
  limit_integer = 605,
  limit_depth = 606,
  // io
  io_open_failed = 701,
  io_read_failed = 702,
  io_not_regular_file = 703,
  io_map_failed = 704,
  io_write_failed = 705,
  io_file_changed = 706,       // the file changed size or content after it was validated
  // usage
  tensor_not_found = 801,
  dtype_mismatch = 802,
  slice_too_many_indices = 803,
  slice_stop_before_start = 804,
  slice_out_of_range = 805,
  slice_not_byte_aligned = 806,
  slice_syntax = 807,
  invalid_argument = 808,
  conversion_inexact = 809,   // Conversion::exact met a value the target type cannot hold exactly
  // write
  aliased_tensors = 901,       // two inputs share memory (tied weights)
  producer_failed = 902,       // a tensor byte producer reported failure
  stream_out_of_order = 903,   // streamed bytes arrived for the wrong tensor
  stream_wrong_byte_count = 904,
  data_length_mismatch = 905,  // bytes given do not match shape x dtype
  // index
  index_invalid_json = 1001,
  index_bad_shard_name = 1002,
  index_tensor_missing = 1003,  // listed in weight_map, absent from its shard
  index_tensor_unlisted = 1004,  // in a shard, absent from weight_map
  index_tensor_elsewhere = 1005,  // also present in another shard
  index_total_size_mismatch = 1006,
  index_too_many_shards = 1007,
  index_shard_invalid = 1008,
  // network (stguard::remote): the server could not be asked, or its answer
  // was not what the request allows. Like io, "could not read", never "invalid".
  network_dns = 1101,            // the host name could not be resolved
  network_connect = 1102,        // no connection (refused, unreachable, proxy failure)
  network_tls = 1103,            // TLS handshake or certificate verification failed
  network_http_status = 1104,    // the server answered with an HTTP error or unexpected status
  network_range_not_honoured = 1105,  // a missing, malformed or inconsistent Content-Range
  network_object_changed = 1106,  // the file changed between two requests (ETag / Last-Modified / size)
  network_too_many_redirects = 1107,
  network_timeout = 1108,        // connect or total timeout, or the low-speed abort
  network_body_too_large = 1109,  // more bytes than asked for or than max_bytes allows
  network_encoding_refused = 1110,  // a Content-Encoding other than identity
  network_redirect_refused = 1111,  // a redirect to another scheme, https to http, or a bad Location
  network_protocol = 1112,       // a malformed response or one that ended early
  // internal
  out_of_memory = 9901,
  internal_error = 9999,
};

// Sentinel for "no byte offset applies".
inline constexpr std::uint64_t kNoOffset = ~std::uint64_t{0};

struct Error {
  ErrorCode code = ErrorCode::internal_error;
  std::uint64_t offset = kNoOffset;  // byte offset in the file where detected
  std::string tensor;                // raw tensor name (escape before display)
  std::string message;               // one line, no untrusted bytes unescaped
  // Context: the path given to the path-based call that failed (Reader::open,
  // load_file, validate_path, save_file, FileBuilder::save_to_path, ...),
  // raw as the caller gave it (escape before display); empty otherwise.
  std::string path{};  // (braces: aggregate initialisers that stop before it stay warning-free)

  [[nodiscard]] ErrorClass error_class() const noexcept;
  [[nodiscard]] bool has_offset() const noexcept { return offset != kNoOffset; }
  // What to show a person: the message, or for an error made without one
  // (out_of_memory_error()) the code's one-line summary from the static table.
  [[nodiscard]] std::string_view text() const noexcept;
};

// The out-of-memory error: no message, tensor or offset, so making, copying
// or moving it allocates nothing and cannot fail; text() is the table's
// summary. Every public entry point returns it when an allocation fails.
[[nodiscard]] Error out_of_memory_error() noexcept;
// The same for an exception no code path expects (internal_error).
[[nodiscard]] Error unexpected_exception_error() noexcept;

// Stable symbolic name, e.g. "DUPLICATE_TENSOR_NAME". Never empty.
[[nodiscard]] std::string_view error_code_name(ErrorCode code) noexcept;
// Short lowercase class name: "framing", "encoding", ... "internal".
[[nodiscard]] std::string_view error_class_name(ErrorClass cls) noexcept;
[[nodiscard]] ErrorClass error_class_of(ErrorCode code) noexcept;
// One-line description of what the code means, as in docs/errors.md.
[[nodiscard]] std::string_view error_code_summary(ErrorCode code) noexcept;
// Reverse lookup of error_code_name; nullopt for unknown names.
[[nodiscard]] std::optional<ErrorCode> error_code_from_name(std::string_view name) noexcept;

// Every defined code, in numeric order (for documentation and tests).
struct ErrorCodeList {
  const ErrorCode* first;
  std::size_t count;
  [[nodiscard]] const ErrorCode* begin() const noexcept { return first; }
  [[nodiscard]] const ErrorCode* end() const noexcept { return first + count; }
};
[[nodiscard]] ErrorCodeList all_error_codes() noexcept;

// What the value of a failed Result is (see Result below): a value-initialised
// T unless a type specialises this (Reader, TensorView, TensorSlice, ... give
// an object whose every fallible call returns an error). Never throws.
template <typename T>
struct ResultPoison {
  [[nodiscard]] static T make(const Error& /*why*/) noexcept(noexcept(T{})) { return T{}; }
};

// The Error that error() returns for a Result or Status that holds none.
[[nodiscard]] const Error& no_error_present() noexcept;

// A value or an Error. The core returns these instead of throwing.
//
// Check ok() (or the bool conversion) before using the value. Misuse never
// aborts the process and never throws: value(), operator* and operator-> on
// an error give the type's *poison* value (ResultPoison<T>): an empty
// vector, span, string or Header, 0, or for Reader / TensorView / TensorSlice
// an object whose fallible calls return an error with the original code, so
// `reader.tensor("missing")->to_vector<float>()` is a failed Result carrying
// TENSOR_NOT_FOUND. error() on a success gives an internal_error "no error"
// (no_error_present()). value_or(fallback) is the explicit form.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] T& value() & noexcept { return ok() ? *std::get_if<0>(&state_) : poison(); }
  [[nodiscard]] const T& value() const& noexcept { return ok() ? *std::get_if<0>(&state_) : poison(); }
  [[nodiscard]] T&& value() && noexcept { return std::move(ok() ? *std::get_if<0>(&state_) : poison()); }
  [[nodiscard]] const Error& error() const& noexcept { return ok() ? no_error_present() : *std::get_if<1>(&state_); }
  [[nodiscard]] Error error() && { return ok() ? no_error_present() : std::move(*std::get_if<1>(&state_)); }

  // The value, or `fallback` for an error.
  [[nodiscard]] T value_or(T fallback) const& { return ok() ? *std::get_if<0>(&state_) : std::move(fallback); }
  [[nodiscard]] T value_or(T fallback) && { return ok() ? std::move(*std::get_if<0>(&state_)) : std::move(fallback); }

  T* operator->() noexcept { return &value(); }
  const T* operator->() const noexcept { return &value(); }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  T&& operator*() && noexcept { return std::move(*this).value(); }

 private:
  // Made on first misuse and owned by this Result (so it lives exactly as
  // long as a value would have). Not synchronised: a failed Result shared
  // between threads must be checked, not dereferenced.
  T& poison() const noexcept {
    if (!poison_) poison_.emplace(ResultPoison<T>::make(ok() ? no_error_present() : *std::get_if<1>(&state_)));
    return *poison_;
  }

  std::variant<T, Error> state_;
  mutable std::optional<T> poison_;
};

// Result of an operation with no value: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  // On a success: no_error_present(), never undefined behaviour.
  [[nodiscard]] const Error& error() const& noexcept { return error_ ? *error_ : no_error_present(); }

 private:
  std::optional<Error> error_;
};

// `error` with `path` as its context (Error::path): what every path-based
// call does to the errors it returns. A path already there is kept: the
// innermost call names the file the error is about (join_shards: the output
// for a write error, the index otherwise). Never throws (out of memory, the
// path is left out).
[[nodiscard]] Error with_path(Error error, std::string_view path) noexcept;

// The one-line text the tools print for an error:
//   [CODE] message (at byte X, tensor "name", file "path")
// with the parenthesis holding only what the error has. Untrusted parts are
// escaped by the one display rule (escape.hpp): the tensor name and the path
// quoted with quote_for_display, the message guarded.
[[nodiscard]] std::string format_error(const Error& error);

// Builds an Error; the message must already be safe to print.
[[nodiscard]] Error make_error(ErrorCode code, std::string message,
                               std::uint64_t offset = kNoOffset, std::string tensor = {});

// A failed Result or Status given the path as context; a success as it is.
template <typename T>
[[nodiscard]] Result<T> with_path(Result<T> result, std::string_view path) noexcept(
    std::is_nothrow_move_constructible_v<T>) {
  if (result.ok()) return result;
  return with_path(std::move(result).error(), path);
}
[[nodiscard]] inline Status with_path(Status status, std::string_view path) noexcept {
  if (status.ok()) return status;
  try {
    return with_path(status.error(), path);
  } catch (...) {
    return status;  // copying the error ran out of memory: keep it as it is
  }
}

// The one guard every public entry point runs its body in, so no exception
// leaves the API and the failure an out-of-memory handler exists for cannot
// itself terminate the process: the errors it returns allocate nothing.
namespace detail {
// Inside a catch block: the error for the exception being handled.
// std::bad_alloc, and std::length_error (a container asked for more than it
// can ever hold), are OUT_OF_MEMORY; anything else is INTERNAL_ERROR.
[[nodiscard]] inline Error error_for_current_exception() noexcept {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return out_of_memory_error();
  } catch (const std::length_error&) {
    return out_of_memory_error();
  } catch (...) {
    return unexpected_exception_error();
  }
}

// Runs `body` (which returns a Result<T> or a Status); an exception becomes
// its error (error_for_current_exception).
template <typename Body>
auto without_exceptions(Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (...) {
    return error_for_current_exception();
  }
}

}  // namespace detail

}  // namespace stguard
