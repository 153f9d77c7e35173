// st-inspect as users and scripts run it: --dump returns exactly the bytes
// written for every tensor of generated files (all dtypes, scalars, zero-size,
// odd offsets), --slice matches the library, the table and JSON listings
// escape untrusted text, invalid files are refused with st-validate's text and
// exit status, and binary output handles a closed pipe and refuses a terminal.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "reader_fixtures.hpp"
#include "stguard/reader.hpp"
#include "support/run_tool.hpp"

using namespace stguard::test;
using stguard::Dtype;

namespace {

const std::string kTool = "st-inspect";

bool has_raw_control(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7F) return true;
  }
  return false;
}

// Runs the tool with stdout connected to `stdout_fd` (a pipe or a terminal)
// and returns its wait status; `while_running` gets the child's pid.
template <typename WhileRunning>
int run_with_stdout(const std::vector<std::string>& args, int stdout_fd, WhileRunning while_running) {
  const std::string path = tool_path(kTool);
  std::vector<char*> argv = exec_argv(path, args);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(stdout_fd, STDOUT_FILENO);
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    ::signal(SIGPIPE, SIG_DFL);  // as from a shell: the tool must ignore it itself
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  while_running(pid);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("st-inspect --dump returns exactly the bytes written, for every tensor", "[cli][inspect]") {
  TempDir dir;
  for (const std::size_t padding : {0, 1}) {
    const BuiltFile built = build_file(every_kind_of_tensor(), {{"format", "pt"}}, padding);
    const auto path = dir.write("all.safetensors", built.bytes).string();
    for (const std::string& name : built.names) {
      INFO("tensor " << name << ", header padding " << padding);
      const ToolResult result = run_tool(kTool, {"--dump", name, path});
      CHECK(result.exit_status == 0);
      CHECK(result.err.empty());
      CHECK(as_bytes(result.out) == built.expected.at(name));
    }
    // The same through standard input when it is a regular file.
    const ToolResult from_stdin = run_tool_with_stdin_file(kTool, {"--dump", "t_C64", "-"}, path);
    CHECK(from_stdin.exit_status == 0);
    CHECK(as_bytes(from_stdin.out) == built.expected.at("t_C64"));
  }
}

TEST_CASE("st-inspect --slice writes the slice's bytes and reports slice errors", "[cli][inspect]") {
  TempDir dir;
  const BuiltFile built = build_file({{"lead", Dtype::U8, {1}}, {"m", Dtype::I16, {4, 3}}, {"q", Dtype::F4, {4, 2}}});
  const auto path = dir.write("slice.safetensors", built.bytes).string();
  const Bytes& m = built.expected.at("m");

  ToolResult result = run_tool(kTool, {"--slice", "m", "1:4,2", path});
  CHECK(result.exit_status == 0);
  CHECK(as_bytes(result.out) == Bytes{m[10], m[11], m[16], m[17], m[22], m[23]});
  result = run_tool(kTool, {"--slice", "m", ":", path});
  CHECK(as_bytes(result.out) == m);
  result = run_tool(kTool, {"--slice", "m", "2:2", path});
  CHECK(result.exit_status == 0);
  CHECK(result.out.empty());

  struct Bad {
    std::string tensor, spec, code;
  };
  for (const Bad& bad : {Bad{"m", "3:1", "SLICE_STOP_BEFORE_START"}, Bad{"m", "0:5", "SLICE_OUT_OF_RANGE"},
                         Bad{"m", "1,1,1", "SLICE_TOO_MANY_INDICES"}, Bad{"m", "1:2:3", "SLICE_SYNTAX"},
                         Bad{"q", ":,1", "SLICE_NOT_BYTE_ALIGNED"}, Bad{"nope", ":", "TENSOR_NOT_FOUND"}}) {
    INFO("spec " << bad.spec);
    result = run_tool(kTool, {"--slice", bad.tensor, bad.spec, path});
    CHECK(result.exit_status == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find(path + ": ERROR [" + bad.code + "]") == 0);
  }
}

TEST_CASE("st-inspect lists tensors and metadata as an escaped table", "[cli][inspect]") {
  TempDir dir;
  const std::string header = R"({"__metadata__":{"format":"pt","note":"red\u001b[31m\nline"},"w":)" +
                             tensor_json("F32", {2, 3}, 0, 24) + R"(,"b\u202eid":)" + tensor_json("U8", {3}, 24, 27) +
                             R"(,"s":)" + tensor_json("F64", {}, 27, 35) + "}";
  const Bytes file = make_file(header, 35);
  const auto path = dir.write("table.safetensors", file).string();
  const ToolResult result = run_tool(kTool, {path});
  CHECK(result.exit_status == 0);
  CHECK_FALSE(has_raw_control(result.out));
  const std::string expected = path + ": OK (3 tensors, header " + std::to_string(header.size()) +
                               " bytes, data 35 bytes, strict)\n"
                               "NAME         DTYPE  SHAPE   OFFSETS   BYTES\n"
                               "w            F32    [2, 3]  [0, 24]   24\n"
                               "b\\u{202e}id  U8     [3]     [24, 27]  3\n"
                               "s            F64    []      [27, 35]  8\n"
                               "metadata (2 entries):\n"
                               "  format: pt\n"
                               "  note: red\\x1b[31m\\x0aline\n";
  CHECK(result.out == expected);

  const ToolResult none = run_tool(kTool, {dir.write("plain.safetensors", make_file("{}", 0)).string()});
  CHECK(none.exit_status == 0);
  CHECK(none.out.find("metadata: none\n") != std::string::npos);
}

TEST_CASE("st-inspect --json describes the file as one JSON document", "[cli][inspect]") {
  TempDir dir;
  const BuiltFile built = build_file({{"lead", Dtype::U8, {3}}, {"w", Dtype::BF16, {2, 2}}}, {{"format", "pt"}});
  const auto path = dir.write("json.safetensors", built.bytes).string();
  const ToolResult result = run_tool(kTool, {"--json", path});
  CHECK(result.exit_status == 0);
  rapidjson::Document doc;
  doc.Parse(result.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["tool"].GetString()) == "st-inspect");
  CHECK(doc["valid"].GetBool());
  CHECK(std::string(doc["profile"].GetString()) == "strict");
  CHECK(doc["data_bytes"].GetUint64() == 11);
  CHECK(doc["file_bytes"].GetUint64() == built.bytes.size());
  const auto& tensors = doc["tensors"];
  REQUIRE(tensors.Size() == 2);
  CHECK(std::string(tensors[1]["name"].GetString()) == "w");
  CHECK(std::string(tensors[1]["dtype"].GetString()) == "BF16");
  CHECK(tensors[1]["shape"].Size() == 2);
  CHECK(tensors[1]["data_offsets"][0].GetUint64() == 3);
  CHECK(tensors[1]["data_offsets"][1].GetUint64() == 11);
  CHECK(tensors[1]["file_offset"].GetUint64() == built.bytes.size() - 8);
  CHECK(tensors[1]["elements"].GetUint64() == 4);
  CHECK(std::string(doc["metadata"]["format"].GetString()) == "pt");
  CHECK(doc["error"].IsNull());
}

TEST_CASE("st-inspect refuses invalid files exactly as st-validate does", "[cli][inspect]") {
  TempDir dir;
  const Bytes duplicate =
      make_file(R"({"w":)" + tensor_json("U8", {4}, 0, 4) + R"(,"w":)" + tensor_json("F32", {1}, 0, 4) + "}", 4);
  const auto dup = dir.write("dup.safetensors", duplicate).string();

  const ToolResult validate = run_tool("st-validate", {dup});
  REQUIRE(validate.exit_status == 1);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{dup}, {"--dump", "w", dup}, {"--slice", "w", ":", dup}, {"--json", dup}}) {
    const ToolResult inspect = run_tool(kTool, args);
    CHECK(inspect.exit_status == 1);
    // "PATH: INVALID [DUPLICATE_TENSOR_NAME] ...", st-validate's line before its summary.
    CHECK(inspect.err == validate.out.substr(0, validate.out.find('\n') + 1));
  }
  const ToolResult as_json = run_tool(kTool, {"--json", dup});
  rapidjson::Document doc;
  doc.Parse(as_json.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK_FALSE(doc["valid"].GetBool());
  CHECK(std::string(doc["error"]["code"].GetString()) == "DUPLICATE_TENSOR_NAME");

  // compat reads it like the reference: the last "w" wins.
  ToolResult compat = run_tool(kTool, {"--profile", "compat", dup});
  CHECK(compat.exit_status == 0);
  CHECK(compat.out.find("F32") != std::string::npos);
  CHECK(compat.out.find("note: strict would reject this file: [DUPLICATE_TENSOR_NAME]") != std::string::npos);
  compat = run_tool(kTool, {"--profile", "compat", "--dump", "w", dup});
  CHECK(compat.exit_status == 0);
  CHECK(as_bytes(compat.out) == Bytes(duplicate.end() - 4, duplicate.end()));

  const auto good = dir.write("good.safetensors", build_file({{"w", Dtype::F32, {2}}}).bytes).string();
  const ToolResult limited = run_tool(kTool, {"--max-tensors", "0", good});
  CHECK(limited.exit_status == 1);
  CHECK(limited.err.find(": INVALID [LIMIT_TENSOR_COUNT]") != std::string::npos);

  ToolResult unreadable = run_tool(kTool, {(dir.path() / "missing").string()});
  CHECK(unreadable.exit_status == 2);
  CHECK(unreadable.err.find(": ERROR [IO_OPEN_FAILED]") != std::string::npos);
  unreadable = run_tool(kTool, {dir.path().string()});
  CHECK(unreadable.exit_status == 2);
  CHECK(unreadable.err.find(": ERROR [IO_NOT_REGULAR_FILE]") != std::string::npos);
  unreadable = run_tool(kTool, {"-"}, "not a regular file");  // a pipe on stdin
  CHECK(unreadable.exit_status == 2);
  CHECK(unreadable.err.find("<stdin>: ERROR [IO_NOT_REGULAR_FILE]") == 0);

  const ToolResult missing = run_tool(kTool, {"--dump", "nope", good});
  CHECK(missing.exit_status == 2);
  CHECK(missing.out.empty());
  CHECK(missing.err == good + ": ERROR [TENSOR_NOT_FOUND] no tensor with this name in the file (tensor \"nope\")\n");
}

