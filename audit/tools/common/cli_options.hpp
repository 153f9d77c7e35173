// Command-line flags every validating tool shares: --profile and the limit
// flags of docs/profiles.md#limits, turned into stguard::Options. Also the one place that
// maps CLI11's parse outcomes onto the tools' exit statuses.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "stguard/options.hpp"

namespace stguard::cli {

struct ProfileFlags {
  std::string profile = "strict";
  std::optional<std::uint64_t> max_header_bytes;
  std::optional<std::uint64_t> max_tensors;
  std::optional<std::uint64_t> max_rank;
  std::optional<std::uint64_t> max_name_bytes;
  std::optional<std::uint64_t> max_integer;
  std::optional<std::uint64_t> max_depth;

  // Registers --profile and the --max-* flags on `app`.
  void add_to(CLI::App& app);
  // The profile's defaults with any --max-* flags applied.
  [[nodiscard]] Options options() const;
};

// Text for --help describing profiles, limits and exit statuses.
[[nodiscard]] std::string profiles_help_text();

// Parses argv. Returns an exit status when the program should stop now
// (--help printed: 0; bad usage: 2, message on stderr), nullopt to continue.
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace stguard::cli
