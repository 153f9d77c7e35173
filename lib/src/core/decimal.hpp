// The one decimal parser: a run of ASCII digits read as an unsigned 64-bit
// value with an overflow check. The JSON integer rule (parse_json_uint in
// core/json_tokenizer_number.cpp, which adds "no leading zero") and the slice
// specification (core/slice_parse.cpp) both read their digits with it. Inline:
// every integer of every header goes through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stguard::detail {

struct DecimalPrefix {
  std::size_t digits = 0;  // how many leading bytes are '0'..'9'
  bool overflow = false;   // their value exceeds 2^64 - 1 (value is then meaningless)
};

// Reads the digits at the start of `text` into `value` (0 when there are none).
// On overflow it keeps counting digits, so the caller learns where the run
// ends either way ("1e99999..." after 20 digits is still not one number).
[[nodiscard]] inline DecimalPrefix scan_decimal(std::string_view text, std::uint64_t& value) noexcept {
  DecimalPrefix prefix;
  value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') break;
    ++prefix.digits;
    if (__builtin_mul_overflow(value, std::uint64_t{10}, &value) ||
        __builtin_add_overflow(value, static_cast<std::uint64_t>(c - '0'), &value)) {
      prefix.overflow = true;
    }
  }
  return prefix;
}

enum class DecimalParse : std::uint8_t { ok, not_decimal, overflow };

// All of `text` as one decimal number: not_decimal when it is empty or holds
// anything but digits (that wins over overflow), overflow past 2^64 - 1.
// `out` is written only on success.
[[nodiscard]] inline DecimalParse parse_decimal(std::string_view text, std::uint64_t& out) noexcept {
  std::uint64_t value = 0;
  const DecimalPrefix prefix = scan_decimal(text, value);
  if (prefix.digits == 0 || prefix.digits != text.size()) return DecimalParse::not_decimal;
  if (prefix.overflow) return DecimalParse::overflow;
  out = value;
  return DecimalParse::ok;
}

}  // namespace stguard::detail
