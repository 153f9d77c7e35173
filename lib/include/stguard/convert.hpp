// Exact conversion of tensor elements to float and double.
//
// Typed reads (TensorView / TensorSlice / OwnedTensor ::to_vector and
// read_into) copy the file's values as they are unless the caller asks for a
// conversion: Conversion::exact widens an element type to float or double
// only where no information can be lost, and refuses everything else. There
// is no lossy path at all (no rounding mode to choose), so what comes out is
// exactly the value the file holds.
//
// What Conversion::exact accepts (docs/reader.md#converting-to-float-and-double):
//   F16, BF16, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ,
//   F6_E2M3, F6_E3M2, F4      -> float and double: every value is exact
//   F32                       -> double: exact
//   I8, U8, I16, U16          -> float and double: exact
//   I32, U32                  -> double: exact; float: when the value fits
//   I64, U64                  -> float, double: when the value fits
// "When the value fits" is checked element by element: the first element
// that the target cannot hold exactly (16777217 as float) is
// CONVERSION_INEXACT, naming its index. F64 -> float, C64 and BOOL are
// DTYPE_MISMATCH: no exact conversion exists for them.
//
// Special values: infinities stay infinities with their sign; a NaN stays a
// NaN with its sign and its payload (the source mantissa bits become the top
// of the target's), and comes out quiet (the quiet bit set, as IEEE 754
// conversion and the x86 converters do). The formats whose NaN is a single
// code and not an IEEE payload give the default quiet NaN: F8_E4M3's
// 0x7F and 0xFF with their sign, the FNUZ formats' 0x80 and F8_E8M0's 0xFF
// positive (they are unsigned codes). F8_E4M3FNUZ and F8_E5M2FNUZ have no
// negative zero; F6 and F4 have neither infinities nor NaN.
//
// Sub-byte dtypes are unpacked least significant bits first: element 0 of an
// F4 tensor is bits 0-3 of byte 0 (PyTorch's float4_e2m1fn_x2 order), and F6
// elements are consecutive 6-bit fields of the bytes read as one
// little-endian bit stream (element 0 is bits 0-5 of byte 0, element 1 bits
// 6-7 of byte 0 and 0-3 of byte 1, ...). The reference reader never unpacks
// these bytes, so this is stguard's convention (docs/format.md#sub-byte-dtypes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stguard/dtype.hpp"
#include "stguard/error.hpp"

namespace stguard {

enum class Conversion : std::uint8_t {
  // The element type must be the dtype's own (or its raw bits, as uint16_t
  // for BF16): the bytes are copied as they are. The default.
  none = 0,
  // Also convert to float or double where every value is kept exactly (the
  // table above); anything else is an error, never a rounded value.
  exact = 1,
};

// True when Conversion::exact reads `dtype` as float / as double (for I32,
// U32, I64 and U64 each value is then still checked).
[[nodiscard]] bool converts_to_float(Dtype dtype) noexcept;
[[nodiscard]] bool converts_to_double(Dtype dtype) noexcept;

// Decodes the elements in `bytes` (little-endian, C order; sub-byte dtypes
// packed as above) into `out`, one per element. `bytes` must hold exactly
// out.size() elements (invalid_argument otherwise); dtype_mismatch when
// `dtype` has no exact conversion to the target; conversion_inexact for the
// first integer element the target cannot hold (the elements before it are
// written). Pure: no I/O, no allocation on success.
[[nodiscard]] Status convert_elements(Dtype dtype, std::span<const std::uint8_t> bytes,
                                      std::span<float> out) noexcept;
[[nodiscard]] Status convert_elements(Dtype dtype, std::span<const std::uint8_t> bytes,
                                      std::span<double> out) noexcept;

namespace detail {
// dtype_mismatch for a typed read as `target` ("float", "double", ...) of
// `dtype`, saying whether Conversion::exact would convert it.
[[nodiscard]] Error conversion_refused_error(Dtype dtype, std::string_view target, Conversion conversion,
                                             const std::string& tensor) noexcept;
}  // namespace detail

}  // namespace stguard
