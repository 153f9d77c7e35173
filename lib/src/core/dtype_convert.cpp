// Conversion kernels (dtype_convert.hpp). Every floating dtype but F32/F64
// is narrower than binary32, so each of its values has an exact binary32
// image: the 8-bit and sub-byte formats decode through 256/64/16-entry
// tables built at compile time from the format's parameters, BF16 is a shift
// (plus the quiet bit for a NaN), and F16 uses the CPU's F16C converter when
// the CPU has one (checked once at run time; no global -m flag), else the
// same table-free arithmetic as the tables. Doubles are the floats widened,
// which is exact. Integers are checked one by one: an integer is exact in a
// format with p significand bits when its odd part is below 2^p.
#include "core/dtype_convert.hpp"
#include "core/tensor_rules.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

// The F16C path uses the compiler's vector builtins directly (GCC and Clang
// both have them), not <immintrin.h>: the core includes no C header.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define STGUARD_HAVE_F16C_PATH 1
#endif

namespace stguard::detail {
namespace {

constexpr std::uint32_t kQuietNaNBits = 0x7FC00000U;
constexpr std::uint32_t kQuietBit = 0x00400000U;

// What a minifloat does with its top exponent and its sign.
enum class Specials : std::uint8_t {
  ieee,    // top exponent: infinity (mantissa 0) or NaN (payload), as binary16
  fn,      // only S.1111.111 is NaN (F8_E4M3): no infinities
  fnuz,    // only the negative-zero code is NaN: no infinities, no -0
  finite,  // no infinities, no NaN (F6, F4)
};

struct MiniFloat {
  unsigned exponent_bits;
  unsigned mantissa_bits;
  int bias;
  Specials specials;
};

constexpr MiniFloat kF16{5, 10, 15, Specials::ieee};
constexpr MiniFloat kF8E5M2{5, 2, 15, Specials::ieee};
constexpr MiniFloat kF8E4M3{4, 3, 7, Specials::fn};
constexpr MiniFloat kF8E4M3Fnuz{4, 3, 8, Specials::fnuz};
constexpr MiniFloat kF8E5M2Fnuz{5, 2, 16, Specials::fnuz};
constexpr MiniFloat kF6E2M3{2, 3, 1, Specials::finite};
constexpr MiniFloat kF6E3M2{3, 2, 3, Specials::finite};
constexpr MiniFloat kF4E2M1{2, 1, 1, Specials::finite};

// The binary32 bits of one minifloat code. Every format above has a smaller
// exponent range than binary32, so its subnormals are binary32 normals.
constexpr std::uint32_t minifloat_to_float_bits(std::uint32_t code, MiniFloat format) {
  const unsigned width = 1 + format.exponent_bits + format.mantissa_bits;
  const std::uint32_t sign = ((code >> (width - 1)) & 1U) << 31;
  const std::uint32_t exponent_max = (1U << format.exponent_bits) - 1;
  const std::uint32_t mantissa_max = (1U << format.mantissa_bits) - 1;
  const std::uint32_t exponent = (code >> format.mantissa_bits) & exponent_max;
  const std::uint32_t mantissa = code & mantissa_max;
  const unsigned shift = 23 - format.mantissa_bits;
  switch (format.specials) {
    case Specials::ieee:
      if (exponent == exponent_max) return sign | 0x7F800000U | (mantissa == 0 ? 0 : kQuietBit | (mantissa << shift));
      break;
    case Specials::fn:
      if (exponent == exponent_max && mantissa == mantissa_max) return sign | kQuietNaNBits;
      break;
    case Specials::fnuz:
      if (code == (1U << (width - 1))) return kQuietNaNBits;
      break;
    case Specials::finite: break;
  }
  if (exponent == 0) {
    if (mantissa == 0) return sign;
    // Subnormal: mantissa x 2^(1 - bias - mantissa_bits), normalised.
    const int top = static_cast<int>(std::bit_width(mantissa)) - 1;
    const int power = top + 1 - format.bias - static_cast<int>(format.mantissa_bits);
    const std::uint32_t fraction = (mantissa - (1U << top)) << (23 - top);
    return sign | (static_cast<std::uint32_t>(power + 127) << 23) | fraction;
  }
  const int power = static_cast<int>(exponent) - format.bias;
  return sign | (static_cast<std::uint32_t>(power + 127) << 23) | (mantissa << shift);
}

template <std::size_t Codes>
constexpr std::array<std::uint32_t, Codes> minifloat_table(MiniFloat format) {
  std::array<std::uint32_t, Codes> table{};
  for (std::uint32_t code = 0; code < Codes; ++code) table[code] = minifloat_to_float_bits(code, format);
  return table;
}

// F8_E8M0: an unsigned power of two, 2^(code - 127); 0xFF is NaN. 2^-127 is
// a binary32 subnormal.
constexpr std::array<std::uint32_t, 256> e8m0_table() {
  std::array<std::uint32_t, 256> table{};
  table[0] = 0x00400000U;
  for (std::uint32_t code = 1; code < 255; ++code) table[code] = code << 23;
  table[255] = kQuietNaNBits;
  return table;
}

constexpr auto kF8E5M2Table = minifloat_table<256>(kF8E5M2);
constexpr auto kF8E4M3Table = minifloat_table<256>(kF8E4M3);
constexpr auto kF8E8M0Table = e8m0_table();
constexpr auto kF8E4M3FnuzTable = minifloat_table<256>(kF8E4M3Fnuz);
constexpr auto kF8E5M2FnuzTable = minifloat_table<256>(kF8E5M2Fnuz);
constexpr auto kF6E2M3Table = minifloat_table<64>(kF6E2M3);
constexpr auto kF6E3M2Table = minifloat_table<64>(kF6E3M2);
constexpr auto kF4Table = minifloat_table<16>(kF4E2M1);

inline void store_bits(float* out, std::uint32_t bits) noexcept { std::memcpy(out, &bits, sizeof bits); }

inline std::uint16_t load_u16(const std::uint8_t* in) noexcept {
  return static_cast<std::uint16_t>(in[0] | (in[1] << 8));
}

void decode_bytes(const std::array<std::uint32_t, 256>& table, const std::uint8_t* in, std::span<float> out) noexcept {
  for (std::size_t i = 0; i < out.size(); ++i) store_bits(&out[i], table[in[i]]);
}

// Element 0 in the low nibble of byte 0.
void decode_f4(const std::uint8_t* in, std::span<float> out) noexcept {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const unsigned byte = in[i / 2];
    store_bits(&out[i], kF4Table[(i % 2 == 0 ? byte : byte >> 4U) & 0xFU]);
  }
}

// Four elements in every three bytes, read as one little-endian 24-bit field.
void decode_f6(const std::array<std::uint32_t, 64>& table, const std::uint8_t* in, std::span<float> out) noexcept {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint8_t* group = in + (i / 4) * 3;
    const std::uint32_t bits = group[0] | (std::uint32_t{group[1]} << 8) | (std::uint32_t{group[2]} << 16);
    store_bits(&out[i], table[(bits >> (6 * (i % 4))) & 0x3FU]);
  }
}

