// Strict UTF-8: table 3-7 of the Unicode standard, byte by byte.
#include <catch2/catch.hpp>
#include <string>

#include "core/utf8.hpp"

using stguard::ByteCursor;
using stguard::detail::find_invalid_utf8;

namespace {
std::optional<std::size_t> first_invalid(const std::string& text) {
  return find_invalid_utf8(ByteCursor(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}
}  // namespace

TEST_CASE("valid UTF-8 is accepted", "[utf8]") {
  const std::string valid[] = {
      "",
      "ascii only, longer than eight bytes to use the fast path",
      "\xc2\x80",                       // U+0080
      "\xdf\xbf",                       // U+07FF
      "\xe0\xa0\x80",                   // U+0800
      "\xed\x9f\xbf",                   // U+D7FF
      "\xee\x80\x80",                   // U+E000
      "\xef\xbf\xbf",                   // U+FFFF
      "\xf0\x90\x80\x80",               // U+10000
      "\xf4\x8f\xbf\xbf",               // U+10FFFF
      "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
      std::string("nul\0inside", 10),   // U+0000 is valid UTF-8 (the JSON layer rejects it raw)
  };
  for (const std::string& text : valid) {
    INFO(text);
    CHECK_FALSE(first_invalid(text).has_value());
  }
}

TEST_CASE("invalid UTF-8 is rejected at the first bad sequence", "[utf8]") {
  struct Row {
    std::string text;
    std::size_t position;
  };
  const Row rows[] = {
      {"\x80", 0},                          // lone continuation
      {"abc\xbf", 3},
      {"\xc0\x80", 0},                      // overlong NUL
      {"\xc1\xbf", 0},                      // overlong
      {"\xe0\x80\x80", 0},                  // overlong 3-byte
      {"\xe0\x9f\xbf", 0},
      {"\xed\xa0\x80", 0},                  // U+D800 surrogate
      {"\xed\xbf\xbf", 0},                  // U+DFFF surrogate
      {"\xf0\x80\x80\x80", 0},              // overlong 4-byte
      {"\xf0\x8f\xbf\xbf", 0},
      {"\xf4\x90\x80\x80", 0},              // above U+10FFFF
      {"\xf5\x80\x80\x80", 0},
      {"\xff", 0},
      {"\xfe", 0},
      {"ok\xe6\x97", 2},                    // truncated at the end
      {"0123456789\xc3", 10},               // truncated after the fast path
      {"\xc3\x28", 0},                      // bad continuation
      {"\xe2\x82\x28", 0},
  };
  for (const Row& row : rows) {
    INFO(row.position);
    const auto bad = first_invalid(row.text);
    REQUIRE(bad.has_value());
    CHECK(*bad == row.position);
  }
}
