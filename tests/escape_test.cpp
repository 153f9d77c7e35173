// Display and JSON escaping: nothing from a file can reach a terminal as a
// control sequence or an invisible character, and JSON output is always
// valid UTF-8 without raw invisible characters.
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <utility>

#include "core/code_point_class.hpp"
#include "stguard/escape.hpp"
#include "support/unsafe_code_points.hpp"
#include "core/utf8.hpp"

using stguard::escape_for_display;
using stguard::escape_json;

TEST_CASE("display escaping neutralises controls, invalid bytes and bidi overrides", "[escape]") {
  const std::pair<std::string, std::string> cases[] = {
      {"plain.name", "plain.name"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      {"\x1b[31mred", "\\x1b[31mred"},
      {std::string("a\0b", 3), "a\\x00b"},
      {"line\nbreak\r", "line\\x0abreak\\x0d"},
      {"back\\slash", "back\\\\slash"},
      {"\x7f", "\\x7f"},
      {"\xc2\x85", "\\u{85}"},  // C1 NEL
      {"\xe2\x80\xae", "\\u{202e}"},  // RIGHT-TO-LEFT OVERRIDE
      {"\xe2\x80\x8b", "\\u{200b}"},  // ZERO WIDTH SPACE
      {"\xef\xbb\xbf", "\\u{feff}"},  // BOM
      {"\xff\xfe", "\\xff\\xfe"},
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},  // encoded surrogate is invalid
      {"\xd8\x9c", "\\u{61c}"},  // ARABIC LETTER MARK
      {"\xc2\xad", "\\u{ad}"},  // SOFT HYPHEN
      {"\xe2\x80\xa9", "\\u{2029}"},  // PARAGRAPH SEPARATOR
      {"\xc2\x80", "\\u{80}"},  // lowest C1 control
  };
  for (const auto& [raw, expected] : cases) CHECK(escape_for_display(raw) == expected);
}

TEST_CASE("JSON escaping always yields valid, printable JSON string content", "[escape]") {
  const std::pair<std::string, std::string> cases[] = {
      {"a\"b\\c", "a\\\"b\\\\c"},
      {"\n\t\r", "\\n\\t\\r"},
      {std::string("\0\x1f", 2), "\\u0000\\u001f"},
      {"\xc2\x85", "\\u0085"},
      {"\xe2\x80\xa8", "\\u2028"},
      {"\xe2\x80\xa9", "\\u2029"},
      {"\x7f", "\\u007f"},
      {"\xc2\x9f", "\\u009f"},
      {"\xe6\x97\xa5", "\xe6\x97\xa5"},
  };
  for (const auto& [raw, expected] : cases) CHECK(escape_json(raw) == expected);
  const std::string from_invalid = escape_json("\xff");
  const auto* data = reinterpret_cast<const std::uint8_t*>(from_invalid.data());
  CHECK_FALSE(stguard::detail::find_invalid_utf8(stguard::ByteCursor({data, from_invalid.size()})).has_value());
}

namespace {

std::string expected_display_escape(char32_t cp) {
  char text[24];
  if (cp < 0x80) {
    std::snprintf(text, sizeof text, "\\x%02x", static_cast<unsigned>(cp));
  } else {
    std::snprintf(text, sizeof text, "\\u{%x}", static_cast<unsigned>(cp));
  }
  return text;
}

std::string expected_json_escape(char32_t cp) {
  char text[24];
  if (cp > 0xFFFF) {
    const char32_t offset = cp - 0x10000;
    std::snprintf(text, sizeof text, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (offset >> 10)),
                  static_cast<unsigned>(0xDC00 + (offset & 0x3FF)));
  } else {
    std::snprintf(text, sizeof text, "\\u%04x", static_cast<unsigned>(cp));
  }
  return text;
}

}  // namespace

// Every code point, U+0000..U+10FFFF, against the independent classification
// of support/unsafe_code_points.hpp: escaped exactly when it is in a class
// the rule names, kept byte for byte otherwise, in display and in JSON.
TEST_CASE("display and JSON escaping follow the one rule over every code point", "[escape]") {
  using stguard::test::must_not_appear_raw;
  std::size_t escaped = 0;
  std::size_t mismatches = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const std::string text = stguard::test::utf8(cp);
    const std::string shown = escape_for_display(text);
    const std::string json = escape_json(text);
    std::string want_shown;
    std::string want_json;
    if (stguard::test::is_surrogate(cp)) {
      // Not encodable in UTF-8: the three bytes are invalid, each shown on its own.
      for (const char byte : text) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(byte)));
        want_shown += hex;
      }
      want_json = shown;  // not compared: JSON keeps the byte values (see escape.hpp)
    } else if (cp == '\\') {
      want_shown = "\\\\";
      want_json = "\\\\";
    } else if (must_not_appear_raw(cp)) {
      want_shown = expected_display_escape(cp);
      want_json = cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : cp == '\t' ? "\\t" : expected_json_escape(cp);
    } else {
      want_shown = text;
      want_json = cp == '"' ? "\\\"" : text;
    }
    if (must_not_appear_raw(cp)) ++escaped;
    const bool json_ok = stguard::test::is_surrogate(cp) || json == want_json;
    if (shown != want_shown || !json_ok) {
      if (++mismatches <= 10) {
        INFO("U+" << std::hex << static_cast<unsigned>(cp) << ": display " << escape_for_display(shown) << ", json "
                  << json);
        CHECK(false);
      }
    }
  }
  CHECK(mismatches == 0);
  // The classes are not empty by accident: 65 controls, 4,174 ignorable and
  // bidi, 66 non-characters, 2 separators, 2,048 surrogates.
  CHECK(escaped == 65 + 4174 + 66 + 2 + 2048);
}

TEST_CASE("the library's code point table is sorted, disjoint and agrees with the Unicode classes",
          "[escape]") {
  using stguard::detail::CodePointClass;
  const auto ranges = stguard::detail::code_point_ranges();
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    INFO("range " << i);
    CHECK(ranges[i - 1].first <= ranges[i - 1].last);
    CHECK(ranges[i - 1].last < ranges[i].first);
  }
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const CodePointClass kind = stguard::detail::classify_code_point(cp);
    if (stguard::test::is_tag_character(cp) != (kind == CodePointClass::tag) ||
        stguard::test::is_bidi_format(cp) !=
            (kind == CodePointClass::bidi_mark || kind == CodePointClass::bidi_control) ||
        stguard::test::is_noncharacter(cp) != (kind == CodePointClass::noncharacter)) {
      INFO("U+" << std::hex << static_cast<unsigned>(cp));
      CHECK(false);
      break;
    }
  }
  CHECK(stguard::detail::classify_code_point(0x110000) != CodePointClass::printable);
}

TEST_CASE("escaped messages keep their escapes but lose any raw character that slipped in", "[escape]") {
  CHECK(stguard::guard_escaped_for_display("tensor \"a\\\\b\\u{202e}\"") == "tensor \"a\\\\b\\u{202e}\"");
  CHECK(stguard::guard_escaped_for_display("raw \xe2\x80\xae\x1b and \xf3\xa0\x81\x81") ==
        "raw \\u{202e}\\x1b and \\u{e0041}");
  CHECK(stguard::quote_for_display(std::string(200, 'a')) == "\"" + std::string(stguard::kQuotedDisplayBytes, 'a') + "...\"");
  // A cut never splits a character: 127 ASCII bytes, then a 2-byte character.
  CHECK(stguard::display_excerpt(std::string(127, 'a') + "\xc3\xa9" + "tail", 128) == std::string(127, 'a') + "...");
}
