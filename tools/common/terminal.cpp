// Terminal and colour detection (https://no-color.org semantics for NO_COLOR).
#include "common/terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace stguard::cli {

bool is_terminal(int fd) noexcept { return ::isatty(fd) == 1; }

bool colour_enabled(int fd) noexcept {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return is_terminal(fd);
}

std::string Palette::paint(Style style, std::string_view text) const {
  const char* code = nullptr;
  switch (style) {
    case Style::none: break;
    case Style::bold: code = "1"; break;
    case Style::dim: code = "2"; break;
    case Style::red: code = "31"; break;
    case Style::yellow: code = "33"; break;
    case Style::cyan: code = "36"; break;
    case Style::green: code = "32"; break;
    case Style::bold_red: code = "1;31"; break;
  }
  if (!enabled_ || code == nullptr) return std::string(text);
  return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace stguard::cli
