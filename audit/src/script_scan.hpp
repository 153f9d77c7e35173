// Python source and shell commands in config string leaves: the text a
// config hands to `builtins.exec`, `os.system` or `subprocess` arguments.
// Reported by the config rules under STG-META-003 (the foreign-payload rule),
// with the leaf's path. Only strong markers count, so ordinary prose ("call
// model.eval() first", a Markdown snippet) is not a script.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace stguard::audit::detail {

struct ScriptMatch {
  std::string_view language;  // "Python source" or "shell command"
  std::string_view marker;    // what matched, e.g. "__import__("
  std::size_t position = 0;   // byte offset in the text
};

[[nodiscard]] std::optional<ScriptMatch> find_script(std::string_view text) noexcept;

}  // namespace stguard::audit::detail
