// Runs a built command-line tool (from STGUARD_BIN_DIR) with arguments and
// optional standard input, capturing its exit status, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace stguard::test {

struct ToolResult {
  int exit_status = -1;  // 128 + signal number if it died from a signal
  std::string out;
  std::string err;
};

[[nodiscard]] std::string tool_path(const std::string& tool);
// The argv of an execv of `path` with `args`: pointers into those strings
// (which must outlive it), then NULL.
[[nodiscard]] std::vector<char*> exec_argv(const std::string& path, const std::vector<std::string>& args);
// stdin_data is written through a pipe (so the tool sees a stream, not a file).
[[nodiscard]] ToolResult run_tool(const std::string& tool, const std::vector<std::string>& args,
                                  const std::string& stdin_data = {});
// stdin redirected from a regular file.
[[nodiscard]] ToolResult run_tool_with_stdin_file(const std::string& tool, const std::vector<std::string>& args,
                                                  const std::string& stdin_path);

}  // namespace stguard::test
