// The code point table behind display escaping and the audit's character
// rules. Default_Ignorable_Code_Point is taken from Unicode 15.1
// DerivedCoreProperties.txt, bidi controls and marks from UAX #9.
#include "core/code_point_class.hpp"

#include <algorithm>
#include <array>

namespace stguard::detail {
namespace {

using Kind = CodePointClass;

constexpr std::array<CodePointRange, 43> kRanges{{
    {0x0000, 0x001F, Kind::control},
    {0x007F, 0x009F, Kind::control},
    {0x00AD, 0x00AD, Kind::ignorable},
    {0x034F, 0x034F, Kind::ignorable},
    {0x061C, 0x061C, Kind::bidi_mark},
    {0x115F, 0x1160, Kind::ignorable},
    {0x17B4, 0x17B5, Kind::ignorable},
    {0x180B, 0x180F, Kind::ignorable},
    {0x200B, 0x200D, Kind::ignorable},
    {0x200E, 0x200F, Kind::bidi_mark},
    {0x2028, 0x2029, Kind::separator},
    {0x202A, 0x202E, Kind::bidi_control},
    {0x2060, 0x2065, Kind::ignorable},
    {0x2066, 0x2069, Kind::bidi_control},
    {0x206A, 0x206F, Kind::ignorable},
    {0x3164, 0x3164, Kind::ignorable},
    {0xD800, 0xDFFF, Kind::surrogate},
    {0xFDD0, 0xFDEF, Kind::noncharacter},
    {0xFE00, 0xFE0F, Kind::ignorable},
    {0xFEFF, 0xFEFF, Kind::ignorable},
    {0xFFA0, 0xFFA0, Kind::ignorable},
    {0xFFF0, 0xFFF8, Kind::ignorable},
    {0xFFFE, 0xFFFF, Kind::noncharacter},
    {0x1BCA0, 0x1BCA3, Kind::ignorable},
    {0x1D173, 0x1D17A, Kind::ignorable},
    {0x1FFFE, 0x1FFFF, Kind::noncharacter},
    {0x2FFFE, 0x2FFFF, Kind::noncharacter},
    {0x3FFFE, 0x3FFFF, Kind::noncharacter},
    {0x4FFFE, 0x4FFFF, Kind::noncharacter},
    {0x5FFFE, 0x5FFFF, Kind::noncharacter},
    {0x6FFFE, 0x6FFFF, Kind::noncharacter},
    {0x7FFFE, 0x7FFFF, Kind::noncharacter},
    {0x8FFFE, 0x8FFFF, Kind::noncharacter},
    {0x9FFFE, 0x9FFFF, Kind::noncharacter},
    {0xAFFFE, 0xAFFFF, Kind::noncharacter},
    {0xBFFFE, 0xBFFFF, Kind::noncharacter},
    {0xCFFFE, 0xCFFFF, Kind::noncharacter},
    {0xDFFFE, 0xDFFFF, Kind::noncharacter},
    {0xE0000, 0xE007F, Kind::tag},
    {0xE0080, 0xE0FFF, Kind::ignorable},
    {0xEFFFE, 0xEFFFF, Kind::noncharacter},
    {0xFFFFE, 0xFFFFF, Kind::noncharacter},
    {0x10FFFE, 0x10FFFF, Kind::noncharacter},
}};

}  // namespace

std::span<const CodePointRange> code_point_ranges() noexcept { return kRanges; }

CodePointClass classify_code_point(char32_t code_point) noexcept {
  if (code_point >= 0x20 && code_point < 0x7F) return Kind::printable;
  if (code_point > 0x10FFFF) return Kind::surrogate;
  // The last range starting at or before the code point.
  const auto after = std::upper_bound(kRanges.begin(), kRanges.end(), code_point,
                                      [](char32_t cp, const CodePointRange& range) { return cp < range.first; });
  if (after == kRanges.begin()) return Kind::printable;
  const CodePointRange& range = *(after - 1);
  return code_point <= range.last ? range.kind : Kind::printable;
}

}  // namespace stguard::detail
