// Display and JSON escaping: nothing from a file can reach a terminal as a
// control sequence, and JSON output is always valid UTF-8.
#include <catch2/catch.hpp>
#include <string>

#include "stguard/escape.hpp"
#include "utf8.hpp"

using stguard::escape_for_display;
using stguard::escape_json;

TEST_CASE("display escaping neutralises controls, invalid bytes and bidi overrides", "[escape]") {
  CHECK(escape_for_display("plain.name") == "plain.name");
  CHECK(escape_for_display("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(escape_for_display("\x1b[31mred") == "\\x1b[31mred");
  CHECK(escape_for_display(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(escape_for_display("line\nbreak\r") == "line\\x0abreak\\x0d");
  CHECK(escape_for_display("back\\slash") == "back\\\\slash");
  CHECK(escape_for_display("\x7f") == "\\x7f");
  CHECK(escape_for_display("\xc2\x85") == "\\u{85}");         // C1 NEL
  CHECK(escape_for_display("\xe2\x80\xae") == "\\u{202e}");   // RIGHT-TO-LEFT OVERRIDE
  CHECK(escape_for_display("\xe2\x80\x8b") == "\\u{200b}");   // ZERO WIDTH SPACE
  CHECK(escape_for_display("\xef\xbb\xbf") == "\\u{feff}");   // BOM
  CHECK(escape_for_display("\xff\xfe") == "\\xff\\xfe");
  CHECK(escape_for_display("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // encoded surrogate is invalid
  CHECK(escape_for_display("\xd8\x9c") == "\\u{61c}");      // ARABIC LETTER MARK
  CHECK(escape_for_display("\xc2\xad") == "\\u{ad}");       // SOFT HYPHEN
  CHECK(escape_for_display("\xe2\x80\xa9") == "\\u{2029}");  // PARAGRAPH SEPARATOR
  CHECK(escape_for_display("\xc2\x80") == "\\u{80}");       // lowest C1 control
}

TEST_CASE("JSON escaping always yields valid, printable JSON string content", "[escape]") {
  CHECK(escape_json("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(escape_json("\n\t\r") == "\\n\\t\\r");
  CHECK(escape_json(std::string("\0\x1f", 2)) == "\\u0000\\u001f");
  CHECK(escape_json("\xc2\x85") == "\\u0085");
  CHECK(escape_json("\xe2\x80\xa8") == "\\u2028");
  CHECK(escape_json("\xe2\x80\xa9") == "\\u2029");
  CHECK(escape_json("\x7f") == "\\u007f");
  CHECK(escape_json("\xc2\x9f") == "\\u009f");
  CHECK(escape_json("\xe6\x97\xa5") == "\xe6\x97\xa5");
  const std::string from_invalid = escape_json("\xff");
  const auto* data = reinterpret_cast<const std::uint8_t*>(from_invalid.data());
  CHECK_FALSE(stguard::detail::find_invalid_utf8(stguard::ByteCursor({data, from_invalid.size()})).has_value());
}
