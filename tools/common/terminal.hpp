// Terminal detection for tool output: whether a stream is a terminal, and
// whether colour may be used on it (a terminal, NO_COLOR unset or empty, TERM
// not "dumb"). Output that goes to a pipe or a file never gets escape codes.
#pragma once

#include <string>
#include <string_view>

namespace stguard::cli {

[[nodiscard]] bool is_terminal(int fd) noexcept;
[[nodiscard]] bool colour_enabled(int fd) noexcept;

// ANSI SGR colours; Style::none writes nothing, so callers colour unconditionally
// through a Palette and get plain text when colour is off.
enum class Style { none, bold, dim, red, yellow, cyan, green, bold_red };

class Palette {
 public:
  explicit Palette(bool enabled) noexcept : enabled_(enabled) {}
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  // `text` wrapped in the style's escape codes (or as is when disabled).
  [[nodiscard]] std::string paint(Style style, std::string_view text) const;

 private:
  bool enabled_;
};

}  // namespace stguard::cli
