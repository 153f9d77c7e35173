// The encoding step: what the format asks of the N header bytes as bytes,
// before the JSON layer sees them as text (docs/format.md, "Header encoding"
// and "Whitespace and padding"): strict UTF-8 over all N bytes, the first
// byte '{' and padding of 0x20 only. The last two are strict's written rule;
// compat accepts any JSON whitespace there, as the reference does. So the
// JSON layer below is plain RFC 8259 (whitespace allowed around the value).
#pragma once

#include <cstdint>
#include <optional>

#include "stguard/cursor.hpp"
#include "stguard/error.hpp"

namespace stguard::detail {

// The strict-only rules a header breaks, each as the error strict reports.
struct HeaderEncoding {
  std::optional<Error> leading_whitespace;  // JSON whitespace before the '{'
  std::optional<Error> non_space_padding;   // a tab, CR or LF after the '}'
};

// Checks the UTF-8 of `header` (an error in both profiles) and its first byte
// (an error in strict, where the JSON layer is never reached). The padding
// is the run of JSON whitespace that ends the bytes; its first byte other
// than 0x20 is returned, not reported: an error in the JSON before it comes
// first, so the caller applies it once the JSON layer has accepted the text
// (which then ended exactly where that run starts). `base_offset` is the
// file offset of the header's first byte.
[[nodiscard]] Result<HeaderEncoding> check_header_encoding(ByteCursor header, std::uint64_t base_offset,
                                                           bool strict) noexcept;

}  // namespace stguard::detail
