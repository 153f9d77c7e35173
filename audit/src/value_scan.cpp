// Bit-level classification of tensor values. The loops index a span they
// never leave (bounds from the span's own size), and assemble each element
// from its little-endian bytes, so neither host byte order nor alignment
// matters.
#include "value_scan.hpp"

namespace stguard::audit::detail {
namespace {

enum class Special : std::uint8_t { none, nan, inf };

template <typename Word>
Word load_le(std::span<const std::uint8_t> bytes, std::size_t at) noexcept {
  Word value = 0;
  for (std::size_t i = sizeof(Word); i-- > 0;) value = static_cast<Word>((value << 8U) | bytes[at + i]);
  return value;
}

// IEEE-style binary formats: exponent all ones means Inf (mantissa 0) or NaN.
template <typename Word, Word kExponentMask, Word kMantissaMask>
Special classify_ieee(Word bits) noexcept {
  if ((bits & kExponentMask) != kExponentMask) return Special::none;
  return (bits & kMantissaMask) != 0 ? Special::nan : Special::inf;
}

Special classify_f8(Dtype dtype, std::uint8_t byte) noexcept {
  switch (dtype) {
    case Dtype::F8_E5M2: return classify_ieee<std::uint8_t, 0x7C, 0x03>(byte);
    case Dtype::F8_E4M3: return (byte & 0x7FU) == 0x7FU ? Special::nan : Special::none;
    case Dtype::F8_E4M3FNUZ:
    case Dtype::F8_E5M2FNUZ: return byte == 0x80U ? Special::nan : Special::none;
    case Dtype::F8_E8M0: return byte == 0xFFU ? Special::nan : Special::none;
    default: return Special::none;
  }
}

void note(Special special, std::uint64_t byte_position, ValueStats& stats) noexcept {
  if (special == Special::nan) {
    if (stats.nan_count++ == 0) stats.first_nan_byte = byte_position;
  } else if (special == Special::inf) {
    if (stats.inf_count++ == 0) stats.first_inf_byte = byte_position;
  }
}

template <typename Word, Word kExponentMask, Word kMantissaMask>
void scan_ieee(std::span<const std::uint8_t> bytes, std::uint64_t base, ValueStats& stats) noexcept {
  for (std::size_t at = 0; at + sizeof(Word) <= bytes.size(); at += sizeof(Word)) {
    const Special special = classify_ieee<Word, kExponentMask, kMantissaMask>(load_le<Word>(bytes, at));
    if (special != Special::none) note(special, base + at, stats);
  }
}

}  // namespace

bool dtype_has_special_values(Dtype dtype) noexcept {
  switch (dtype) {
    case Dtype::F16:
    case Dtype::BF16:
    case Dtype::F32:
    case Dtype::F64:
    case Dtype::C64:
    case Dtype::F8_E5M2:
    case Dtype::F8_E4M3:
    case Dtype::F8_E4M3FNUZ:
    case Dtype::F8_E5M2FNUZ:
    case Dtype::F8_E8M0: return true;
    default: return false;
  }
}

void scan_values(Dtype dtype, std::span<const std::uint8_t> bytes, std::uint64_t base, ValueStats& stats) noexcept {
  if (!stats.any_nonzero) {
    std::uint8_t any = 0;
    for (const std::uint8_t byte : bytes) any = static_cast<std::uint8_t>(any | byte);
    stats.any_nonzero = any != 0;
  }
  switch (dtype) {
    case Dtype::F16: scan_ieee<std::uint16_t, 0x7C00, 0x03FF>(bytes, base, stats); break;
    case Dtype::BF16: scan_ieee<std::uint16_t, 0x7F80, 0x007F>(bytes, base, stats); break;
    case Dtype::F32:
    case Dtype::C64: scan_ieee<std::uint32_t, 0x7F800000U, 0x007FFFFFU>(bytes, base, stats); break;
    case Dtype::F64:
      scan_ieee<std::uint64_t, 0x7FF0000000000000ULL, 0x000FFFFFFFFFFFFFULL>(bytes, base, stats);
      break;
    case Dtype::F8_E5M2:
    case Dtype::F8_E4M3:
    case Dtype::F8_E4M3FNUZ:
    case Dtype::F8_E5M2FNUZ:
    case Dtype::F8_E8M0:
      for (std::size_t at = 0; at < bytes.size(); ++at) {
        const Special special = classify_f8(dtype, bytes[at]);
        if (special != Special::none) note(special, base + at, stats);
      }
      break;
    case Dtype::BOOL:
      for (std::size_t at = 0; at < bytes.size(); ++at) {
        if (bytes[at] > 1 && stats.bad_bool_count++ == 0) stats.first_bad_bool_byte = base + at;
      }
      break;
    default: break;
  }
}

}  // namespace stguard::audit::detail
