// The one decimal parser: ASCII digits read as an unsigned 64-bit value with
// an overflow check. The JSON integer rule (parse_json_uint in
// core/json_tokenizer_number.cpp, which adds "no leading zero") and the slice
// specification (core/slice_parse.cpp) both read their digits with it. Inline:
// every integer of every header goes through it, so its loop is the tightest
// form (one range test and one checked multiply-add per byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stguard::detail {

enum class DecimalParse : std::uint8_t { ok, not_decimal, overflow };

// All of `text` as one decimal number: not_decimal when it is empty or holds
// anything but digits (that wins over overflow: "99999999999999999999e1" is
// not a number at all), overflow past 2^64 - 1. `out` is written only on success.
[[nodiscard]] inline DecimalParse parse_decimal(std::string_view text, std::uint64_t& out) noexcept {
  if (text.empty()) return DecimalParse::not_decimal;
  std::uint64_t value = 0;
  bool overflow = false;
  for (const char c : text) {
    if (c < '0' || c > '9') return DecimalParse::not_decimal;
    if (__builtin_mul_overflow(value, std::uint64_t{10}, &value) ||
        __builtin_add_overflow(value, static_cast<std::uint64_t>(c - '0'), &value)) {
      overflow = true;  // keep scanning: a later non-digit still makes it not_decimal
    }
  }
  if (overflow) return DecimalParse::overflow;
  out = value;
  return DecimalParse::ok;
}

// How many leading bytes of `text` are digits: where a number embedded in
// other text ends, to hand that run to parse_decimal.
[[nodiscard]] inline std::size_t decimal_run(std::string_view text) noexcept {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  return digits;
}

}  // namespace stguard::detail
