// Glob matching for the directory walk (path_pattern.hpp). Iterative with one
// backtrack point per '*' and per "**", so a hostile pattern costs at most
// O(pattern x path) steps: no recursion, no exponential blow-up.
#include "common/path_pattern.hpp"

#include <cstddef>

namespace stguard::cli {
namespace {

// Matches a bracket set starting at pattern[p] == '['; returns the index
// after ']' and whether `c` is in it. The set was checked by parse().
std::size_t match_set(std::string_view pattern, std::size_t p, char c, bool& in_set) {
  ++p;  // '['
  bool negated = false;
  if (p < pattern.size() && (pattern[p] == '!' || pattern[p] == '^')) {
    negated = true;
    ++p;
  }
  bool found = false;
  bool first = true;
  while (p < pattern.size() && (first || pattern[p] != ']')) {
    first = false;
    char low = pattern[p];
    if (low == '\\' && p + 1 < pattern.size()) low = pattern[++p];
    char high = low;
    if (p + 2 < pattern.size() && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
      high = pattern[p + 2];
      if (high == '\\' && p + 3 < pattern.size()) high = pattern[++p + 2];
      p += 2;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= static_cast<unsigned char>(low) && u <= static_cast<unsigned char>(high)) found = true;
    ++p;
  }
  in_set = c != '/' && found != negated;
  return p + 1;  // past ']'
}

// One segment-free glob step machine over the whole string; "**" segments
// may cross '/', '*' and '?' may not.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  // Backtrack point of the last '*' (cannot cross '/') and of the last "**".
  std::size_t star_p = std::string_view::npos;
  std::size_t star_t = 0;
  std::size_t globstar_p = std::string_view::npos;
  std::size_t globstar_t = 0;
  while (true) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      const bool segment_start = p == 0 || pattern[p - 1] == '/';
      if (c == '*' && p + 1 < pattern.size() && pattern[p + 1] == '*' && segment_start &&
          (p + 2 == pattern.size() || pattern[p + 2] == '/')) {
        // "**/" matches zero or more whole segments; a final "**" everything left.
        if (p + 2 == pattern.size()) return true;
        globstar_p = p + 3;
        globstar_t = t;
        star_p = std::string_view::npos;
        p += 3;
        continue;
      }
      if (c == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      if (t < text.size()) {
        if (c == '?' && text[t] != '/') {
          ++p;
          ++t;
          continue;
        }
        if (c == '[') {
          bool in_set = false;
          const std::size_t next = match_set(pattern, p, text[t], in_set);
          if (in_set) {
            p = next;
            ++t;
            continue;
          }
        } else if (c == '\\' && p + 1 < pattern.size()) {
          if (pattern[p + 1] == text[t]) {
            p += 2;
            ++t;
            continue;
          }
        } else if (c != '?' && c == text[t]) {
          ++p;
          ++t;
          continue;
        }
      }
    } else if (t == text.size()) {
      return true;
    }
    // Mismatch: let the last '*' take one more character (not a '/'), else
    // let the last "**" take one more segment.
    if (star_p != std::string_view::npos && star_t < text.size() && text[star_t] != '/') {
      p = star_p;
      t = ++star_t;
      continue;
    }
    if (globstar_p != std::string_view::npos) {
      const std::size_t slash = text.find('/', globstar_t);
      if (slash == std::string_view::npos) return false;
      globstar_t = slash + 1;
      p = globstar_p;
      t = globstar_t;
      star_p = std::string_view::npos;
      continue;
    }
    return false;
  }
}

}  // namespace

std::optional<PathPattern> PathPattern::parse(std::string_view text, std::string* problem) {
  auto refuse = [&](const char* why) -> std::optional<PathPattern> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  if (text.empty()) return refuse("an empty pattern");
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (i + 1 == text.size()) return refuse("a trailing '\\'");
      ++i;
    } else if (text[i] == '[') {
      std::size_t j = i + 1;
      if (j < text.size() && (text[j] == '!' || text[j] == '^')) ++j;
      if (j < text.size() && text[j] == ']') ++j;  // a leading ']' is a member
      while (j < text.size() && text[j] != ']') j += text[j] == '\\' ? 2U : 1U;
      if (j >= text.size()) return refuse("an unterminated '['");
      i = j;
    }
  }
  std::string body(text);
  while (body.size() > 1 && body.back() == '/') body.pop_back();  // "dir/" names the folder
  const bool anchored = body.front() == '/';
  if (anchored) body.erase(0, body.find_first_not_of('/'));
  if (body.empty()) return refuse("a pattern of only '/'");
  const bool whole_path = anchored || body.find('/') != std::string::npos;
  return PathPattern(std::string(text), std::move(body), whole_path);
}

bool PathPattern::matches(std::string_view relative_path) const {
  if (whole_path_) return glob_match(body_, relative_path);
  const std::size_t slash = relative_path.rfind('/');
  return glob_match(body_, slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1));
}

}  // namespace stguard::cli
