// The strict integer grammar, as boundary tables (docs/format.md#integers: 0, 2^53-1, 2^53,
// 2^64-1, 2^64, "00", "-0", "1.0", "1e3", " 1").
#include <catch2/catch.hpp>

#include "core/json_tokenizer.hpp"

using stguard::detail::IntegerParse;
using stguard::detail::parse_json_uint;

TEST_CASE("integer grammar accepts plain unsigned integers up to 2^64-1", "[json][integer]") {
  struct Row {
    const char* text;
    std::uint64_t value;
  };
  const Row rows[] = {
      {"0", 0},
      {"1", 1},
      {"9007199254740991", 9007199254740991ULL},
      {"9007199254740992", 9007199254740992ULL},
      {"18446744073709551615", 18446744073709551615ULL},
      {"10", 10},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    std::uint64_t value = 0;
    CHECK(parse_json_uint(row.text, value) == IntegerParse::ok);
    CHECK(value == row.value);
  }
}

TEST_CASE("integer grammar rejects everything else", "[json][integer]") {
  const char* not_integers[] = {"", "-0", "-1", "1.0", "1e3", "1E3", " 1", "1 ", "00", "01", "+1", "0x10",
                                "1,", "\"1\"", "true", "null", "-", "1.", "NaN", "Infinity"};
  for (const char* text : not_integers) {
    INFO(text);
    std::uint64_t value = 77;
    CHECK(parse_json_uint(text, value) == IntegerParse::not_integer);
    CHECK(value == 77);
  }
  const char* overflows[] = {"18446744073709551616", "18446744073709551617", "99999999999999999999",
                             "1000000000000000000000000000000"};
  for (const char* text : overflows) {
    INFO(text);
    std::uint64_t value = 77;
    CHECK(parse_json_uint(text, value) == IntegerParse::overflow);
    CHECK(value == 77);
  }
}

TEST_CASE("surrogate detection finds only encoded surrogates", "[json]") {
  using stguard::detail::has_encoded_surrogate;
  CHECK_FALSE(has_encoded_surrogate(""));
  CHECK_FALSE(has_encoded_surrogate("plain"));
  CHECK_FALSE(has_encoded_surrogate("\xed\x9f\xbf"));  // U+D7FF, the last code point before surrogates
  CHECK(has_encoded_surrogate("\xed\xa0\x80"));         // U+D800
  CHECK(has_encoded_surrogate("ab\xed\xbf\xbf"));       // U+DFFF
  CHECK_FALSE(has_encoded_surrogate("\xed"));           // a lone lead byte at the end
}
