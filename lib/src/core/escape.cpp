// Display and JSON escaping of untrusted strings. Both walk the text with the
// strict UTF-8 decoder, so invalid bytes are caught byte by byte and never
// passed through, and both take their character classes from one table
// (code_point_class.hpp).
#include "stguard/escape.hpp"

#include <cstdint>
#include <span>

#include "core/code_point_class.hpp"
#include "core/utf8.hpp"

namespace stguard {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex_byte(std::string& out, std::uint8_t byte) {
  out += "\\x";
  out += kHex[byte >> 4U];
  out += kHex[byte & 0xFU];
}

void append_code_point_escape(std::string& out, char32_t cp) {
  out += "\\u{";
  bool started = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const auto nibble = static_cast<unsigned>((cp >> static_cast<unsigned>(shift)) & 0xFU);
    if (nibble != 0 || started || shift == 0) {
      out += kHex[nibble];
      started = true;
    }
  }
  out += '}';
}

void append_json_unit(std::string& out, char32_t unit) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> static_cast<unsigned>(shift)) & 0xFU];
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

enum class Backslash { escape, keep };

std::string display_form(std::string_view text, Backslash backslash) {
  std::string out;
  out.reserve(text.size());
  ByteCursor cursor(as_bytes(text));
  while (!cursor.empty()) {
    const std::size_t at = cursor.position();
    char32_t cp = 0;
    if (!detail::decode_utf8(cursor, cp)) {
      append_hex_byte(out, static_cast<std::uint8_t>(text[at]));
    } else if (cp == '\\') {
      out += backslash == Backslash::escape ? "\\\\" : "\\";
    } else if (detail::classify_code_point(cp) == detail::CodePointClass::printable) {
      detail::append_utf8(out, cp);
    } else if (cp < 0x80) {
      append_hex_byte(out, static_cast<std::uint8_t>(cp));
    } else {
      append_code_point_escape(out, cp);
    }
  }
  return out;
}

}  // namespace

std::string escape_for_display(std::string_view text) { return display_form(text, Backslash::escape); }

std::string guard_escaped_for_display(std::string_view already_escaped) {
  return display_form(already_escaped, Backslash::keep);
}

std::string display_excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return escape_for_display(text);
  // Cut on a code point boundary so a character is never split in two.
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return escape_for_display(text.substr(0, cut)) + "...";
}

std::string quote_for_display(std::string_view text) {
  std::string out(1, '"');
  out += display_excerpt(text, kQuotedDisplayBytes);
  out += '"';
  return out;
}

std::string escape_json(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  ByteCursor cursor(as_bytes(text));
  while (!cursor.empty()) {
    const std::size_t at = cursor.position();
    char32_t cp = 0;
    if (!detail::decode_utf8(cursor, cp)) {
      cp = static_cast<std::uint8_t>(text[at]);  // invalid byte: keep its value
    }
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (detail::classify_code_point(cp) == detail::CodePointClass::printable) {
      detail::append_utf8(out, cp);
    } else if (cp > 0xFFFF) {
      const char32_t offset = cp - 0x10000;
      append_json_unit(out, 0xD800 + (offset >> 10U));
      append_json_unit(out, 0xDC00 + (offset & 0x3FFU));
    } else {
      append_json_unit(out, cp);
    }
  }
  return out;
}

}  // namespace stguard
