// The 22 safetensors dtypes: exact JSON names, bit widths, and the reference
// writer's sort order (docs/format.md#dtypes). The enum's numeric value *is* that order,
// so sorting by dtype descending is sorting by the enum descending.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stguard {

enum class Dtype : std::uint8_t {
  BOOL = 0,
  F4 = 1,
  F6_E2M3 = 2,
  F6_E3M2 = 3,
  U8 = 4,
  I8 = 5,
  F8_E5M2 = 6,
  F8_E4M3 = 7,
  F8_E8M0 = 8,
  F8_E4M3FNUZ = 9,
  F8_E5M2FNUZ = 10,
  I16 = 11,
  U16 = 12,
  F16 = 13,
  BF16 = 14,
  I32 = 15,
  U32 = 16,
  F32 = 17,
  C64 = 18,
  F64 = 19,
  I64 = 20,
  U64 = 21,
};

inline constexpr std::size_t kDtypeCount = 22;

// Exact, case-sensitive JSON spelling ("F8_E4M3FNUZ").
[[nodiscard]] std::string_view dtype_name(Dtype dtype) noexcept;
// Bits per element: 4 (F4), 6 (F6_*), 8, 16, 32 or 64 (C64 is two f32).
[[nodiscard]] unsigned dtype_bits(Dtype dtype) noexcept;
// The reference writer's sort key (0..21).
[[nodiscard]] constexpr unsigned dtype_order(Dtype dtype) noexcept {
  return static_cast<unsigned>(dtype);
}
// Element size in bytes, the alignment the reference layout gives a tensor
// (1 for sub-byte types; 8 for C64).
[[nodiscard]] unsigned dtype_alignment(Dtype dtype) noexcept;
// Exact-match lookup; nullopt for anything else ("f32", "F32 ", "").
[[nodiscard]] std::optional<Dtype> dtype_from_name(std::string_view name) noexcept;
// Dtype with the given order (0..21); nullopt otherwise.
[[nodiscard]] std::optional<Dtype> dtype_from_order(unsigned order) noexcept;

}  // namespace stguard
