// The one decimal parser (core/decimal.hpp) that the JSON integer rule and the
// slice specification read their digits with.
#include <catch2/catch.hpp>
#include <cstdint>

#include "core/decimal.hpp"

using stguard::detail::decimal_run;
using stguard::detail::DecimalParse;
using stguard::detail::parse_decimal;

TEST_CASE("parse_decimal takes all of the text or nothing", "[decimal]") {
  std::uint64_t value = 7;
  CHECK(parse_decimal("0", value) == DecimalParse::ok);
  CHECK(value == 0);
  CHECK(parse_decimal("0042", value) == DecimalParse::ok);  // leading zeros are the JSON rule's business
  CHECK(value == 42);
  CHECK(parse_decimal("18446744073709551615", value) == DecimalParse::ok);
  CHECK(value == UINT64_MAX);
  value = 7;
  CHECK(parse_decimal("", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal("12a", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal("-1", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal(" 1", value) == DecimalParse::not_decimal);
  CHECK(parse_decimal("18446744073709551616", value) == DecimalParse::overflow);
  CHECK(parse_decimal("99999999999999999999e1", value) == DecimalParse::not_decimal);  // not a number wins
  CHECK(value == 7);
}

TEST_CASE("decimal_run finds where embedded digits end", "[decimal]") {
  CHECK(decimal_run("") == 0);
  CHECK(decimal_run(":3") == 0);
  CHECK(decimal_run("123:4") == 3);
  CHECK(decimal_run("184467440737095516160000,") == 24);
  CHECK(decimal_run("42") == 2);
}
