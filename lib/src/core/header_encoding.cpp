// The encoding step (header_encoding.hpp): UTF-8, the first byte, the padding.
#include "core/header_encoding.hpp"

#include "core/json_tokenizer.hpp"
#include "core/utf8.hpp"

namespace stguard::detail {

Result<HeaderEncoding> check_header_encoding(ByteCursor header, std::uint64_t base_offset, bool strict) noexcept {
  try {
    if (const auto bad = find_invalid_utf8(header)) {
      return make_error(ErrorCode::invalid_utf8, "invalid UTF-8 in the header", base_offset + *bad);
    }
    HeaderEncoding encoding;
    std::uint8_t first = 0;
    // Anything else the first byte may be wrong with is the JSON layer's to report.
    if (header.peek_u8(first) && is_json_whitespace(first)) {
      Error error = make_error(ErrorCode::header_not_object_start,
                               "the header starts with whitespace instead of '{'", base_offset);
      if (strict) return error;
      encoding.leading_whitespace = std::move(error);
    }
    std::size_t padding_start = header.size();
    std::uint8_t byte = 0;
    while (padding_start > 0 && header.peek_u8_at(padding_start - 1, byte) && is_json_whitespace(byte)) {
      --padding_start;
    }
    for (std::size_t at = padding_start; header.peek_u8_at(at, byte); ++at) {
      if (byte != 0x20) {
        encoding.non_space_padding = make_error(ErrorCode::padding_not_spaces,
                                                "header padding contains a byte other than 0x20 (space)",
                                                base_offset + at);
        break;
      }
    }
    return encoding;
  } catch (...) {
    return error_for_current_exception();
  }
}

}  // namespace stguard::detail
