// The conversion kernels behind Conversion::exact (stguard/convert.hpp):
// element bytes of a dtype in, floats or doubles out. Pure functions over
// memory, no I/O and no allocation; the reader and the owned tensors call
// them on bytes they have already bounded, and the tests pin every fast path
// to a scalar reference over every bit pattern.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stguard/convert.hpp"
#include "stguard/dtype.hpp"
#include "stguard/error.hpp"

namespace stguard::detail {

// How Conversion::exact reaches a target from a dtype.
enum class ConversionKind : std::uint8_t {
  unsupported = 0,         // dtype_mismatch: no exact conversion exists
  every_value = 1,         // every value of the dtype is exact in the target
  each_value_checked = 2,  // integers: exact when the value fits, checked per element
};
[[nodiscard]] ConversionKind conversion_to_float(Dtype dtype) noexcept;
[[nodiscard]] ConversionKind conversion_to_double(Dtype dtype) noexcept;

// Decodes out.size() elements of `dtype` from `bytes`, which the caller has
// checked hold exactly that many (out.size() * bits / 8 bytes, little-endian,
// sub-byte dtypes packed least significant bits first) and whose conversion
// is not unsupported. Returns out.size(), or the index of the first element
// the target cannot hold exactly (integers only; the elements before it are
// written).
[[nodiscard]] std::size_t decode_elements(Dtype dtype, const std::uint8_t* bytes, std::span<float> out) noexcept;
[[nodiscard]] std::size_t decode_elements(Dtype dtype, const std::uint8_t* bytes, std::span<double> out) noexcept;

// The portable F16 decoder that the F16C one (used when the CPU has it) must
// equal bit for bit, and whether this process uses F16C.
void decode_f16_portable(const std::uint8_t* bytes, std::span<float> out) noexcept;
[[nodiscard]] bool f16_uses_f16c() noexcept;

// Bytes per chunk when converting data that is not resident: a multiple of
// every element size and of 3 (four F6 elements), so chunks never split one.
inline constexpr std::size_t kConversionChunkBytes = std::size_t{3} << 14;

// conversion_inexact for the element at `element` (its bytes), the
// `index`-th of the read.
[[nodiscard]] Error conversion_inexact_error(Dtype dtype, const std::uint8_t* element, std::uint64_t index,
                                             std::string_view target, const std::string& tensor) noexcept;

}  // namespace stguard::detail
