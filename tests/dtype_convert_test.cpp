// Conversion::exact kernels against an independent reference written here:
// every bit pattern of every 16-bit, 8-bit and sub-byte floating dtype,
// decoded by plain arithmetic (std::ldexp on the fields) instead of the
// library's bit tables and shifts, compared bit for bit with the fast path
// (F16C on a CPU that has it) and with the portable F16 path. NaNs compare
// by their documented bits (sign, payload, quiet bit), not as "any NaN".
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/dtype_convert.hpp"
#include "stguard/convert.hpp"

namespace {

using stguard::Conversion;
using stguard::Dtype;
using stguard::ErrorCode;

enum class Nan : std::uint8_t { ieee, only_all_ones, only_negative_zero, none };

// A floating format described by its fields, as docs/format.md#dtypes states them.
struct Format {
  Dtype dtype;
  int exponent_bits;
  int mantissa_bits;
  int bias;
  Nan nan;
};

constexpr Format kFormats[] = {
    {Dtype::F16, 5, 10, 15, Nan::ieee},          {Dtype::BF16, 8, 7, 127, Nan::ieee},
    {Dtype::F8_E5M2, 5, 2, 15, Nan::ieee},       {Dtype::F8_E4M3, 4, 3, 7, Nan::only_all_ones},
    {Dtype::F8_E4M3FNUZ, 4, 3, 8, Nan::only_negative_zero},
    {Dtype::F8_E5M2FNUZ, 5, 2, 16, Nan::only_negative_zero},
    {Dtype::F6_E2M3, 2, 3, 1, Nan::none},        {Dtype::F6_E3M2, 3, 2, 3, Nan::none},
    {Dtype::F4, 2, 1, 1, Nan::none},
};

std::uint32_t float_bits(float value) { return std::bit_cast<std::uint32_t>(value); }
std::uint64_t double_bits(double value) { return std::bit_cast<std::uint64_t>(value); }

// The expected binary32 bits of `code` in `format`, by arithmetic.
std::uint32_t reference_float_bits(std::uint32_t code, const Format& format) {
  const int width = 1 + format.exponent_bits + format.mantissa_bits;
  const bool negative = ((code >> (width - 1)) & 1U) != 0;
  const std::uint32_t exponent = (code >> format.mantissa_bits) & ((1U << format.exponent_bits) - 1);
  const std::uint32_t mantissa = code & ((1U << format.mantissa_bits) - 1);
  const std::uint32_t all_exponent = (1U << format.exponent_bits) - 1;
  const std::uint32_t sign = negative ? 0x80000000U : 0U;
  switch (format.nan) {
    case Nan::ieee:
      if (exponent == all_exponent) {
        if (mantissa == 0) return sign | 0x7F800000U;
        // Payload at the top of the binary32 mantissa, quiet bit set.
        return sign | 0x7FC00000U | (mantissa << (23 - format.mantissa_bits));
      }
      break;
    case Nan::only_all_ones:
      if (exponent == all_exponent && mantissa == (1U << format.mantissa_bits) - 1) return sign | 0x7FC00000U;
      break;
    case Nan::only_negative_zero:
      if (code == 1U << (width - 1)) return 0x7FC00000U;
      break;
    case Nan::none: break;
  }
  double magnitude = 0;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<double>(mantissa), 1 - format.bias - format.mantissa_bits);
  } else {
    magnitude = std::ldexp(static_cast<double>(mantissa + (1U << format.mantissa_bits)),
                           static_cast<int>(exponent) - format.bias - format.mantissa_bits);
  }
  const auto value = static_cast<float>(negative ? -magnitude : magnitude);
  REQUIRE(static_cast<double>(value) == (negative ? -magnitude : magnitude));  // exact, or the reference is wrong
  return float_bits(value);
}

// F8_E8M0: 2^(code - 127), 0xFF NaN, no sign.
std::uint32_t reference_e8m0_bits(std::uint32_t code) {
  if (code == 0xFF) return 0x7FC00000U;
  return float_bits(static_cast<float>(std::ldexp(1.0, static_cast<int>(code) - 127)));
}