// Written so the compiler vectorises it (shift, compare, or): no branches.
void decode_bf16(const std::uint8_t* in, std::span<float> out) noexcept {
  float* const target = out.data();
  const std::size_t count = out.size();
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t bits = std::uint32_t{load_u16(in + 2 * i)} << 16;
    const std::uint32_t quiet = (bits & 0x7FFFFFFFU) > 0x7F800000U ? kQuietBit : 0U;
    store_bits(target + i, bits | quiet);
  }
}

#ifdef STGUARD_HAVE_F16C_PATH
using EightHalves = short __attribute__((vector_size(16)));
using EightFloats = float __attribute__((vector_size(32)));

// VCVTPH2PS on 8 elements at a time (exact; NaN payload kept, quiet bit set).
__attribute__((target("avx,f16c"))) void decode_f16_f16c(const std::uint8_t* in, std::span<float> out) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= out.size(); i += 8) {
    EightHalves halves;
    std::memcpy(&halves, in + 2 * i, sizeof halves);
    const EightFloats floats = __builtin_ia32_vcvtph2ps256(halves);
    std::memcpy(out.data() + i, &floats, sizeof floats);
  }
  decode_f16_portable(in + 2 * i, out.subspan(i));
}

// CPUID leaf 1: OSXSAVE (ECX bit 27), AVX (28), F16C (29); then XGETBV: the
// OS saves the SSE and AVX state (XCR0 bits 1 and 2). Asked directly because
// not every compiler's __builtin_cpu_supports knows "f16c" (clang 14 does not).
bool cpu_has_f16c() noexcept {
#if defined(__x86_64__)
  unsigned eax = 1;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  __asm__("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
  constexpr unsigned kNeeded = (1U << 27) | (1U << 28) | (1U << 29);
  if ((ecx & kNeeded) != kNeeded) return false;
  unsigned xcr0_low = 0;
  unsigned xcr0_high = 0;
  __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0U));
  return (xcr0_low & 6U) == 6U;
