// Every tool's --help states the defaults the tool really uses: the profile
// (marked the same way in the flag, its text and the Profiles section, and
// the one the tool applies when no --profile is given), every limit (from
// stguard::Limits and ShardIndexLimits, so the texts cannot drift from
// options.hpp), the other option defaults (checked against what the tool
// reports it used), and the one shared exit-status text.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "stguard/options.hpp"
#include "stguard/shard_index.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::Limits;
using stguard::test::run_tool;

namespace {

struct ToolHelp {
  std::string tool;
  std::vector<std::string> args;  // the subcommand, for st-shard
  std::string default_profile;
};

const std::vector<ToolHelp> kTools = {
    {"st-validate", {}, "strict"},      {"st-inspect", {}, "strict"},        {"st-audit", {}, "strict"},
    {"st-rewrite", {}, "compat"},       {"st-shard", {"split"}, "compat"},  {"st-shard", {"join"}, "compat"},
    {"st-shard", {"check"}, "strict"},
};

std::string help_of(const ToolHelp& tool) {
  std::vector<std::string> args = tool.args;
  args.push_back("--help");
  const auto result = run_tool(tool.tool, args);
  REQUIRE(result.exit_status == 0);
  return result.out;
}

// The help text of one option: from its name to the next option line.
std::string option_text(const std::string& help, const std::string& flag) {
  const std::size_t at = help.find("  " + flag + " ");
  if (at == std::string::npos) return {};
  const std::size_t next = help.find("\n  -", at + 1);
  return help.substr(at, next == std::string::npos ? std::string::npos : next - at);
}

std::string limit_text(std::uint64_t value) {
  if (value == stguard::kUnlimited) return "none";
  if (value == stguard::kMaxSafeInteger) return "9007199254740991";
  return std::to_string(value);
}

}  // namespace

TEST_CASE("each tool's --help shows the profile and limits it applies", "[cli][help]") {
  for (const ToolHelp& tool : kTools) {
    INFO(tool.tool << (tool.args.empty() ? "" : " " + tool.args.front()));
    const std::string help = help_of(tool);
    const std::string profile = option_text(help, "--profile");
    CHECK(profile.find("=" + tool.default_profile + "\n") != std::string::npos);
    CHECK(profile.find("(default " + tool.default_profile + ")") != std::string::npos);
    const std::string other = tool.default_profile == "strict" ? "compat" : "strict";
    CHECK(profile.find("(default " + other + ")") == std::string::npos);
    if (tool.tool != "st-audit") {  // the audit's Profiles section describes findings
      CHECK(help.find("  " + tool.default_profile + "   (default)") != std::string::npos);
      CHECK(help.find("  " + other + "   (default)") == std::string::npos);
    }
    // Every row of the one limits table is a flag, with its help and the
    // defaults Limits really has.
    for (const stguard::LimitInfo& row : stguard::kLimitTable) {
      INFO(row.flag);
      const std::string text = option_text(help, std::string(row.flag));
      REQUIRE_FALSE(text.empty());
      const std::uint64_t strict = Limits::strict_defaults().*row.field;
      const std::uint64_t compat = Limits::compat_defaults().*row.field;
      CHECK(strict == row.strict_default);
      CHECK(compat == row.compat_default);
      CHECK(text.find(std::string(row.help) + " (default " + limit_text(strict)) != std::string::npos);
      CHECK(text.find(std::string(row.help_note)) != std::string::npos);
      if (strict != compat) CHECK(text.find(limit_text(compat) + " under compat") != std::string::npos);
    }
    // ... and no --max-* flag of the library's limits is missing from the table.
    std::size_t flags = 0;
    for (std::size_t at = help.find("\n  --max-"); at != std::string::npos; at = help.find("\n  --max-", at + 1)) {
      ++flags;
    }
    // st-shard's own: --max-shard-size (split), --max-shards (join, check);
    // the URL flags --max-redirects and --max-bytes of the tools that take URLs.
    std::size_t tool_own = tool.tool == "st-shard" ? 1 : 0;
    if (help.find("\n  --max-redirects") != std::string::npos) ++tool_own;
    if (help.find("\n  --max-bytes") != std::string::npos) ++tool_own;
    CHECK(flags == stguard::kLimitTable.size() + tool_own);
    if (tool.tool == "st-shard" && tool.args.front() != "split") {
      CHECK(option_text(help, "--max-shards").find("(default " + std::to_string(stguard::ShardIndexLimits{}.max_shards) +
                                                   ")") != std::string::npos);
    }
  }
}

