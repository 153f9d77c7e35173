// Escaping of untrusted strings (tensor names, metadata, paths, messages) for
// display, so that no control character, escape sequence, bidirectional
// override or invisible character from a file reaches a terminal or a log
// line, and for JSON output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stguard {

// The one display rule. Printable text is kept as is; these are escaped:
//   - invalid UTF-8 bytes (including encoded surrogates): \xNN, byte by byte;
//   - C0 controls and DEL: \xNN; C1 controls U+0080..U+009F: \u{80}..\u{9f};
//   - bidi controls and marks (U+061C, U+200E, U+200F, U+202A..U+202E,
//     U+2066..U+2069), every Default_Ignorable_Code_Point (U+00AD, U+034F,
//     U+115F, U+1160, U+17B4, U+17B5, U+180B..U+180F, U+200B..U+200F,
//     U+2060..U+206F, U+3164, U+FE00..U+FE0F, U+FEFF, U+FFA0, U+FFF0..U+FFF8,
//     U+1BCA0..U+1BCA3, U+1D173..U+1D17A, U+E0000..U+E0FFF, tag characters
//     included), the non-characters (U+FDD0..U+FDEF, U+xFFFE and U+xFFFF in
//     every plane) and U+2028, U+2029: \u{hex};
//   - the backslash itself: "\\\\", so every escape in the output is unambiguous.
[[nodiscard]] std::string escape_for_display(std::string_view text);

// For text that is already built from escaped parts (error and finding
// messages, evidence): the same rule, except that a backslash is kept, so
// escapes already in the text are not doubled. A guard: a raw character of
// the classes above that slipped into a message still cannot reach a terminal.
[[nodiscard]] std::string guard_escaped_for_display(std::string_view already_escaped);

// The longest part of one untrusted string quoted in a message.
inline constexpr std::size_t kQuotedDisplayBytes = 128;

// `text` escaped for display, cut on a code point boundary to at most about
// `max_bytes` bytes of the original (with "..." when cut).
[[nodiscard]] std::string display_excerpt(std::string_view text, std::size_t max_bytes = kQuotedDisplayBytes);

// "\"" + display_excerpt(text, kQuotedDisplayBytes) + "\"": how every message
// of the library and the tools quotes a tensor name, key, shard or path.
[[nodiscard]] std::string quote_for_display(std::string_view text);

// JSON string body (without quotes) per RFC 8259, always valid UTF-8 and
// free of raw invisible characters: '"', '\\' and C0 controls as JSON
// requires, and every code point that display escaping escapes (DEL, C1,
// bidi, Default_Ignorable, non-characters, U+2028, U+2029) as \uXXXX (a
// surrogate pair above U+FFFF). Invalid bytes become \u00NN of their byte
// value, so paths from the filesystem survive.
[[nodiscard]] std::string escape_json(std::string_view text);

}  // namespace stguard