#else
  return false;
#endif
}
#endif

template <typename Int>
Int load_integer(const std::uint8_t* in) noexcept {
  using Unsigned = std::make_unsigned_t<Int>;
  Unsigned value = 0;
  for (std::size_t b = 0; b < sizeof(Int); ++b) value = static_cast<Unsigned>(value | (Unsigned{in[b]} << (8 * b)));
  return static_cast<Int>(value);
}

// Exact in a binary format with `digits` significand bits (24, 53)?
template <typename Int>
bool fits_significand(Int value, int digits) noexcept {
  std::uint64_t magnitude = static_cast<std::uint64_t>(value);
  if constexpr (std::is_signed_v<Int>) {
    if (value < 0) magnitude = 0 - magnitude;
  }
  if (magnitude == 0) return true;
  return (magnitude >> std::countr_zero(magnitude)) >> digits == 0;
}

template <typename Int, typename Out>
std::size_t decode_integers(const std::uint8_t* in, std::span<Out> out) noexcept {
  constexpr int digits = std::numeric_limits<Out>::digits;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Int value = load_integer<Int>(in + i * sizeof(Int));
    if constexpr (std::numeric_limits<Int>::digits > digits) {
      if (!fits_significand(value, digits)) return i;
    }
    out[i] = static_cast<Out>(value);
  }
  return out.size();
}

template <typename Out>
std::optional<std::size_t> decode_integer_dtype(Dtype dtype, const std::uint8_t* in, std::span<Out> out) noexcept {
  switch (dtype) {
    case Dtype::U8: return decode_integers<std::uint8_t>(in, out);
    case Dtype::I8: return decode_integers<std::int8_t>(in, out);
    case Dtype::U16: return decode_integers<std::uint16_t>(in, out);
    case Dtype::I16: return decode_integers<std::int16_t>(in, out);
    case Dtype::U32: return decode_integers<std::uint32_t>(in, out);
    case Dtype::I32: return decode_integers<std::int32_t>(in, out);
    case Dtype::U64: return decode_integers<std::uint64_t>(in, out);
    case Dtype::I64: return decode_integers<std::int64_t>(in, out);
    default: return std::nullopt;
  }
}

bool is_integer(Dtype dtype) noexcept {
  switch (dtype) {
    case Dtype::U8: case Dtype::I8: case Dtype::U16: case Dtype::I16:
    case Dtype::U32: case Dtype::I32: case Dtype::U64: case Dtype::I64: return true;
    default: return false;
  }
}

ConversionKind integer_conversion(Dtype dtype, int digits) noexcept {
  return static_cast<int>(dtype_bits(dtype)) <= digits ? ConversionKind::every_value
                                                      : ConversionKind::each_value_checked;
}

}  // namespace

