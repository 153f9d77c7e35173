// The audit walks text with the core's strict UTF-8 decoder (core/utf8.hpp)
// through next_code_point, which leaves the cursor where it was on a bad byte.
#include <catch2/catch.hpp>
#include <string>

#include "text_scan.hpp"

namespace {
stguard::ByteCursor cursor_over(const std::string& text) {
  return stguard::ByteCursor(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}
}  // namespace

TEST_CASE("next_code_point decodes strict UTF-8 and stops in front of a bad byte", "[audit][text_scan]") {
  const std::string text = "a\xc3\xa9\xf0\x9f\x98\x80\xed\xa0\x80z";  // a, U+00E9, U+1F600, a surrogate, z
  auto cursor = cursor_over(text);
  char32_t code_point = 0;
  REQUIRE(stguard::audit::detail::next_code_point(cursor, code_point));
  CHECK(code_point == U'a');
  REQUIRE(stguard::audit::detail::next_code_point(cursor, code_point));
  CHECK(code_point == 0xE9);
  REQUIRE(stguard::audit::detail::next_code_point(cursor, code_point));
  CHECK(code_point == 0x1F600);
  CHECK(cursor.position() == 7);
  CHECK_FALSE(stguard::audit::detail::next_code_point(cursor, code_point));  // an encoded surrogate
  CHECK(cursor.position() == 7);
  for (const std::string bad : {"\xc0\x80", "\xe0\x80\x80", "\xf4\x90\x80\x80", "\xc3", "\x80"}) {
    auto other = cursor_over(bad);
    CHECK_FALSE(stguard::audit::detail::next_code_point(other, code_point));
    CHECK(other.position() == 0);
  }
  auto empty = cursor_over("");
  CHECK_FALSE(stguard::audit::detail::next_code_point(empty, code_point));
}
