// Value checks over a tensor's bytes: NaN and infinity counts decoded from
// the bit patterns of each floating dtype (little-endian, explicitly), BOOL
// bytes other than 0 and 1, and whether any byte is non-zero.
//
// Special values per dtype (IEEE 754 and the OCP 8-bit formats):
//   F16, BF16, F32, F64, C64 (two F32): exponent all ones; mantissa 0 = Inf, else NaN
//   F8_E5M2: exponent all ones as in IEEE (Inf and NaN)
//   F8_E4M3 (the "fn" variant): no Inf; NaN is S.1111.111 (0x7F, 0xFF) only
//   F8_E4M3FNUZ, F8_E5M2FNUZ: no Inf; NaN is 0x80 only (the "negative zero")
//   F8_E8M0: no Inf; NaN is 0xFF
//   F4, F6_*: no special values
#pragma once

#include <cstdint>
#include <span>

#include "stguard/dtype.hpp"

namespace stguard::audit::detail {

inline constexpr std::uint64_t kNoIndex = ~std::uint64_t{0};

struct ValueStats {
  std::uint64_t nan_count = 0;
  std::uint64_t inf_count = 0;
  std::uint64_t bad_bool_count = 0;
  // Byte positions within the tensor of the first occurrence (kNoIndex: none).
  std::uint64_t first_nan_byte = kNoIndex;
  std::uint64_t first_inf_byte = kNoIndex;
  std::uint64_t first_bad_bool_byte = kNoIndex;
  bool any_nonzero = false;
};

// True when the dtype has a NaN or an infinity encoding at all.
[[nodiscard]] bool dtype_has_special_values(Dtype dtype) noexcept;

// Scans `bytes`, which start `tensor_position` bytes into the tensor's data.
// For dtypes of whole bytes, `tensor_position` and `bytes.size()` are
// multiples of the element size (the data pass reads aligned chunks).
void scan_values(Dtype dtype, std::span<const std::uint8_t> bytes, std::uint64_t tensor_position,
                 ValueStats& stats) noexcept;

}  // namespace stguard::audit::detail
