// Standard input as an operand: st-validate streams it, st-inspect reads it
// when it is a regular file (a pipe is IO_NOT_REGULAR_FILE, cli_inspect_test);
// '-' may be named once; every other input operand refuses '-' with a usage
// error (exit 2), never "cannot open".
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "stguard/writer.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using stguard::test::run_tool;

namespace {

std::string small_file() {
  static const std::vector<std::uint8_t> data(4, 1);
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("w", stguard::Dtype::U8, {4}, data));
  return stguard::test::as_string(builder.save().value());
}

}  // namespace

TEST_CASE("st-validate reads '-' once and refuses it twice", "[cli][stdin]") {
  const std::string file = small_file();
  const auto once = run_tool("st-validate", {"-"}, file);
  CHECK(once.exit_status == 0);
  const auto twice = run_tool("st-validate", {"-", "-"}, file);
  CHECK(twice.exit_status == 2);
  CHECK(twice.err.find("only once") != std::string::npos);
  CHECK(twice.out.empty());
}

TEST_CASE("tools that cannot stream refuse '-' as a usage error", "[cli][stdin]") {
  const std::string file = small_file();
  stguard::test::TempDir dir;
  const auto path = dir.write("m.safetensors", stguard::test::as_bytes(file)).string();
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"st-audit", {"-"}},
      {"st-audit", {path, "-"}},
      {"st-audit", {"--verify", "-", path}},
      {"st-audit", {"--manifest", "-", path}},
      {"st-rewrite", {"-", (dir.path() / "out.safetensors").string()}},
      {"st-shard", {"split", "--max-shard-size", "10", "-", dir.path().string()}},
      {"st-shard", {"check", "-"}},
      {"st-shard", {"join", "-", (dir.path() / "joined.safetensors").string()}},
  };
  for (const auto& [tool, args] : commands) {
    INFO(tool << " " << args.front() << " " << args.back());
    const auto ran = run_tool(tool, args, file);
    CHECK(ran.exit_status == 2);
    CHECK(ran.err.find("'-'") != std::string::npos);
    CHECK(ran.err.find("cannot open") == std::string::npos);
  }
}

TEST_CASE("st-inspect reads '-' when standard input is a regular file", "[cli][stdin]") {
  stguard::test::TempDir dir;
  const auto path = dir.write("m.safetensors", stguard::test::as_bytes(small_file()));
  const auto ran = stguard::test::run_tool_with_stdin_file("st-inspect", {"-"}, path.string());
  CHECK(ran.exit_status == 0);
  CHECK(ran.out.find("w") != std::string::npos);
}
