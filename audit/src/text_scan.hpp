// Unicode helpers for the name and metadata rules: walking code points,
// the character classes that deceive readers (bidirectional controls,
// invisible characters), and NFC normalisation through utf8proc.
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

namespace stguard::audit::detail {

// Decodes the next code point; false at the end or on malformed UTF-8.
[[nodiscard]] bool next_code_point(ByteCursor& cursor, char32_t& code_point) noexcept;

// U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069.
[[nodiscard]] bool is_bidi_control(char32_t code_point) noexcept;
// Zero-width and otherwise invisible characters: U+00AD, U+034F, U+115F,
// U+1160, U+180E, U+200B..U+200D, U+2028, U+2029, U+2060..U+2064, U+3164,
// U+FE00..U+FE0F, U+FEFF, U+FFA0, tags U+E0000..U+E007F, U+E0100..U+E01EF.
[[nodiscard]] bool is_invisible(char32_t code_point) noexcept;

// "U+202E".
[[nodiscard]] std::string code_point_label(char32_t code_point);

// The NFC form of `text` (utf8proc, stable composition); nullopt when the
// text is not valid UTF-8 or memory runs out. ASCII is returned as is.
[[nodiscard]] std::optional<std::string> nfc(std::string_view text);

// `text` escaped for display and cut to about `max_bytes` (with "..." when cut).
[[nodiscard]] std::string display_excerpt(std::string_view text, std::size_t max_bytes = 80);

}  // namespace stguard::audit::detail
