// An independent statement of which code points must never reach a terminal
// raw, written from the Unicode data (DerivedCoreProperties.txt 15.1
// Default_Ignorable_Code_Point, UAX #9 bidi controls, chapter 23.7
// non-characters) as plain conditions, not from the library's table, so the
// tests compare two separate sources.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/utf8.hpp"

namespace stguard::test {

inline bool is_default_ignorable(char32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 ||
         cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
         (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF);
}

inline bool is_bidi_format(char32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

inline bool is_tag_character(char32_t cp) { return cp >= 0xE0000 && cp <= 0xE007F; }

inline bool is_noncharacter(char32_t cp) { return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEU) == 0xFFFEU; }

inline bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

inline bool is_surrogate(char32_t cp) { return cp >= 0xD800 && cp <= 0xDFFF; }

// Every class the display rule escapes.
inline bool must_not_appear_raw(char32_t cp) {
  return is_control(cp) || is_bidi_format(cp) || is_default_ignorable(cp) || is_tag_character(cp) ||
         is_noncharacter(cp) || is_surrogate(cp) || cp == 0x2028 || cp == 0x2029;
}

// The encoder is the library's (lib/src/core/utf8.hpp); the classification above
// and the decoder below are this file's own.
inline std::string utf8(char32_t cp) {
  std::string out;
  stguard::detail::append_utf8(out, cp);
  return out;
}

// The first code point of `text` that must not appear raw (newlines, which
// end output lines, excepted), as "U+XXXX at byte N"; or "invalid UTF-8 at
// byte N"; empty when the text is clean. Decodes on its own (no library call).
inline std::string first_unsafe_code_point(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return "invalid UTF-8 at byte " + std::to_string(i);
    char32_t cp = length == 1 ? lead : length == 2 ? (lead & 0x1FU) : length == 3 ? (lead & 0x0FU) : (lead & 0x07U);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) return "invalid UTF-8 at byte " + std::to_string(i);
      cp = (cp << 6) | (next & 0x3FU);
    }
    if (cp != '\n' && must_not_appear_raw(cp)) {
      char label[16];
      std::snprintf(label, sizeof label, "U+%04X", static_cast<unsigned>(cp));
      return std::string(label) + " at byte " + std::to_string(i);
    }
    i += length;
  }
  return {};
}

}  // namespace stguard::test