// The double a float widens to, by the documented rule (NaN: payload kept, quiet).
std::uint64_t widened_bits(std::uint32_t bits) {
  const std::uint64_t sign = std::uint64_t{bits >> 31} << 63;
  if ((bits & 0x7FFFFFFFU) > 0x7F800000U) {
    return sign | 0x7FF8000000000000ULL | (std::uint64_t{bits & 0x003FFFFFU} << 29);
  }
  return double_bits(static_cast<double>(std::bit_cast<float>(bits)));
}

// Packs `codes` of `bits` each into bytes, least significant bits first: a
// bit writer of its own, not the library's unpacking read backwards.
std::vector<std::uint8_t> pack_lsb_first(const std::vector<std::uint32_t>& codes, int bits) {
  std::vector<std::uint8_t> out((codes.size() * static_cast<std::size_t>(bits) + 7) / 8, 0);
  std::size_t position = 0;
  for (const std::uint32_t code : codes) {
    for (int b = 0; b < bits; ++b, ++position) {
      if ((code >> b) & 1U) out[position / 8] = static_cast<std::uint8_t>(out[position / 8] | (1U << (position % 8)));
    }
  }
  return out;
}

// Every code of the format; sub-byte codes at every position inside a byte group.
std::vector<std::uint32_t> every_code(int width) {
  const std::uint32_t count = 1U << width;
  std::vector<std::uint32_t> codes;
  if (width >= 8) {
    for (std::uint32_t code = 0; code < count; ++code) codes.push_back(code);
    return codes;
  }
  const std::uint32_t positions = width == 4 ? 2 : 4;  // elements per whole-byte group
  for (std::uint32_t code = 0; code < count; ++code) {
    for (std::uint32_t position = 0; position < positions; ++position) codes.push_back((code + 17 * position) % count);
  }
  return codes;
}

std::vector<std::uint8_t> encode(const std::vector<std::uint32_t>& codes, int width) {
  if (width < 8) return pack_lsb_first(codes, width);
  std::vector<std::uint8_t> bytes;
  for (const std::uint32_t code : codes) {
    for (int b = 0; b < width / 8; ++b) bytes.push_back(static_cast<std::uint8_t>(code >> (8 * b)));
  }
  return bytes;
}

template <typename Out>
std::vector<Out> convert_all(Dtype dtype, const std::vector<std::uint8_t>& bytes, std::size_t count) {
  std::vector<Out> out(count);
  const stguard::Status status = stguard::convert_elements(dtype, bytes, std::span<Out>(out));
  REQUIRE(status.ok());
  return out;
}

}  // namespace

TEST_CASE("every bit pattern of every floating dtype converts exactly to float and double", "[convert]") {
  for (const Format& format : kFormats) {
    const int width = 1 + format.exponent_bits + format.mantissa_bits;
    INFO(std::string(stguard::dtype_name(format.dtype)));
    const auto codes = every_code(width);
    const auto bytes = encode(codes, width);
    const auto floats = convert_all<float>(format.dtype, bytes, codes.size());
    const auto doubles = convert_all<double>(format.dtype, bytes, codes.size());
    std::size_t nan_count = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const std::uint32_t expected = reference_float_bits(codes[i], format);
      INFO("element " << i << " code 0x" << std::hex << codes[i]);
      REQUIRE(float_bits(floats[i]) == expected);
      REQUIRE(double_bits(doubles[i]) == widened_bits(expected));
      if (std::isnan(floats[i])) ++nan_count;
    }
    // The NaN codes the format documents: the reference found them all.
    const std::size_t per_code = codes.size() >> width;
    switch (format.nan) {
      case Nan::ieee: CHECK(nan_count == per_code * 2 * ((1U << format.mantissa_bits) - 1)); break;
      case Nan::only_all_ones: CHECK(nan_count == per_code * 2); break;
      case Nan::only_negative_zero: CHECK(nan_count == per_code); break;
      case Nan::none: CHECK(nan_count == 0); break;
    }
  }
}

