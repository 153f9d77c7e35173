// Escaping of untrusted strings (tensor names, metadata, paths) for display,
// so that no control character, escape sequence or bidirectional override
// from a file reaches a terminal or a log line.
#pragma once

#include <string>
#include <string_view>

namespace stguard {

// Printable ASCII is kept except '\\' (escaped as "\\\\"); C0/C1 controls,
// DEL, invalid UTF-8 bytes, and the Unicode format characters that reorder or
// hide text (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+FEFF, U+061C,
// U+2028, U+2029) are written as \xNN or \u{NNNN}. Other valid UTF-8 is kept.
[[nodiscard]] std::string escape_for_display(std::string_view text);

// JSON string body (without quotes) per RFC 8259, always valid UTF-8: invalid
// bytes become \u00NN of their byte value so paths from the filesystem survive.
[[nodiscard]] std::string escape_json(std::string_view text);

}  // namespace stguard