ConversionKind conversion_to_float(Dtype dtype) noexcept {
  if (is_integer(dtype)) {
    // Unsigned 16-bit values need 16 bits, signed ones 15 plus the sign: both fit 24.
    return integer_conversion(dtype, 24);
  }
  switch (dtype) {
    case Dtype::F16: case Dtype::BF16: case Dtype::F8_E5M2: case Dtype::F8_E4M3: case Dtype::F8_E8M0:
    case Dtype::F8_E4M3FNUZ: case Dtype::F8_E5M2FNUZ: case Dtype::F6_E2M3: case Dtype::F6_E3M2: case Dtype::F4:
    case Dtype::F32:
      return ConversionKind::every_value;
    default: return ConversionKind::unsupported;  // F64, C64, BOOL
  }
}

ConversionKind conversion_to_double(Dtype dtype) noexcept {
  if (is_integer(dtype)) return integer_conversion(dtype, 53);
  if (dtype == Dtype::F64) return ConversionKind::every_value;
  return conversion_to_float(dtype);
}

void decode_f16_portable(const std::uint8_t* bytes, std::span<float> out) noexcept {
  for (std::size_t i = 0; i < out.size(); ++i) store_bits(&out[i], minifloat_to_float_bits(load_u16(bytes + 2 * i), kF16));
}

bool f16_uses_f16c() noexcept {
#ifdef STGUARD_HAVE_F16C_PATH
  static const bool available = cpu_has_f16c();
  return available;
#else
  return false;
#endif
}

std::size_t decode_elements(Dtype dtype, const std::uint8_t* bytes, std::span<float> out) noexcept {
  if (auto converted = decode_integer_dtype(dtype, bytes, out)) return *converted;
  switch (dtype) {
    case Dtype::F32:
      for (std::size_t i = 0; i < out.size(); ++i) store_bits(&out[i], load_integer<std::uint32_t>(bytes + 4 * i));
      break;
    case Dtype::BF16: decode_bf16(bytes, out); break;
    case Dtype::F16:
#ifdef STGUARD_HAVE_F16C_PATH
      if (f16_uses_f16c()) {
        decode_f16_f16c(bytes, out);
        break;
      }
#endif
      decode_f16_portable(bytes, out);
      break;
    case Dtype::F8_E5M2: decode_bytes(kF8E5M2Table, bytes, out); break;
    case Dtype::F8_E4M3: decode_bytes(kF8E4M3Table, bytes, out); break;
    case Dtype::F8_E8M0: decode_bytes(kF8E8M0Table, bytes, out); break;
    case Dtype::F8_E4M3FNUZ: decode_bytes(kF8E4M3FnuzTable, bytes, out); break;
    case Dtype::F8_E5M2FNUZ: decode_bytes(kF8E5M2FnuzTable, bytes, out); break;
    case Dtype::F6_E2M3: decode_f6(kF6E2M3Table, bytes, out); break;
    case Dtype::F6_E3M2: decode_f6(kF6E3M2Table, bytes, out); break;
    case Dtype::F4: decode_f4(bytes, out); break;
    default: break;  // unsupported: the caller checked conversion_to_float
  }
  return out.size();
}

std::size_t decode_elements(Dtype dtype, const std::uint8_t* bytes, std::span<double> out) noexcept {
  if (auto converted = decode_integer_dtype(dtype, bytes, out)) return *converted;
  if (dtype == Dtype::F64) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::uint64_t bits = load_integer<std::uint64_t>(bytes + 8 * i);
      std::memcpy(&out[i], &bits, sizeof bits);
    }
    return out.size();
  }
  // Every other convertible dtype is exact in binary32: decode a block to
  // floats, then widen (exact; a NaN keeps its payload and stays quiet).
  constexpr std::size_t kBlock = 1024;  // a multiple of 4: F6 groups stay whole
  std::array<float, kBlock> floats{};
  const std::size_t bits = dtype_bits(dtype);
  for (std::size_t done = 0; done < out.size(); done += kBlock) {
    const std::size_t count = std::min(kBlock, out.size() - done);
    (void)decode_elements(dtype, bytes + done * bits / 8, std::span<float>(floats.data(), count));
    for (std::size_t i = 0; i < count; ++i) out[done + i] = static_cast<double>(floats[i]);
  }
  return out.size();
}