TEST_CASE("every tool prints the one exit-status text", "[cli][help]") {
  for (const ToolHelp& tool : kTools) {
    INFO(tool.tool << (tool.args.empty() ? "" : " " + tool.args.front()));
    const std::string help = help_of(tool);
    const std::string heading = "Exit status (the same three for every stguard tool):\n";
    const std::size_t at = help.find(heading);
    REQUIRE(at != std::string::npos);
    CHECK(help.find(heading, at + 1) == std::string::npos);
    CHECK(help.find("xit status:") == std::string::npos);  // no second, differently worded text
    const std::string section = help.substr(at);
    CHECK(section.find("\n  0  ok: ") != std::string::npos);
    CHECK(section.find("\n  1  rejected: ") != std::string::npos);
    CHECK(section.find("\n  2  error: a usage error, or ") != std::string::npos);
  }
}

// The defaults the help shows are the ones the tools use when given nothing.
TEST_CASE("the tools apply the defaults their --help shows", "[cli][help]") {
  stguard::test::TempDir dir;
  // Valid under compat only: a space before '{'.
  const std::string header = R"( {"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  const fs::path lenient = dir.write("lenient.safetensors", stguard::test::make_file(header, stguard::test::as_bytes("ab")));

  const std::string audit_help = run_tool("st-audit", {"--help"}).out;
  CHECK(option_text(audit_help, "--fail-on").find("=high\n") != std::string::npos);
  CHECK(option_text(audit_help, "--format").find("=text\n") != std::string::npos);
  const auto audit_json = run_tool("st-audit", {"--format", "json", lenient.string()});
  CHECK(audit_json.out.find("\"fail_on\": \"high\"") != std::string::npos);
  CHECK(audit_json.out.find("\"profile\": \"strict\"") != std::string::npos);
  CHECK(run_tool("st-audit", {lenient.string()}).out.find("PASS") == std::string::npos);  // text, and strict fails it

  CHECK(option_text(run_tool("st-validate", {"--help"}).out, "--format").find("=text\n") != std::string::npos);
  const auto validate = run_tool("st-validate", {lenient.string()});
  CHECK(validate.exit_status == 1);  // strict
  CHECK(validate.out.find(": INVALID ") != std::string::npos);  // text
  CHECK(run_tool("st-inspect", {lenient.string()}).exit_status == 1);  // strict

  CHECK(run_tool("st-rewrite", {lenient.string(), (dir.path() / "out.safetensors").string()}).exit_status == 0);
  CHECK(run_tool("st-shard", {"split", "--max-shard-size", "1KB", lenient.string(), (dir.path() / "s").string()})
            .exit_status == 0);  // compat
  const std::string split_help = run_tool("st-shard", {"split", "--help"}).out;
  CHECK(option_text(split_help, "--base-name").find("=model ") != std::string::npos);
  CHECK(fs::exists(dir.path() / "s" / "model.safetensors.index.json"));
  const auto check = run_tool("st-shard", {"check", (dir.path() / "s" / "model.safetensors.index.json").string()});
  CHECK(check.exit_status == 0);
  CHECK(check.out.find("shards strict") != std::string::npos);
}

namespace {

// How docs/profiles.md writes a default: 100,000,000; unlimited; 2^53 - 1.
std::vector<std::string> doc_spellings(std::uint64_t value) {
  if (value == stguard::kUnlimited) return {"unlimited", "2^64 - 1"};
  if (value == stguard::kMaxSafeInteger) return {"2^53 - 1"};
  std::string digits = std::to_string(value);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return {digits};
}

}  // namespace

TEST_CASE("docs/profiles.md lists the limits table, row for row", "[cli][help][docs]") {
  const std::string doc = stguard::test::as_string(
      stguard::test::read_file(fs::path(STGUARD_SOURCE_DIR) / "docs" / "profiles.md"));
  std::size_t rows = 0;
  for (std::size_t at = doc.find("\n| `max_"); at != std::string::npos; at = doc.find("\n| `max_", at + 1)) ++rows;
  CHECK(rows == stguard::kLimitTable.size());
  for (const stguard::LimitInfo& row : stguard::kLimitTable) {
    INFO(row.name);
    bool found = false;
    for (const std::string& strict : doc_spellings(row.strict_default)) {
      for (const std::string& compat : doc_spellings(row.compat_default)) {
        const std::string line = "\n| `" + std::string(row.name) + "` | `" + std::string(row.flag) + "` | " + strict +
                                 " | " + compat + " |";
        found = found || doc.find(line) != std::string::npos;
      }
    }
    CHECK(found);
  }
}
