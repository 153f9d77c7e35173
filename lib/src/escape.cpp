// Display and JSON escaping of untrusted strings. Both walk the text with the
// strict UTF-8 decoder, so invalid bytes are caught byte by byte and never
// passed through.
#include "stguard/escape.hpp"

#include <cstdint>
#include <span>

#include "utf8.hpp"

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

// Characters that are invisible or reorder text: a name using them can look
// like a different name on screen.
bool is_deceptive_format_char(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x061C || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x00AD;
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string escape_for_display(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  ByteCursor cursor(as_bytes(text));
  while (!cursor.empty()) {
    const std::size_t at = cursor.position();
    char32_t cp = 0;
    if (!detail::decode_utf8(cursor, cp)) {
      append_hex_byte(out, static_cast<std::uint8_t>(text[at]));
      continue;
    }
    if (cp == '\\') {
      out += "\\\\";
    } else if (cp < 0x20 || cp == 0x7F) {
      append_hex_byte(out, static_cast<std::uint8_t>(cp));
    } else if ((cp >= 0x80 && cp <= 0x9F) || is_deceptive_format_char(cp)) {
      append_code_point_escape(out, cp);
    } else {
      append_utf8(out, cp);
    }
  }
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
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) {
        out += kHex[(cp >> static_cast<unsigned>(shift)) & 0xFU];
      }
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

}  // namespace stguard