Error conversion_refused_error(Dtype dtype, std::string_view target, Conversion conversion,
                               const std::string& tensor) noexcept {
  try {
    const bool to_double = target == "double";
    const bool convertible = (to_double ? conversion_to_double(dtype) : conversion_to_float(dtype)) !=
                             ConversionKind::unsupported;
    std::string message = "typed access as " + std::string(target) + " does not fit dtype " +
                          std::string(dtype_name(dtype));
    if (convertible && conversion == Conversion::none) {
      message += "; pass Conversion::exact to convert (exact, nothing is rounded)";
    } else if (!convertible) {
      message += "; no exact conversion exists";
    }
    return make_error(ErrorCode::dtype_mismatch, std::move(message), kNoOffset, tensor);
  } catch (...) {
    return Error{ErrorCode::dtype_mismatch, kNoOffset, {}, {}};
  }
}

Error conversion_inexact_error(Dtype dtype, const std::uint8_t* element, std::uint64_t index,
                               std::string_view target, const std::string& tensor) noexcept {
  try {
    std::string value;
    switch (dtype) {
      case Dtype::U32: value = std::to_string(load_integer<std::uint32_t>(element)); break;
      case Dtype::I32: value = std::to_string(load_integer<std::int32_t>(element)); break;
      case Dtype::U64: value = std::to_string(load_integer<std::uint64_t>(element)); break;
      case Dtype::I64: value = std::to_string(load_integer<std::int64_t>(element)); break;
      default: value = "?"; break;
    }
    return make_error(ErrorCode::conversion_inexact,
                      "element " + std::to_string(index) + " (" + std::string(dtype_name(dtype)) + " " + value +
                          ") is not exactly representable as " + std::string(target),
                      kNoOffset, tensor);
  } catch (...) {
    return Error{ErrorCode::conversion_inexact, kNoOffset, {}, {}};
  }
}

}  // namespace stguard::detail

namespace stguard {
namespace {

template <typename Out>
Status convert_span(Dtype dtype, std::span<const std::uint8_t> bytes, std::span<Out> out) noexcept {
  constexpr std::string_view target = std::is_same_v<Out, float> ? "float" : "double";
  const auto kind = std::is_same_v<Out, float> ? detail::conversion_to_float(dtype) : detail::conversion_to_double(dtype);
  if (kind == detail::ConversionKind::unsupported) {
    return detail::conversion_refused_error(dtype, target, Conversion::exact, {});
  }
  if (!detail::is_exact_byte_size(out.size(), dtype, bytes.size())) {
    try {
      return make_error(ErrorCode::invalid_argument, std::to_string(bytes.size()) + " bytes of " +
                                                         std::string(dtype_name(dtype)) + " are not " +
                                                         std::to_string(out.size()) + " elements");
    } catch (...) {
      return Error{ErrorCode::invalid_argument, kNoOffset, {}, {}};
    }
  }
  const std::size_t converted = detail::decode_elements(dtype, bytes.data(), out);
  if (converted == out.size()) return {};
  return detail::conversion_inexact_error(dtype, bytes.data() + converted * dtype_bits(dtype) / 8, converted, target,
                                          {});
}

}  // namespace

bool converts_to_float(Dtype dtype) noexcept {
  return detail::conversion_to_float(dtype) != detail::ConversionKind::unsupported;
}

bool converts_to_double(Dtype dtype) noexcept {
  return detail::conversion_to_double(dtype) != detail::ConversionKind::unsupported;
}

Status convert_elements(Dtype dtype, std::span<const std::uint8_t> bytes, std::span<float> out) noexcept {
  return convert_span(dtype, bytes, out);
}

Status convert_elements(Dtype dtype, std::span<const std::uint8_t> bytes, std::span<double> out) noexcept {
  return convert_span(dtype, bytes, out);
}

}  // namespace stguard
