// The rules a tensor entry obeys, in one place for the validator
// (core/header_schema.cpp, core/header_layout.cpp), the writer
// (writer/writer_layout.cpp, writer/writer_builder.cpp), the shard index
// (shards/shard_index.cpp) and the reader's typed copies: the element count
// (the product of the shape), the bit and byte sizes it needs for a dtype
// (sub-byte dtypes included), and the characters a tensor name or metadata key
// may hold. Each caller words its own error, so the texts of its errors stay
// what they were; the decisions are made here. The size checks run once per
// tensor on every header, so they are inline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stguard/dtype.hpp"

namespace stguard::detail {

// ---- sizes ----------------------------------------------------------------

enum class SizeFault : std::uint8_t {
  none,
  overflow,      // the element count or its bit size exceeds 2^64 - 1
  partial_byte,  // a sub-byte dtype whose elements do not fill whole bytes
};

struct TensorSize {
  std::uint64_t elements = 0;  // set unless the element count overflowed
  std::uint64_t bytes = 0;     // set when the fault is none
};

// The element count as the reference folds it: left to right, so a shape
// whose product overflows on the way is refused even if a later 0 would
// bring it back (every implementation must agree on that order). A scalar
// (empty shape) has one element.
[[nodiscard]] inline bool checked_element_count(std::span<const std::uint64_t> shape,
                                                std::uint64_t& count) noexcept {
  std::uint64_t product = 1;
  for (const std::uint64_t dim : shape) {
    if (__builtin_mul_overflow(product, dim, &product)) return false;
  }
  count = product;
  return true;
}

// The bytes `elements` values of `dtype` occupy: elements x bits, which must
// not overflow and, for the 4- and 6-bit dtypes, must be a whole number of bytes.
[[nodiscard]] inline SizeFault checked_byte_size(std::uint64_t elements, Dtype dtype, std::uint64_t& bytes) noexcept {
  std::uint64_t bits = 0;
  if (__builtin_mul_overflow(elements, std::uint64_t{dtype_bits(dtype)}, &bits)) return SizeFault::overflow;
  if (bits % 8 != 0) return SizeFault::partial_byte;
  bytes = bits / 8;
  return SizeFault::none;
}

// Both of the above: the element count and the byte size of a tensor.
[[nodiscard]] inline SizeFault checked_tensor_size(std::span<const std::uint64_t> shape, Dtype dtype,
                                                   TensorSize& size) noexcept {
  if (!checked_element_count(shape, size.elements)) return SizeFault::overflow;
  return checked_byte_size(size.elements, dtype, size.bytes);
}

// True when exactly `bytes` bytes hold `elements` values of `dtype`.
[[nodiscard]] inline bool is_exact_byte_size(std::uint64_t elements, Dtype dtype, std::uint64_t bytes) noexcept {
  std::uint64_t needed = 0;
  return checked_byte_size(elements, dtype, needed) == SizeFault::none && needed == bytes;
}

// The words of the two size errors, shared by the validator and the writer.
inline constexpr std::string_view kShapeOverflowText = "shape x dtype size overflows 64 bits";
[[nodiscard]] std::string partial_byte_text(std::uint64_t elements, Dtype dtype);

// ---- names ----------------------------------------------------------------

// C0 controls, DEL and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F):
// what strict refuses in a tensor name and in a metadata key.
[[nodiscard]] inline bool has_control_character(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    if (byte == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

enum class NameFault : std::uint8_t {
  none,
  empty,
  invalid_utf8,
  control_character,
  reserved,  // "__metadata__", the key of the metadata block
};

// The characters of a tensor name in a header the validator reads. The whole
// header is already valid UTF-8 there, and "__metadata__" is the metadata
// block by position, so only these two rules are left.
[[nodiscard]] inline NameFault header_tensor_name_fault(std::string_view name) noexcept {
  if (name.empty()) return NameFault::empty;
  if (has_control_character(name)) return NameFault::control_character;
  return NameFault::none;
}

// A tensor name someone asks to write (a header, a shard index): the
// validator's rules plus what the header's own checks gave it for free.
[[nodiscard]] NameFault written_tensor_name_fault(std::string_view name) noexcept;

}  // namespace stguard::detail