TEST_CASE("st-inspect usage errors and --help", "[cli][inspect]") {
  TempDir dir;
  const auto good = dir.write("good.safetensors", build_file({{"w", Dtype::F32, {2}}}).bytes).string();
  CHECK(run_tool(kTool, {}).exit_status == 2);
  CHECK(run_tool(kTool, {"--dump", "w", "--slice", "w", ":", good}).exit_status == 2);
  CHECK(run_tool(kTool, {"--json", "--dump", "w", good}).exit_status == 2);
  CHECK(run_tool(kTool, {"--profile", "lenient", good}).exit_status == 2);
  const ToolResult help = run_tool(kTool, {"--help"});
  CHECK(help.exit_status == 0);
  for (const char* needle : {"--dump", "--slice", "--json", "--profile", "--max-tensors", "'a:b'", "Exit status",
                             "terminal", "TENSOR_NOT_FOUND"}) {
    INFO(needle);
    CHECK(help.out.find(needle) != std::string::npos);
  }
  CHECK(help.out.find("Exit status") == help.out.rfind("Exit status"));  // its own, not st-validate's too
}

TEST_CASE("st-inspect binary output: a closed pipe is not a crash, a terminal is refused", "[cli][inspect]") {
  TempDir dir;
  // Larger than a pipe buffer, so the tool is still writing when the reader leaves.
  const BuiltFile built = build_file({{"big", Dtype::U8, {4u << 20}}});
  const auto path = dir.write("big.safetensors", built.bytes).string();

  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);  // the child must not hold the read end open
  const int status = run_with_stdout({"--dump", "big", path}, fds[1], [&](pid_t) {
    ::close(fds[1]);
    char first[16];
    CHECK(::read(fds[0], first, sizeof first) > 0);
    ::close(fds[0]);  // like `| head -c 16`
  });
  CHECK(WIFEXITED(status));  // not killed by SIGPIPE
  CHECK(WEXITSTATUS(status) == 0);

  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    WARN("no pseudo-terminal available; skipping the terminal check");
    return;
  }
  const int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  REQUIRE(terminal >= 0);
  const int tty_status = run_with_stdout({"--dump", "big", path}, terminal, [](pid_t) {});
  ::close(terminal);
  ::close(master);
  CHECK(WIFEXITED(tty_status));
  CHECK(WEXITSTATUS(tty_status) == 2);
}
