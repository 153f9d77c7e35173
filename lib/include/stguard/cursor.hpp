// ByteCursor: the one door through which stguard reads untrusted bytes.
//
// A non-owning {data, size, position} view. Every read checks the remaining
// length first and reports failure instead of reading past the end; values are
// returned through out-parameters so a failed read can never be mistaken for
// data. Little-endian decoding is explicit and alignment-free (memcpy), so the
// cursor works on any address. No other code does pointer arithmetic on file
// bytes: parsers, the JSON stream adapter and the UTF-8 validator all take a
// cursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace stguard {

class ByteCursor {
 public:
  constexpr ByteCursor() noexcept = default;
  constexpr explicit ByteCursor(std::span<const std::uint8_t> bytes) noexcept
      : data_(bytes.data()), size_(bytes.size()) {}

  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] constexpr std::size_t remaining() const noexcept { return size_ - pos_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return pos_ == size_; }

  // Peek without consuming; false at the end.
  [[nodiscard]] constexpr bool peek_u8(std::uint8_t& out) const noexcept {
    if (pos_ >= size_) return false;
    out = data_[pos_];
    return true;
  }
  // Peek the byte `ahead` positions after the current one; false past the end.
  [[nodiscard]] constexpr bool peek_u8_at(std::size_t ahead, std::uint8_t& out) const noexcept {
    if (ahead >= remaining()) return false;
    out = data_[pos_ + ahead];
    return true;
  }
  [[nodiscard]] constexpr bool read_u8(std::uint8_t& out) noexcept {
    if (!peek_u8(out)) return false;
    ++pos_;
    return true;
  }
  // Little-endian 64-bit load of the next 8 bytes without consuming them.
  [[nodiscard]] bool peek_u64le(std::uint64_t& out) const noexcept {
    if (remaining() < 8) return false;
    out = load_u64le(data_ + pos_);
    return true;
  }
  [[nodiscard]] bool read_u64le(std::uint64_t& out) noexcept {
    if (!peek_u64le(out)) return false;
    pos_ += 8;
    return true;
  }
  // Consume `count` bytes and hand them out as a span; false if fewer remain.
  [[nodiscard]] constexpr bool read_bytes(std::size_t count, std::span<const std::uint8_t>& out) noexcept {
    if (count > remaining()) return false;
    out = std::span<const std::uint8_t>(data_ + pos_, count);
    pos_ += count;
    return true;
  }
  // Split off the next `count` bytes as a cursor of their own.
  [[nodiscard]] constexpr bool read_cursor(std::size_t count, ByteCursor& out) noexcept {
    std::span<const std::uint8_t> bytes;
    if (!read_bytes(count, bytes)) return false;
    out = ByteCursor(bytes);
    return true;
  }
  [[nodiscard]] constexpr bool skip(std::size_t count) noexcept {
    if (count > remaining()) return false;
    pos_ += count;
    return true;
  }
  // The unread bytes, for bulk scans that stay inside them.
  [[nodiscard]] constexpr std::span<const std::uint8_t> rest() const noexcept {
    return std::span<const std::uint8_t>(data_ + pos_, remaining());
  }

 private:
  static std::uint64_t load_u64le(const std::uint8_t* p) noexcept {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | p[i];
    return value;
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
};

}  // namespace stguard
