// The character rule strict applies to tensor names and metadata keys, shared
// by the validator (header_schema.cpp) and the writer (writer_layout.cpp) so
// that the writer refuses exactly what strict rejects.
#pragma once

#include <cstddef>
#include <string_view>

namespace stguard::detail {

// C0 controls, DEL and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F).
[[nodiscard]] inline bool has_control_character(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    if (byte == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace stguard::detail
