// Code-point walking, deceptive-character classes and NFC (utf8proc).
#include "text_scan.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <limits>
#include <memory>

#include "stguard/escape.hpp"

namespace stguard::audit::detail {

bool next_code_point(ByteCursor& cursor, char32_t& code_point) noexcept {
  const auto rest = cursor.rest();
  if (rest.empty()) return false;
  utf8proc_int32_t decoded = 0;
  // Never ask utf8proc to look past what remains: it reads at most `len` bytes.
  const utf8proc_ssize_t length = rest.size() > 4 ? 4 : static_cast<utf8proc_ssize_t>(rest.size());
  const utf8proc_ssize_t used = utf8proc_iterate(rest.data(), length, &decoded);
  if (used <= 0 || decoded < 0 || !cursor.skip(static_cast<std::size_t>(used))) return false;
  code_point = static_cast<char32_t>(decoded);
  return true;
}

bool is_bidi_control(char32_t cp) noexcept {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

bool is_invisible(char32_t cp) noexcept {
  return cp == 0x00AD || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x180E ||
         (cp >= 0x200B && cp <= 0x200D) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2060 && cp <= 0x2064) ||
         cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 ||
         (cp >= 0xE0000 && cp <= 0xE007F) || (cp >= 0xE0100 && cp <= 0xE01EF);
}

std::string code_point_label(char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const auto nibble = static_cast<unsigned>((cp >> static_cast<unsigned>(shift)) & 0xFU);
    if (nibble != 0 || !digits.empty() || shift < 16) digits += kHex[nibble];
  }
  return "U+" + digits;
}

std::optional<std::string> nfc(std::string_view text) {
  bool ascii = true;
  for (const char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(text);
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<utf8proc_ssize_t>::max() / 4)) return std::nullopt;
  utf8proc_uint8_t* mapped = nullptr;
  // An explicit length (no UTF8PROC_NULLTERM): names may hold U+0000 in compat.
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  if (length < 0 || mapped == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
}

std::string display_excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return escape_for_display(text);
  // Cut on a code point boundary so the excerpt stays valid UTF-8.
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return escape_for_display(text.substr(0, cut)) + "...";
}

}  // namespace stguard::audit::detail
