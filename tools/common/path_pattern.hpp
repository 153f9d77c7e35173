// The --include / --exclude patterns of the directory walk (docs/ci.md,
// "Choosing the files"): globs over '/'-separated paths relative to the
// walked directory, in the spirit of .gitignore:
//   *      any run of characters except '/'
//   ?      one character except '/'
//   [abc] [a-z] [!a-z] [^a-z]   one character of (or not of) a set, never '/'
//   **     as a whole segment ("**/x", "a/**", "a/**/b"): zero or more segments
//   \c     the character c itself
// A pattern without '/' is matched against the last segment (the file or
// folder name) at any depth; one with a '/' against the whole relative path
// (a leading '/' only anchors it). Matching is bytewise and case-sensitive.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stguard::cli {

class PathPattern {
 public:
  // The pattern, or why it is not one (an unterminated '[', a trailing '\').
  [[nodiscard]] static std::optional<PathPattern> parse(std::string_view text, std::string* problem = nullptr);

  // `relative_path`: no leading "./" or '/', segments joined by '/'.
  [[nodiscard]] bool matches(std::string_view relative_path) const;
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  PathPattern(std::string text, std::string body, bool whole_path)
      : text_(std::move(text)), body_(std::move(body)), whole_path_(whole_path) {}

  std::string text_;  // as given
  std::string body_;  // without the anchoring '/'
  bool whole_path_;
};

}  // namespace stguard::cli
