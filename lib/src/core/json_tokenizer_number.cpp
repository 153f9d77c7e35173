// The JSON number rules: the unsigned integer grammar of the header's fields
// (parse_json_uint, digits read by core/decimal.hpp), and for every other
// number (docs/format.md#json-syntax) RFC 8259's grammar and
// a value the reference's JSON library (serde_json, default features) can
// convert. serde_json keeps an integer that fits u64 (or i64 when negative);
// any other number becomes an f64 computed from a u64 significand and a
// decimal exponent, and "number out of range" is its refusal when that
// computation overflows to infinity. It is not a correctly rounded
// conversion: 1.7976931348623158e308, whose correctly rounded value is
// DBL_MAX, is refused; underflow is never refused (0e400, 1e-400, 400 digits
// then e-600 are all accepted). The steps below are serde_json's, so that
// compat refuses exactly the numbers the reference refuses; check-reference.py
// and tests/json_number_test.cpp hold them to the real reference.
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/decimal.hpp"
#include "core/json_tokenizer.hpp"

namespace stguard::detail {

IntegerParse parse_json_uint(std::string_view text, std::uint64_t& out) noexcept {
  if (text.size() > 1 && text[0] == '0') return IntegerParse::not_integer;  // JSON allows no leading zero
  switch (parse_decimal(text, out)) {
    case DecimalParse::ok:
      return IntegerParse::ok;
    case DecimalParse::overflow:
      return IntegerParse::overflow;
    case DecimalParse::not_decimal:
      break;
  }
  return IntegerParse::not_integer;
}

namespace {

// 10^0 .. 10^308 as double literals: each is the correctly rounded double,
// the same values as serde_json's table (a product of tens would differ).
constexpr double kPowersOfTen[309] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
    1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35,
    1e36, 1e37, 1e38, 1e39, 1e40, 1e41, 1e42, 1e43, 1e44, 1e45, 1e46, 1e47,
    1e48, 1e49, 1e50, 1e51, 1e52, 1e53, 1e54, 1e55, 1e56, 1e57, 1e58, 1e59,
    1e60, 1e61, 1e62, 1e63, 1e64, 1e65, 1e66, 1e67, 1e68, 1e69, 1e70, 1e71,
    1e72, 1e73, 1e74, 1e75, 1e76, 1e77, 1e78, 1e79, 1e80, 1e81, 1e82, 1e83,
    1e84, 1e85, 1e86, 1e87, 1e88, 1e89, 1e90, 1e91, 1e92, 1e93, 1e94, 1e95,
    1e96, 1e97, 1e98, 1e99, 1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107,
    1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119,
    1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, 1e130, 1e131,
    1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142, 1e143,
    1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155,
    1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167,
    1e168, 1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179,
    1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191,
    1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203,
    1e204, 1e205, 1e206, 1e207, 1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215,
    1e216, 1e217, 1e218, 1e219, 1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227,
    1e228, 1e229, 1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239,
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, 1e250, 1e251,
    1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, 1e260, 1e261, 1e262, 1e263,
    1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272, 1e273, 1e274, 1e275,
    1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287,
    1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299,
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
};

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kI32Min = std::numeric_limits<std::int32_t>::min();

// serde_json's test before `value * 10 + digit`: would it pass `max`?
constexpr bool would_overflow(std::uint64_t value, std::uint64_t digit, std::uint64_t max) noexcept {
  return value >= max / 10 && (value > max / 10 || digit > max % 10);
}

// serde_json keeps exponents in an i32 with saturating sums.
constexpr std::int64_t saturate_i32(std::int64_t value) noexcept {
  return value > kI32Max ? kI32Max : (value < kI32Min ? kI32Min : value);
}

// serde_json's conversion of significand * 10^exponent: false when it
// overflows to infinity. Exponents beyond the table are brought back in
// steps of 10^308 (negative ones only; a positive one beyond it overflows
// unless the significand is 0). The loop ends after a few steps, because
// dividing a u64 by 10^308 twice gives 0.
bool serde_f64_is_finite(std::uint64_t significand, std::int64_t exponent) noexcept {
  double value = static_cast<double>(significand);
  for (;;) {
    const std::int64_t magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude <= 308) {
      if (exponent >= 0) return std::isfinite(value * kPowersOfTen[magnitude]);
      return true;  // a division never overflows
    }
    if (value == 0.0) return true;
    if (exponent >= 0) return false;
    value /= 1e308;
    exponent += 308;
  }
}