TEST_CASE("F8_E8M0: every code is a power of two or NaN", "[convert]") {
  const auto codes = every_code(8);
  const auto bytes = encode(codes, 8);
  const auto floats = convert_all<float>(Dtype::F8_E8M0, bytes, codes.size());
  const auto doubles = convert_all<double>(Dtype::F8_E8M0, bytes, codes.size());
  for (std::uint32_t code = 0; code < 256; ++code) {
    INFO("code " << code);
    REQUIRE(float_bits(floats[code]) == reference_e8m0_bits(code));
    REQUIRE(double_bits(doubles[code]) == widened_bits(reference_e8m0_bits(code)));
  }
  CHECK(floats[127] == 1.0F);
  CHECK(floats[0] == std::ldexp(1.0F, -127));
}

TEST_CASE("F16: the portable path equals the reference on all 65,536 patterns too", "[convert]") {
  const auto codes = every_code(16);
  const auto bytes = encode(codes, 16);
  std::vector<float> portable(codes.size());
  stguard::detail::decode_f16_portable(bytes.data(), portable);
  const Format& f16 = kFormats[0];
  for (std::size_t i = 0; i < codes.size(); ++i) {
    INFO("code 0x" << std::hex << codes[i]);
    REQUIRE(float_bits(portable[i]) == reference_float_bits(codes[i], f16));
  }
  // Lengths that leave a tail after the 8-wide F16C loop, from odd addresses.
  for (std::size_t length : {1U, 7U, 9U, 15U, 17U}) {
    std::vector<std::uint8_t> shifted(1 + 2 * length);
    for (std::size_t i = 0; i < length; ++i) {
      shifted[1 + 2 * i] = bytes[2 * (i * 977 % codes.size())];
      shifted[2 + 2 * i] = bytes[2 * (i * 977 % codes.size()) + 1];
    }
    std::vector<float> fast(length);
    REQUIRE(stguard::convert_elements(Dtype::F16, std::span(shifted).subspan(1), std::span<float>(fast)).ok());
    for (std::size_t i = 0; i < length; ++i) {
      REQUIRE(float_bits(fast[i]) == reference_float_bits(codes[i * 977 % codes.size()], f16));
    }
  }
  INFO("F16C in use: " << stguard::detail::f16_uses_f16c());
  SUCCEED();
}

TEST_CASE("sub-byte dtypes unpack least significant bits first", "[convert]") {
  // F4: 0x21 is element 0 = 0x1 (0.5), element 1 = 0x2 (1.0).
  const std::vector<std::uint8_t> f4{0x21};
  std::vector<float> two(2);
  REQUIRE(stguard::convert_elements(Dtype::F4, f4, std::span<float>(two)).ok());
  CHECK(two[0] == 0.5F);
  CHECK(two[1] == 1.0F);
  // F6_E2M3: element k is bits 6k..6k+5 of the 24-bit little-endian group;
  // 0x08 is 1.0 (exponent 01, mantissa 000), 0x10 is 2.0, 0x01 is 0.125, 0x28 is -1.0.
  const std::uint32_t group = 0x08U | (0x10U << 6) | (0x01U << 12) | (0x28U << 18);
  const std::vector<std::uint8_t> f6{static_cast<std::uint8_t>(group), static_cast<std::uint8_t>(group >> 8),
                                     static_cast<std::uint8_t>(group >> 16)};
  std::vector<float> four(4);
  REQUIRE(stguard::convert_elements(Dtype::F6_E2M3, f6, std::span<float>(four)).ok());
  CHECK(four == std::vector<float>{1.0F, 2.0F, 0.125F, -1.0F});
}

