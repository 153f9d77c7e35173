// Strict UTF-8 validation with an 8-bytes-at-a-time ASCII fast path: JSON
// headers are almost entirely ASCII, so most of the time is spent in one
// mask test per 8 bytes.
#include "core/utf8.hpp"

#include <cstdint>

namespace stguard::detail {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

bool is_continuation(std::uint8_t byte) noexcept { return (byte & 0xC0U) == 0x80U; }

}  // namespace

bool decode_utf8(ByteCursor& cursor, char32_t& code_point) noexcept {
  std::uint8_t lead = 0;
  if (!cursor.peek_u8(lead)) return false;
  std::size_t length = 0;
  std::uint8_t low = 0x80;   // allowed range of the second byte
  std::uint8_t high = 0xBF;
  char32_t value = 0;
  if (lead < 0x80) {
    (void)cursor.skip(1);
    code_point = lead;
    return true;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    value = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    value = lead & 0x0FU;
    if (lead == 0xE0) low = 0xA0;   // no overlong 3-byte forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    value = lead & 0x07U;
    if (lead == 0xF0) low = 0x90;   // no overlong 4-byte forms
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    (void)cursor.skip(1);
    return false;
  }
  for (std::size_t i = 1; i < length; ++i) {
    std::uint8_t byte = 0;
    if (!cursor.peek_u8_at(i, byte)) {
      (void)cursor.skip(1);
      return false;
    }
    const bool ok = i == 1 ? (byte >= low && byte <= high) : is_continuation(byte);
    if (!ok) {
      (void)cursor.skip(1);
      return false;
    }
    value = (value << 6) | (byte & 0x3FU);
  }
  (void)cursor.skip(length);
  code_point = value;
  return true;
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

std::optional<std::size_t> find_invalid_utf8(ByteCursor cursor) noexcept {
  const std::size_t start = cursor.position();
  while (!cursor.empty()) {
    std::uint64_t word = 0;
    while (cursor.peek_u64le(word) && (word & kHighBits) == 0) (void)cursor.skip(8);
    std::uint8_t byte = 0;
    if (!cursor.peek_u8(byte)) break;
    if (byte < 0x80) {
      (void)cursor.skip(1);
      continue;
    }
    const std::size_t at = cursor.position();
    char32_t ignored = 0;
    if (!decode_utf8(cursor, ignored)) return at - start;
  }
  return std::nullopt;
}

bool is_valid_utf8(std::string_view text) noexcept {
  const ByteCursor cursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  return !find_invalid_utf8(cursor).has_value();
}

}  // namespace stguard::detail
