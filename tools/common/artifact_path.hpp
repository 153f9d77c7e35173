// Paths as CI systems want them: relative to the repository root (--base,
// default the working directory), so that GitHub can place an annotation or
// a code-scanning alert on the file, and so that a finding keeps the same
// fingerprint whichever folder the tool was started from. Purely lexical:
// "." and ".." are folded, symbolic links are not resolved (an alert belongs
// to the path in the repository, not to where a link points).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stguard::cli {

class ArtifactBase {
 public:
  // `base` empty: the working directory.
  explicit ArtifactBase(const std::string& base = {});

  // The absolute, folded base folder, without a trailing '/' ("/" itself aside).
  [[nodiscard]] const std::string& absolute() const noexcept { return absolute_; }
  // `path` relative to the base ("models/a.safetensors"), or nullopt when it
  // lies outside it.
  [[nodiscard]] std::optional<std::string> relative(std::string_view path) const;
  // relative(path) when inside the base, else the absolute folded path.
  [[nodiscard]] std::string repository_path(std::string_view path) const;

 private:
  std::string absolute_;
};

// `path` made absolute against the working directory, "." and ".." folded.
[[nodiscard]] std::string absolute_folded(std::string_view path);

}  // namespace stguard::cli
