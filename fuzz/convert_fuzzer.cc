// convert: fuzzer-chosen bytes of a fuzzer-chosen dtype through the
// Conversion::exact kernels, alone and through the reader. Checks:
//   * convert_elements never crashes; it succeeds exactly when the dtype
//     converts to the target and, for I32/U32/I64/U64, every value fits
//     (checked here by round-tripping each integer);
//   * the double output is the float output widened (NaN for NaN), where
//     both targets accept the dtype;
//   * the F16 fast path (F16C where the CPU has it) equals the portable one;
//   * TensorView::to_vector<float>(Conversion::exact) and a whole-tensor
//     slice of a file holding the same bytes give the same values.
//
// Input: [0] dtype (% 22), the rest the tensor's bytes (cut to whole elements
// that fill whole bytes).
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/dtype_convert.hpp"
#include "fuzz_support.hpp"
#include "stguard/reader.hpp"
#include "stguard/writer.hpp"

namespace {

bool same_value(float a, double b) { return std::isnan(a) ? std::isnan(b) : static_cast<double>(a) == b; }

std::uint64_t load_le(const std::uint8_t* bytes, unsigned size) {
  std::uint64_t value = 0;
  for (unsigned b = 0; b < size; ++b) value |= std::uint64_t{bytes[b]} << (8 * b);
  return value;
}

// Does the integer element at `bytes` fit a significand of `digits` bits?
bool integer_fits(stguard::Dtype dtype, const std::uint8_t* bytes, int digits) {
  const unsigned size = stguard::dtype_bits(dtype) / 8;
  const std::uint64_t raw = load_le(bytes, size);
  const bool is_signed = dtype == stguard::Dtype::I32 || dtype == stguard::Dtype::I64 ||
                         dtype == stguard::Dtype::I16 || dtype == stguard::Dtype::I8;
  std::uint64_t magnitude = raw;
  if (is_signed && size < 8 && ((raw >> (8 * size - 1)) & 1U) != 0) magnitude = (std::uint64_t{1} << (8 * size)) - raw;
  if (is_signed && size == 8 && (raw >> 63) != 0) magnitude = 0 - raw;
  while (magnitude != 0 && (magnitude & 1U) == 0) magnitude >>= 1;
  return magnitude < (std::uint64_t{1} << digits);
}

bool is_integer(stguard::Dtype dtype) {
  switch (dtype) {
    case stguard::Dtype::U8: case stguard::Dtype::I8: case stguard::Dtype::U16: case stguard::Dtype::I16:
    case stguard::Dtype::U32: case stguard::Dtype::I32: case stguard::Dtype::U64: case stguard::Dtype::I64:
      return true;
    default: return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const stguard::Dtype dtype = *stguard::dtype_from_order(data[0] % stguard::kDtypeCount);
  const unsigned bits = stguard::dtype_bits(dtype);
  // Whole elements filling whole bytes: 8 / gcd(bits, 8) bytes per group.
  const std::size_t group_bytes = bits % 8 == 0 ? bits / 8 : (bits == 4 ? 1 : 3);
  const std::size_t byte_count = (size - 1) / group_bytes * group_bytes;
  const std::size_t count = byte_count * 8 / bits;
  const std::span<const std::uint8_t> bytes(data + 1, byte_count);

  std::vector<float> floats(count);
  std::vector<double> doubles(count);
  const stguard::Status to_float = stguard::convert_elements(dtype, bytes, std::span<float>(floats));
  const stguard::Status to_double = stguard::convert_elements(dtype, bytes, std::span<double>(doubles));

  bool floats_fit = stguard::converts_to_float(dtype);
  bool doubles_fit = stguard::converts_to_double(dtype);
  if (is_integer(dtype)) {
    for (std::size_t i = 0; i < count; ++i) {
      floats_fit = floats_fit && integer_fits(dtype, bytes.data() + i * bits / 8, 24);
      doubles_fit = doubles_fit && integer_fits(dtype, bytes.data() + i * bits / 8, 53);
    }
  }
  FUZZ_CHECK(to_float.ok() == floats_fit);
  FUZZ_CHECK(to_double.ok() == doubles_fit);
  if (!to_float.ok()) {
    FUZZ_CHECK(to_float.error().code == (stguard::converts_to_float(dtype)
                                                     ? stguard::ErrorCode::conversion_inexact
                                                     : stguard::ErrorCode::dtype_mismatch));
  }
  if (to_float.ok() && to_double.ok()) {
    for (std::size_t i = 0; i < count; ++i) FUZZ_CHECK(same_value(floats[i], doubles[i]));
  }
  if (dtype == stguard::Dtype::F16) {
    std::vector<float> portable(count);
    stguard::detail::decode_f16_portable(bytes.data(), portable);
    for (std::size_t i = 0; i < count; ++i) {
      FUZZ_CHECK(std::bit_cast<std::uint32_t>(portable[i]) == std::bit_cast<std::uint32_t>(floats[i]));
    }
  }

  // The same bytes as a one-tensor file, read through the reader.
  if (count == 0 || count > 4096) return 0;
  stguard::FileBuilder builder;
  if (!builder.add_tensor("t", dtype, {count}, bytes)) return 0;
  auto file = builder.save();
  FUZZ_CHECK(file.ok());
  auto reader = stguard::Reader::from_memory(*file);
  FUZZ_CHECK(reader.ok());
  auto view = reader->tensor("t");
  auto slice = view->slice("");
  FUZZ_CHECK(slice.ok());
  const auto whole = view->to_vector<float>(stguard::Conversion::exact);
  const auto sliced = slice->to_vector<float>(stguard::Conversion::exact);
  FUZZ_CHECK(whole.ok() == to_float.ok());
  FUZZ_CHECK(sliced.ok() == to_float.ok());
  if (whole.ok()) {
    for (std::size_t i = 0; i < count; ++i) {
      FUZZ_CHECK(std::bit_cast<std::uint32_t>((*whole)[i]) == std::bit_cast<std::uint32_t>(floats[i]));
      FUZZ_CHECK(std::bit_cast<std::uint32_t>((*sliced)[i]) == std::bit_cast<std::uint32_t>(floats[i]));
    }
  }
  return 0;
}
