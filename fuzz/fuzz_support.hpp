// Shared by every fuzz target: the property check that turns a violation into
// a crash the engine reports, a reader for fuzzer-chosen parameters, and the
// invariants every Header and every Error must satisfy, whatever the input.
//
// The invariant checks re-derive what they check (UTF-8, element counts,
// ordering) with code of their own instead of calling the library's helpers,
// so a bug in a helper cannot hide itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stguard/cursor.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard::fuzz {

// Prints where and what, then abort(): libFuzzer and AFL++ both report an
// abort as a crash and keep the input. Never exit(): the engines would take
// a clean exit for a harness bug.
[[noreturn]] void check_failed(const char* file, int line, const char* what, const std::string& detail = {});

#define FUZZ_CHECK(cond)                                                      \
  ((cond) ? static_cast<void>(0) : ::stguard::fuzz::check_failed(__FILE__, __LINE__, #cond))
#define FUZZ_CHECK_MSG(cond, detail)                                          \
  ((cond) ? static_cast<void>(0) : ::stguard::fuzz::check_failed(__FILE__, __LINE__, #cond, (detail)))

// Fuzzer-chosen parameters taken from the front of the input. Reads past the
// end give zeros, so every input is usable and short inputs stay meaningful.
class ParamReader {
 public:
  explicit ParamReader(std::span<const std::uint8_t> data) noexcept : cursor_(data) {}
  std::uint8_t byte() noexcept;
  std::uint16_t u16() noexcept;
  std::uint64_t u64() noexcept;
  // The unread bytes (the payload after the parameters).
  [[nodiscard]] std::span<const std::uint8_t> rest() const noexcept { return cursor_.rest(); }

 private:
  ByteCursor cursor_;
};

[[nodiscard]] inline std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF),
// written independently of lib/src/core/utf8.cpp.
[[nodiscard]] bool is_strict_utf8(std::string_view text) noexcept;
// C0 controls, DEL or C1 controls (U+0080..U+009F) anywhere in valid UTF-8;
// decided per decoded code point, independently of core/tensor_rules.hpp.
[[nodiscard]] bool has_c0_c1_control(std::string_view text) noexcept;

// Equality of everything a caller can observe.
[[nodiscard]] bool same_error(const Error& a, const Error& b) noexcept;
[[nodiscard]] bool same_tensor(const TensorInfo& a, const TensorInfo& b) noexcept;
// Tensors, metadata and has_metadata_object: what a loader sees.
[[nodiscard]] bool same_content(const Header& a, const Header& b) noexcept;
// same_content plus profile, lengths and the recorded strict violations.
[[nodiscard]] bool same_header(const Header& a, const Header& b) noexcept;
[[nodiscard]] bool same_result(const Result<Header>& a, const Result<Header>& b) noexcept;

// One line for a crash report: "ok (3 tensors, data 24 bytes)" or
// "INVALID_UTF8 @12: message".
[[nodiscard]] std::string describe(const Result<Header>& result);
[[nodiscard]] std::string describe(const Error& error);

// Invariants of a rejection: a defined code of a non-internal class (an
// internal error or out_of_memory on a small input is a bug), the class
// matches the code, a non-empty one-line message with no control characters
// (messages never carry raw untrusted bytes), and an offset that is either
// absent or at most `max_offset`. io errors only when `io_allowed`.
void check_error(const Error& error, std::uint64_t max_offset, bool io_allowed = false);
// The part of check_error that holds for every API (writer, slicer, index
// parser too): a defined code, never internal, a safe one-line message.
void check_error_basics(const Error& error);

// Invariants of an accepted header under `options`: data order by (begin,
// end, name) with unique names, contiguity from 0, checked element counts and
// byte sizes, data_size and file_size, lookup by name, sorted unique metadata,
// strict UTF-8 everywhere, every limit, the strict-only rules when the
// profile is strict, and the bookkeeping of recorded violations.
void check_header(const Header& header, const Options& options);

}  // namespace stguard::fuzz
