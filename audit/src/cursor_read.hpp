// Little-endian 16- and 32-bit reads on top of ByteCursor, which offers only
// bytes and 64-bit values: ZIP records are made of 16- and 32-bit fields.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "stguard/cursor.hpp"

namespace stguard::audit::detail {

[[nodiscard]] inline bool read_u16le(ByteCursor& cursor, std::uint16_t& out) noexcept {
  std::uint8_t low = 0;
  std::uint8_t high = 0;
  if (cursor.remaining() < 2 || !cursor.read_u8(low) || !cursor.read_u8(high)) return false;
  out = static_cast<std::uint16_t>(low | (high << 8U));
  return true;
}

[[nodiscard]] inline bool read_u32le(ByteCursor& cursor, std::uint32_t& out) noexcept {
  std::uint16_t low = 0;
  std::uint16_t high = 0;
  if (cursor.remaining() < 4 || !read_u16le(cursor, low) || !read_u16le(cursor, high)) return false;
  out = static_cast<std::uint32_t>(low) | (static_cast<std::uint32_t>(high) << 16U);
  return true;
}

// True when the next bytes are exactly `magic` (consumed only on a match).
[[nodiscard]] inline bool read_magic(ByteCursor& cursor, std::string_view magic) noexcept {
  for (std::size_t i = 0; i < magic.size(); ++i) {
    std::uint8_t byte = 0;
    if (!cursor.peek_u8_at(i, byte) || byte != static_cast<std::uint8_t>(magic[i])) return false;
  }
  return cursor.skip(magic.size());
}

// True when `bytes` starts with `magic`.
[[nodiscard]] inline bool starts_with_magic(std::span<const std::uint8_t> bytes, std::string_view magic) noexcept {
  ByteCursor cursor(bytes);
  return read_magic(cursor, magic);
}

}  // namespace stguard::audit::detail