class NumberLexer {
 public:
  explicit NumberLexer(ByteCursor text) noexcept : text_(text) {}

  NumberScan scan() noexcept {
    if (peek() == '-') ++length_;
    if (peek() == '0') {
      ++length_;  // a digit after a leading 0 is left to the JSON layer: "01" is two values
    } else if (is_digit(peek())) {
      integer_part();
    } else {
      return {length_, NumberScan::missing_digit};
    }
    if (peek() == '.') {
      ++length_;
      if (!is_digit(peek())) return {length_, NumberScan::missing_fraction};
      fraction_part();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++length_;
      return exponent_part();
    }
    if (!is_float_) return {length_, NumberScan::ok};  // an integer that fits u64 / i64
    return finish(exponent_);
  }

 private:
  static bool is_digit(std::uint8_t byte) noexcept { return byte >= '0' && byte <= '9'; }
  std::uint8_t peek() const noexcept {
    std::uint8_t byte = 0;
    return text_.peek_u8_at(length_, byte) ? byte : 0;
  }
  std::uint64_t digit() const noexcept { return static_cast<std::uint64_t>(peek() - '0'); }

  // Digits past u64 are dropped, each adding one to the exponent.
  void integer_part() noexcept {
    while (is_digit(peek())) {
      if (is_float_) {
        exponent_ = saturate_i32(exponent_ + 1);
      } else if (would_overflow(significand_, digit(), kU64Max)) {
        is_float_ = true;
        exponent_ = 1;
      } else {
        significand_ = significand_ * 10 + digit();
      }
      ++length_;
    }
  }

  // Fraction digits join the significand until it would pass u64 (whatever
  // was dropped before the point); from there on they are ignored.
  void fraction_part() noexcept {
    is_float_ = true;
    bool full = false;
    while (is_digit(peek())) {
      if (!full && would_overflow(significand_, digit(), kU64Max)) full = true;
      if (!full) {
        significand_ = significand_ * 10 + digit();
        exponent_ = saturate_i32(exponent_ - 1);
      }
      ++length_;
    }
  }

  NumberScan exponent_part() noexcept {
    bool positive = true;
    if (peek() == '+') {
      ++length_;
    } else if (peek() == '-') {
      positive = false;
      ++length_;
    }
    if (!is_digit(peek())) return {length_, NumberScan::missing_exponent};
    std::int64_t value = 0;
    bool beyond_i32 = false;
    while (is_digit(peek())) {
      if (!beyond_i32 && would_overflow(static_cast<std::uint64_t>(value), digit(), kI32Max)) beyond_i32 = true;
      if (!beyond_i32) value = value * 10 + static_cast<std::int64_t>(digit());
      ++length_;
    }
    if (beyond_i32) {
      // serde_json: infinity is refused, anything else is 0.
      const bool infinite = significand_ != 0 && positive;
      return {length_, infinite ? NumberScan::out_of_range : NumberScan::ok};
    }
    return finish(saturate_i32(positive ? exponent_ + value : exponent_ - value));
  }

  NumberScan finish(std::int64_t exponent) const noexcept {
    return {length_, serde_f64_is_finite(significand_, exponent) ? NumberScan::ok : NumberScan::out_of_range};
  }

  ByteCursor text_;
  std::size_t length_ = 0;
  std::uint64_t significand_ = 0;
  std::int64_t exponent_ = 0;  // within i32, as serde_json's
  bool is_float_ = false;
};

}  // namespace

NumberScan scan_json_number(ByteCursor text) noexcept { return NumberLexer(text).scan(); }

}  // namespace stguard::detail
