// The flags of the tools that take directory operands (st-validate,
// st-audit): --include and --exclude (repository_walk.hpp, path_pattern.hpp)
// and --base, the folder that CI output paths are relative to
// (artifact_path.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/repository_walk.hpp"

namespace stguard::cli {

struct WalkFlags {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string base;

  void add_to(CLI::App& app);
  // The parsed patterns into `options`; an error message for a bad one.
  [[nodiscard]] std::optional<std::string> patterns(WalkOptions& options) const;
};

// The one help paragraph on directory operands, shared by the tools.
[[nodiscard]] std::string directory_operands_help();

}  // namespace stguard::cli
