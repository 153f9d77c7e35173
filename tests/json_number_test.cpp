// The JSON number rule (docs/format.md#reference-quirks): RFC 8259's grammar,
// and refused exactly when the reference (safetensors 0.8.0, serde_json)
// refuses the value, "number out of range". Every row's verdict was measured
// with the reference; scripts/check-reference.py measures the corpus copies.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "core/json_tokenizer.hpp"
#include "stguard/validate.hpp"
#include "support/test_files.hpp"

using stguard::detail::NumberScan;
using stguard::detail::scan_json_number;

namespace {

NumberScan scan(const std::string& text) {
  return scan_json_number(stguard::ByteCursor(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}

// Each text is one whole number token with this outcome.
template <std::size_t N>
void check_whole_tokens(const std::string (&texts)[N], NumberScan::Outcome outcome) {
  for (const std::string& text : texts) {
    INFO(text.substr(0, 40) << " (" << text.size() << " bytes)");
    const NumberScan result = scan(text);
    CHECK(result.outcome == outcome);
    CHECK(result.length == text.size());
  }
}

const std::string kDblMaxDigits =  // DBL_MAX written out (309 digits): serde_json overflows on it
    "17976931348623157081452742373170435679807056752584499659891747680315726078002853876058955863276687817154045895"
    "35143824642343213268894641827684675467035375169860499105765512820762454900903893289440758685084551339423045832"
    "36903222948165808559332123348274797826204144723168738177180919299881250404026184124858368";

}  // namespace

TEST_CASE("numbers the reference accepts are accepted, whole", "[json][number]") {
  const std::string accepted[] = {
      "0", "-0", "7", "-0.0e-999", "1.7976931348623157e308", "1.7976931348623157e+308",
      "1e-400", "4.9e-324", "2.4e-324", "1e-2000", "0e400", "0.0e999", "0E400",
      "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
      "1" + std::string(308, '0'),                         // 1e308 written out
      std::string(400, '7') + "e-600",                     // underflows to 0
      "1." + std::string(500, '0') + "1",                  // long fraction
      "0." + std::string(400, '0') + "1e400",
      "0e99999999999999999999", "1e-99999999999999999999", "1e-2147483648", "1e0000000000000000000000308",
  };
  check_whole_tokens(accepted, NumberScan::ok);
}

TEST_CASE("numbers the reference refuses as out of range are out_of_range", "[json][number]") {
  const std::string refused[] = {
      "1.7976931348623158e308",  // correctly rounded it is DBL_MAX; serde_json's conversion overflows
      "1.797693134862315807e308", "1.7976931348623159e308", "1.8e308", "1e309", "-1e309", "1e400",
      "100e307", "10e308", std::string(400, '7'), kDblMaxDigits, kDblMaxDigits + ".5",
      "1e2147483647", "1e2147483648", "0.1e2147483648",
  };
  check_whole_tokens(refused, NumberScan::out_of_range);
}

TEST_CASE("the number grammar stops where RapidJSON's did", "[json][number]") {
  struct Row {
    const char* text;
    NumberScan::Outcome outcome;
    std::size_t length;
  };
  const Row rows[] = {
      {"-", NumberScan::missing_digit, 1},       {"-x", NumberScan::missing_digit, 1},
      {"1.", NumberScan::missing_fraction, 2},   {"1.e5", NumberScan::missing_fraction, 2},
      {"1e", NumberScan::missing_exponent, 2},   {"1e+", NumberScan::missing_exponent, 3},
      {"1E-x", NumberScan::missing_exponent, 3}, {"01", NumberScan::ok, 1},
      {"12,3", NumberScan::ok, 2},               {"-0.5e1]", NumberScan::ok, 6},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    const NumberScan result = scan(row.text);
    CHECK(result.outcome == row.outcome);
    CHECK(result.length == row.length);
  }
}

TEST_CASE("a refused number is JSON_INVALID_NUMBER at its offset in both profiles", "[json][number]") {
  const std::string header = R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[0e400,1.8e308]}})";
  const auto file = stguard::test::make_file(header, 1);
  const auto compat = stguard::validate_file(file, stguard::Options::compat());
  REQUIRE_FALSE(compat.ok());
  CHECK(compat.error().code == stguard::ErrorCode::json_invalid_number);
  CHECK(compat.error().offset == 8 + header.find("1.8e308"));
  const std::string shape = R"({"w":{"dtype":"U8","shape":[1.8e308],"data_offsets":[0,1]}})";
  const auto strict = stguard::validate_file(stguard::test::make_file(shape, 1));
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().code == stguard::ErrorCode::json_invalid_number);
  CHECK(strict.error().offset == 8 + shape.find("1.8e308"));
}
