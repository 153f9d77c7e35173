// ByteCursor: every read checks the remaining length; nothing reads past the end.
#include <array>
#include <catch2/catch.hpp>

#include "stguard/cursor.hpp"

using stguard::ByteCursor;

TEST_CASE("cursor reads little-endian u64 and refuses short input", "[cursor]") {
  const std::array<std::uint8_t, 9> bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF};
  ByteCursor cursor(bytes);
  std::uint64_t value = 0;
  REQUIRE(cursor.peek_u64le(value));
  CHECK(value == 0x0807060504030201ULL);
  CHECK(cursor.position() == 0);
  REQUIRE(cursor.read_u64le(value));
  CHECK(cursor.remaining() == 1);
  value = 42;
  CHECK_FALSE(cursor.read_u64le(value));
  CHECK(value == 42);  // a failed read leaves the out-parameter alone
  CHECK(cursor.position() == 8);
  std::uint8_t byte = 0;
  REQUIRE(cursor.read_u8(byte));
  CHECK(byte == 0xFF);
  CHECK(cursor.empty());
  CHECK_FALSE(cursor.read_u8(byte));
  CHECK_FALSE(cursor.peek_u8(byte));
}

TEST_CASE("cursor spans and skips stay inside the buffer", "[cursor]") {
  const std::array<std::uint8_t, 4> bytes{1, 2, 3, 4};
  ByteCursor cursor(bytes);
  std::span<const std::uint8_t> out;
  CHECK_FALSE(cursor.read_bytes(5, out));
  CHECK(cursor.position() == 0);
  REQUIRE(cursor.read_bytes(3, out));
  CHECK(out.size() == 3);
  CHECK(out[2] == 3);
  CHECK_FALSE(cursor.skip(2));
  CHECK(cursor.skip(1));
  CHECK(cursor.empty());
  CHECK(cursor.rest().empty());
  std::uint8_t byte = 0;
  ByteCursor again(bytes);
  CHECK(again.peek_u8_at(3, byte));
  CHECK(byte == 4);
  CHECK_FALSE(again.peek_u8_at(4, byte));
  CHECK_FALSE(again.peek_u8_at(static_cast<std::size_t>(-1), byte));
  ByteCursor sub;
  REQUIRE(again.read_cursor(2, sub));
  CHECK(sub.size() == 2);
  CHECK_FALSE(again.read_cursor(3, sub));
}

TEST_CASE("empty cursor", "[cursor]") {
  ByteCursor cursor;
  std::uint64_t value = 0;
  CHECK(cursor.empty());
  CHECK_FALSE(cursor.peek_u64le(value));
  CHECK(cursor.skip(0));
}
