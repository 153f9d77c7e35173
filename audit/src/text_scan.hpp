// Unicode helpers for the name and metadata rules: walking code points (with
// the core's decoder, core/utf8.hpp),
// the character classes that deceive readers (bidirectional controls,
// invisible characters: the core library's table), and NFC normalisation
// through utf8proc.
//
// Inputs are decoded header strings: valid UTF-8 (the validator checked the
// header) but still untrusted, so every walk goes through a ByteCursor and
// stops at the first malformed sequence instead of trusting it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stguard/cursor.hpp"
#include "stguard/escape.hpp"

namespace stguard::audit::detail {

// Decodes the next code point; false at the end or on malformed UTF-8.
[[nodiscard]] bool next_code_point(ByteCursor& cursor, char32_t& code_point) noexcept;

// The one classification of deceptive characters that the name, key and
// metadata-value rules share.
enum class DeceptiveClass : std::uint8_t {
  none,
  bidi_mark,     // U+061C, U+200E, U+200F: direction marks (in right-to-left prose)
  bidi_control,  // U+202A..U+202E, U+2066..U+2069: embeddings, overrides, isolates
  tag,           // U+E0000..U+E007F: tag characters (hidden ASCII)
  invisible,     // zero-width and other Default_Ignorable code points, U+2028, U+2029
};
[[nodiscard]] DeceptiveClass classify_deceptive(char32_t code_point) noexcept;

// bidi_mark or bidi_control.
[[nodiscard]] bool is_bidi_control(char32_t code_point) noexcept;
// tag or invisible: the Default_Ignorable_Code_Point property (the core
// library's table, lib/src/core/code_point_class.hpp), which covers U+00AD,
// U+034F, U+115F, U+1160, U+180B..U+180F, U+200B..U+200D,
// U+2060..U+206F, U+3164, U+FE00..U+FE0F, U+FEFF, U+FFA0, tags and
// variation selectors U+E0000..U+E0FFF, plus U+2028 and U+2029.
[[nodiscard]] bool is_invisible(char32_t code_point) noexcept;

// Deceptive characters found in one text, by class.
struct DeceptiveCharacters {
  std::size_t count = 0;
  std::string labels;  // distinct code points, at most a few
  std::size_t distinct = 0;
};
struct DeceptiveScan {
  DeceptiveCharacters bidi_marks;
  DeceptiveCharacters bidi_controls;
  DeceptiveCharacters tags;
  DeceptiveCharacters invisible;
};
// Walks `text` once (ASCII without a decoder call: values can be megabytes).
// Tags inside an emoji flag sequence (U+1F3F4 ... U+E007F) count as invisible,
// not as tags: they spell a flag.
[[nodiscard]] DeceptiveScan scan_deceptive(std::string_view text);

// `text` with every non-ASCII or non-printable character as \u{...}, cut
// after about 200 bytes, so two strings that look the same show their difference.
[[nodiscard]] std::string code_point_form(std::string_view text);

// "U+202E".
[[nodiscard]] std::string code_point_label(char32_t code_point);

// The NFC form of `text` (utf8proc, stable composition); nullopt when the
// text is not valid UTF-8 or memory runs out. ASCII is returned as is.
[[nodiscard]] std::optional<std::string> nfc(std::string_view text);

// The library's one excerpt rule (escape.hpp), for the rules' messages.
using stguard::display_excerpt;

}  // namespace stguard::audit::detail