TEST_CASE("integers convert where the value fits, and name the first that does not", "[convert]") {
  const auto le = [](auto value) {
    std::vector<std::uint8_t> bytes(sizeof value);
    for (std::size_t b = 0; b < sizeof value; ++b) {
      bytes[b] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * b));
    }
    return bytes;
  };
  const auto join = [](std::vector<std::vector<std::uint8_t>> parts) {
    std::vector<std::uint8_t> all;
    for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
    return all;
  };
  SECTION("I32 to float: 2^24 fits, 2^24 + 1 does not, -2^31 fits") {
    const auto bytes = join({le(std::int32_t{16777216}), le(std::int32_t{-2147483647 - 1}), le(std::int32_t{16777217})});
    std::vector<float> out(3);
    const stguard::Status status = stguard::convert_elements(Dtype::I32, bytes, std::span<float>(out));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::conversion_inexact);
    CHECK(status.error().message.find("element 2 (I32 16777217)") != std::string::npos);
    CHECK(out[0] == 16777216.0F);
    CHECK(out[1] == -2147483648.0F);
    std::vector<double> wide(3);
    REQUIRE(stguard::convert_elements(Dtype::I32, bytes, std::span<double>(wide)).ok());
    CHECK(wide[2] == 16777217.0);
  }
  SECTION("I64 and U64 to double: 2^53 + 1 does not fit, 2^63 and INT64_MIN do") {
    const auto bytes = join({le(std::uint64_t{1} << 63), le(std::uint64_t{(std::uint64_t{1} << 53) + 1})});
    std::vector<double> out(2);
    const stguard::Status status = stguard::convert_elements(Dtype::U64, bytes, std::span<double>(out));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message.find("element 1 (U64 9007199254740993)") != std::string::npos);
    CHECK(out[0] == 9223372036854775808.0);
    std::vector<double> one(1);
    REQUIRE(stguard::convert_elements(Dtype::I64, le(std::numeric_limits<std::int64_t>::min()), std::span<double>(one)).ok());
    CHECK(one[0] == -9223372036854775808.0);
    REQUIRE_FALSE(stguard::convert_elements(Dtype::I64, le(std::int64_t{-9007199254740993}), std::span<double>(one)).ok());
  }
  SECTION("every I16 and U16 value converts to float") {
    std::vector<std::uint8_t> bytes;
    for (std::uint32_t v = 0; v < 65536; ++v) {
      bytes.push_back(static_cast<std::uint8_t>(v));
      bytes.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    std::vector<float> out(65536);
    REQUIRE(stguard::convert_elements(Dtype::I16, bytes, std::span<float>(out)).ok());
    for (std::uint32_t v = 0; v < 65536; ++v) REQUIRE(out[v] == static_cast<float>(static_cast<std::int16_t>(v)));
    REQUIRE(stguard::convert_elements(Dtype::U16, bytes, std::span<float>(out)).ok());
    for (std::uint32_t v = 0; v < 65536; ++v) REQUIRE(out[v] == static_cast<float>(v));
  }
}

TEST_CASE("no exact conversion, wrong sizes: errors, never a rounded value", "[convert]") {
  std::vector<float> out(1);
  const std::vector<std::uint8_t> eight(8, 0);
  const stguard::Status f64 = stguard::convert_elements(Dtype::F64, eight, std::span<float>(out));
  REQUIRE_FALSE(f64.ok());
  CHECK(f64.error().code == ErrorCode::dtype_mismatch);
  CHECK(f64.error().message.find("no exact conversion") != std::string::npos);
  CHECK_FALSE(stguard::converts_to_float(Dtype::F64));
  CHECK_FALSE(stguard::converts_to_float(Dtype::C64));
  CHECK_FALSE(stguard::converts_to_double(Dtype::BOOL));
  CHECK(stguard::converts_to_double(Dtype::F32));
  CHECK(stguard::converts_to_float(Dtype::U64));
  const stguard::Status size = stguard::convert_elements(Dtype::BF16, eight, std::span<float>(out));
  REQUIRE_FALSE(size.ok());
  CHECK(size.error().code == ErrorCode::invalid_argument);
  // F4: one element is half a byte, which no buffer holds.
  const std::vector<std::uint8_t> one_byte(1, 0);
  CHECK(stguard::convert_elements(Dtype::F4, one_byte, std::span<float>(out)).error().code ==
        ErrorCode::invalid_argument);
}

TEST_CASE("F32 widens to double exactly", "[convert]") {
  const std::vector<float> values{1.0F, -0.0F, std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(),
                                  -std::numeric_limits<float>::infinity(), 3.14159F};
  std::vector<std::uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  std::vector<double> out(values.size());
  REQUIRE(stguard::convert_elements(Dtype::F32, bytes, std::span<double>(out)).ok());
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(double_bits(out[i]) == widened_bits(float_bits(values[i])));
}
