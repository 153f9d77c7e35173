// Markers of Python source and shell commands (see script_scan.hpp). Each
// marker is searched once over the text, so the cost is linear in the text
// times the (fixed) number of markers.
#include "script_scan.hpp"

#include <array>

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kPython = "Python source";
constexpr std::string_view kShell = "shell command";

// Found anywhere (not glued to a longer name): no prose or path contains these.
constexpr std::array kPythonAnywhere{
    "__import__("sv, "__import__ ("sv, "__builtins__"sv, "__globals__"sv, "__subclasses__("sv, "os.system("sv,
    "os.popen("sv, "os.exec"sv, "subprocess.Popen("sv, "subprocess.run("sv, "subprocess.call("sv,
    "subprocess.check_output("sv, "subprocess.getoutput("sv, "pty.spawn("sv, "socket.socket("sv,
    "pickle.loads("sv, "marshal.loads("sv, "base64.b64decode("sv, "importlib.import_module("sv,
};
// At the start of the text or of a statement (after a newline or ';').
constexpr std::array kPythonStatement{
    "import os"sv, "import subprocess"sv, "import socket"sv, "import pty"sv, "import sys"sv, "import builtins"sv,
    "import ctypes"sv, "from os import"sv, "from subprocess import"sv, "from builtins import"sv,
};
constexpr std::array kShellAnywhere{
    "/bin/sh"sv, "/bin/bash"sv, "/bin/zsh"sv, "/dev/tcp/"sv, "bash -c "sv, "bash -i"sv, "sh -c "sv, "| sh"sv,
    "|sh"sv, "| bash"sv, "|bash"sv, "rm -rf /"sv, "rm -rf ~"sv, "chmod +x "sv, "nc -e "sv, "ncat -e "sv,
    "mkfifo "sv, "base64 -d |"sv, "python -c "sv, "python3 -c "sv, "perl -e "sv, "powershell -e"sv,
    "powershell.exe"sv, "cmd.exe /c"sv, "cmd /c "sv, "; curl "sv, "&& curl "sv, "; wget "sv, "&& wget "sv,
};

bool is_identifier_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// `marker` where its letter-edges are not glued to more letters: "| sh" but
// not "| shape", "/bin/sh" but not "/bin/shared". `whole_word_end` is off for
// prefixes meant to match longer names ("os.exec" for execv, execl, ...).
std::optional<std::size_t> find_marker(std::string_view text, std::string_view marker, bool whole_word_end) noexcept {
  const bool check_before = is_identifier_char(marker.front());
  const bool check_after = whole_word_end && is_identifier_char(marker.back());
  for (std::size_t at = text.find(marker); at != std::string_view::npos; at = text.find(marker, at + 1)) {
    const std::size_t after = at + marker.size();
    if (check_before && at > 0 && is_identifier_char(text[at - 1])) continue;
    if (check_after && after < text.size() && is_identifier_char(text[after])) continue;
    return at;
  }
  return std::nullopt;
}

bool starts_statement(std::string_view text, std::size_t at) noexcept {
  while (at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t')) --at;
  return at == 0 || text[at - 1] == '\n' || text[at - 1] == ';' || text[at - 1] == '\r';
}

// exec(...) / eval(...) as a function call: not a method (model.eval()),
// not part of a longer name, not empty parentheses.
std::optional<std::size_t> find_builtin_call(std::string_view text, std::string_view call) noexcept {
  std::size_t at = text.find(call);
  while (at != std::string_view::npos) {
    const bool standalone = at == 0 || (!is_identifier_char(text[at - 1]) && text[at - 1] != '.');
    const std::size_t after = at + call.size();
    const bool has_argument = after < text.size() && text[after] != ')';
    if (standalone && has_argument) return at;
    at = text.find(call, at + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<ScriptMatch> find_script(std::string_view text) noexcept {
  for (const std::string_view marker : kPythonAnywhere) {
    if (const auto at = find_marker(text, marker, false)) return ScriptMatch{kPython, marker, *at};
  }
  for (const std::string_view call : {"exec("sv, "eval("sv}) {
    if (const auto at = find_builtin_call(text, call)) return ScriptMatch{kPython, call, *at};
  }
  for (const std::string_view marker : kPythonStatement) {
    std::size_t at = text.find(marker);
    while (at != std::string_view::npos) {
      const std::size_t after = at + marker.size();
      const bool whole_word = after == text.size() || !is_identifier_char(text[after]);
      if (whole_word && starts_statement(text, at)) return ScriptMatch{kPython, marker, at};
      at = text.find(marker, at + 1);
    }
  }
  for (const std::string_view marker : kShellAnywhere) {
    if (const auto at = find_marker(text, marker, true)) return ScriptMatch{kShell, marker, *at};
  }
  // $(command): shell command substitution (OmegaConf uses ${...}).
  // One search for the last ')': "$($($(..." stays linear.
  const std::size_t last_close = text.rfind(')');
  for (std::size_t at = text.find("$("); at != std::string_view::npos; at = text.find("$(", at + 2)) {
    if (last_close != std::string_view::npos && last_close > at + 2 && is_identifier_char(text[at + 2])) {
      return ScriptMatch{kShell, "$("sv, at};
    }
  }
  return std::nullopt;
}

}  // namespace stguard::audit::detail
