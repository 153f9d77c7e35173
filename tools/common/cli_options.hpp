// Command-line flags every validating tool shares: --profile and the limit
// flags of docs/profiles.md#limits, turned into stguard::Options. Also the one place that
// maps CLI11's parse outcomes onto the tools' exit statuses.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/options.hpp"

namespace stguard::cli {

struct ProfileFlags {
  std::string profile = "strict";
  // One --max-* flag per row of stguard::kLimitTable, in its order.
  std::array<std::optional<std::uint64_t>, kLimitTable.size()> limits;

  // Registers --profile and the --max-* flags on `app`.
  void add_to(CLI::App& app);
  // The profile's defaults with any --max-* flags applied.
  [[nodiscard]] Options options() const;
};

// Text for --help describing the profiles (marking `default_profile`) and
// the limits.
[[nodiscard]] std::string profiles_help_text(std::string_view default_profile = "strict");

// The one exit-status text of every tool's --help: the same three meanings
// in the same words (exit_codes.hpp), each with what it means for this tool:
// `ok` (exit 0), `invalid` (1), and what "could not be read" covers (2).
[[nodiscard]] std::string exit_status_help(std::string_view ok, std::string_view invalid,
                                           std::string_view unreadable = "a file could not be read");

// Parses argv. Returns an exit status when the program should stop now
// (--help printed: 0; bad usage: 2, message on stderr), nullopt to continue.
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// "-" (standard input) among a tool's input operands. A tool that reads
// standard input passes reads_stdin = true: "-" may then be named at most
// once (a stream can be read only once). A tool that cannot read it (it needs
// to seek, map or reopen its input) passes false and "-" is refused. Either
// refusal is a usage error: the message on stderr, and exit status 2
// returned; nullopt when the operands are fine.
[[nodiscard]] std::optional<int> check_stdin_operands(std::string_view tool, const std::vector<std::string>& operands,
                                                      bool reads_stdin);

}  // namespace stguard::cli
