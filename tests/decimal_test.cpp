// The one decimal parser (core/decimal.hpp) that the JSON integer rule and the
// slice specification read their digits with.
#include <catch2/catch.hpp>
#include <cstdint>

#include "core/decimal.hpp"

using stguard::detail::DecimalParse;
using stguard::detail::parse_decimal;
using stguard::detail::scan_decimal;

TEST_CASE("scan_decimal reads the leading digits and flags overflow", "[decimal]") {
  std::uint64_t value = 7;
  auto prefix = scan_decimal("", value);
  CHECK(prefix.digits == 0);
  CHECK(value == 0);
  prefix = scan_decimal("123:4", value);
  CHECK(prefix.digits == 3);
  CHECK_FALSE(prefix.overflow);
  CHECK(value == 123);
  prefix = scan_decimal("18446744073709551615,", value);
  CHECK(prefix.digits == 20);
  CHECK_FALSE(prefix.overflow);
  CHECK(value == UINT64_MAX);
  prefix = scan_decimal("184467440737095516160000x", value);  // overflows, and the run is still counted
  CHECK(prefix.digits == 24);
  CHECK(prefix.overflow);
}

TEST_CASE("parse_decimal takes all of the text or nothing", "[decimal]") {
  std::uint64_t value = 7;
  CHECK(parse_decimal("0042", value) == DecimalParse::ok);  // leading zeros are the JSON rule's business
  CHECK(value == 42);
  value = 7;
  CHECK(parse_decimal("", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal("12a", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal("-1", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal("18446744073709551616", value) == DecimalParse::overflow);
  CHECK(parse_decimal("99999999999999999999e1", value) == DecimalParse::not_decimal);  // not a number wins
  CHECK(value == 7);
}
