// The one table of code points that must never reach a terminal or a log
// raw: what display escaping (escape.hpp) escapes and what the audit's
// deceptive-character rules (audit/src/text_scan.cpp) count. Kept here, in
// the core library, so both share one source of truth without the core
// depending on a Unicode library.
#pragma once

#include <cstdint>
#include <span>

namespace stguard::detail {

enum class CodePointClass : std::uint8_t {
  printable,      // everything not listed below
  control,        // C0 U+0000..U+001F, DEL U+007F, C1 U+0080..U+009F
  bidi_mark,      // U+061C, U+200E, U+200F
  bidi_control,   // embeddings, overrides, isolates: U+202A..U+202E, U+2066..U+2069
  tag,            // tag characters U+E0000..U+E007F
  ignorable,      // the rest of Default_Ignorable_Code_Point (Unicode 15.1 DerivedCoreProperties)
  separator,      // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
  noncharacter,   // U+FDD0..U+FDEF and U+xFFFE, U+xFFFF in every plane
  surrogate,      // U+D800..U+DFFF (never valid in UTF-8)
};

struct CodePointRange {
  char32_t first;
  char32_t last;
  CodePointClass kind;
};

// The ranges that are not printable, sorted and disjoint; anything outside
// them (up to U+10FFFF) is printable.
[[nodiscard]] std::span<const CodePointRange> code_point_ranges() noexcept;

// The class of one code point (binary search; ASCII without one). Values
// above U+10FFFF are not code points: classed as surrogate-like invalid.
[[nodiscard]] CodePointClass classify_code_point(char32_t code_point) noexcept;

}  // namespace stguard::detail
