// Strict UTF-8 (Unicode 15, table 3-7): no overlong forms, no encoded
// surrogates, nothing above U+10FFFF. Used for the whole header (padding
// included, as the reference does) before any JSON parsing, so every string
// the parser later hands out is valid UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "stguard/cursor.hpp"

namespace stguard::detail {

// Position (relative to the cursor's start) of the first byte of the first
// invalid sequence, or nullopt when all of the cursor's bytes are valid.
[[nodiscard]] std::optional<std::size_t> find_invalid_utf8(ByteCursor cursor) noexcept;

// The same check over a string: true when all of `text` is strict UTF-8.
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

// Decodes one code point at the cursor. On an invalid or truncated sequence
// it consumes one byte and returns false.
[[nodiscard]] bool decode_utf8(ByteCursor& cursor, char32_t& code_point) noexcept;

// Appends the UTF-8 form of a code point (U+0000..U+10FFFF; a surrogate is
// encoded as its three bytes, which decode_utf8 then refuses).
void append_utf8(std::string& out, char32_t code_point);

}  // namespace stguard::detail
