// One answer for one question: st-shard check and st-audit judge an index
// with the same library call (check_shard_index) and the same policy, so over
// every kind of index the shard tests build (consistent, without total_size,
// with a wrong one, broken in each way the checker knows) both tools, and both
// library entry points, give the same verdict and the same error code, with
// and without --require-total-size.
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"
#include "stguard/shard_index.hpp"
#include "support/run_tool.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const std::string kShard1 = "model-00001-of-00002.safetensors";
const std::string kShard2 = "model-00002-of-00002.safetensors";

struct IndexFixture {
  std::string name;
  std::string index;  // the JSON text
  std::vector<std::pair<std::string, Bytes>> shards;
  // What the default policy says (empty = valid), and with --require-total-size.
  std::string expected_code;
  std::string expected_code_required;
};

std::string index_json(const std::string& weight_map, const std::string& metadata) {
  return "{" + metadata + "\"weight_map\": {" + weight_map + "}}";
}
std::string total(std::uint64_t bytes) { return R"("metadata": {"total_size": )" + std::to_string(bytes) + "}, "; }

std::vector<IndexFixture> fixtures() {
  const Bytes shard1 = build_file({{"a", "U8", {4}, {1, 2, 3, 4}}, {"b", "U8", {2}, {5, 6}}});
  const Bytes shard2 = build_file({{"c", "U16", {1}, {7, 0}}});
  const std::string map = "\"a\": \"" + kShard1 + "\", \"b\": \"" + kShard1 + "\", \"c\": \"" + kShard2 + "\"";
  const std::vector<std::pair<std::string, Bytes>> both = {{kShard1, shard1}, {kShard2, shard2}};
  const Bytes with_b_too = build_file({{"c", "U16", {1}, {7, 0}}, {"b", "U8", {2}, {5, 6}}});
  const Bytes with_unlisted = build_file({{"c", "U16", {1}, {7, 0}}, {"x", "U8", {1}, {9}}});
  const Bytes truncated = make_file("{\"c\":" + tensor_json("U16", {1}, 0, 2) + "}", 1);
  const Bytes compat_only = make_file(R"({"c":)" + tensor_json("U16", {1}, 0, 2) + R"(,"c":)" +
                                          tensor_json("U16", {1}, 0, 2) + "}",
                                      2);
  const std::string mismatch = "INDEX_TOTAL_SIZE_MISMATCH";
  return {
      {"consistent", index_json(map, total(8)), both, "", ""},
      {"with other metadata", index_json(map, R"("metadata": {"total_size": 8, "total_parameters": 7}, )"), both, "",
       ""},
      {"no total_size", index_json(map, ""), both, "", mismatch},
      {"metadata without total_size", index_json(map, R"("metadata": {"format": "pt"}, )"), both, "", mismatch},
      {"total_size too small", index_json(map, total(7)), both, mismatch, mismatch},
      {"total_size too large", index_json(map, total(9)), both, mismatch, mismatch},
      {"total_size zero", index_json(map, total(0)), both, mismatch, mismatch},
      {"tensor missing", index_json(map + ", \"d\": \"" + kShard2 + "\"", total(8)), both, "INDEX_TENSOR_MISSING",
       "INDEX_TENSOR_MISSING"},
      {"tensor unlisted", index_json(map, total(9)), {{kShard1, shard1}, {kShard2, with_unlisted}},
       "INDEX_TENSOR_UNLISTED", "INDEX_TENSOR_UNLISTED"},
      {"tensor elsewhere", index_json(map, ""), {{kShard1, shard1}, {kShard2, with_b_too}}, "INDEX_TENSOR_ELSEWHERE",
       "INDEX_TENSOR_ELSEWHERE"},
      {"shard missing", index_json(map, total(8)), {{kShard1, shard1}}, "INDEX_SHARD_INVALID", "INDEX_SHARD_INVALID"},
      {"shard truncated", index_json(map, total(8)), {{kShard1, shard1}, {kShard2, truncated}},
       "INDEX_SHARD_INVALID", "INDEX_SHARD_INVALID"},
      {"shard strict-invalid", index_json(map, ""), {{kShard1, shard1}, {kShard2, compat_only}},
       "INDEX_SHARD_INVALID", "INDEX_SHARD_INVALID"},
      {"shard name leaves the folder", index_json("\"a\": \"../" + kShard1 + "\"", total(6)), both,
       "INDEX_BAD_SHARD_NAME", "INDEX_BAD_SHARD_NAME"},
      {"not JSON", "{\"weight_map\": {", both, "INDEX_INVALID_JSON", "INDEX_INVALID_JSON"},
  };
}

// "OK" or the code of "PATH: INVALID [CODE] ..." on the line about `path`.
std::string verdict_in_output(const std::string& out, const std::string& path) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(path + ": ", 0) != 0) continue;
    std::smatch match;
    if (std::regex_search(line, match, std::regex(R"(: INVALID \[([A-Z_0-9]+)\])"))) return match[1];
    return "OK";
  }
  return "no line about the index in: " + out;
}

}  // namespace

TEST_CASE("st-shard check and st-audit agree on every index fixture, with and without --require-total-size",
          "[shard][audit][cli]") {
  for (const IndexFixture& fixture : fixtures()) {
    INFO(fixture.name);
    TempDir dir;
    for (const auto& [name, bytes] : fixture.shards) dir.write(name, bytes);
    const std::string path = dir.write("model.safetensors.index.json", as_bytes(fixture.index)).string();
    for (const bool required : {false, true}) {
      INFO("--require-total-size: " << required);
      const std::string& expected = required ? fixture.expected_code_required : fixture.expected_code;

      // The library: the checker and the audit's index report.
      stguard::ShardCheckOptions check;
      check.require_total_size = required;
      const auto checked = stguard::check_shard_index(path, check);
      stguard::audit::AuditOptions audit_options;
      audit_options.require_total_size = required;
      const auto audited = stguard::audit::audit_index(path, audit_options);
      REQUIRE(audited.ok());
      const auto& index_report = audited->front();
      CHECK(checked.ok() == expected.empty());
      CHECK((index_report.verdict != stguard::audit::Verdict::invalid) == checked.ok());
      if (!checked.ok()) {
        CHECK(stguard::error_code_name(checked.error().code) == expected);
        REQUIRE(index_report.error);
        CHECK(index_report.error->code == checked.error().code);
      }

      // The tools.
      std::vector<std::string> flags;
      if (required) flags.push_back("--require-total-size");
      std::vector<std::string> shard_args = {"check"};
      shard_args.insert(shard_args.end(), flags.begin(), flags.end());
      shard_args.push_back(path);
      std::vector<std::string> audit_args = flags;
      audit_args.push_back(path);
      const auto shard_run = run_tool("st-shard", shard_args);
      const auto audit_run = run_tool("st-audit", audit_args);
      CHECK(shard_run.exit_status == (expected.empty() ? 0 : 1));
      CHECK(audit_run.exit_status == shard_run.exit_status);
      CHECK(verdict_in_output(shard_run.out, path) == (expected.empty() ? "OK" : expected));
      CHECK(verdict_in_output(audit_run.out, path) == verdict_in_output(shard_run.out, path));
    }
  }
}

TEST_CASE("an index without total_size is an info finding, a wrong one a finding and an invalid index",
          "[shard][audit]") {
  TempDir dir;
  dir.write(kShard1, build_file({{"a", "U8", {4}, {1, 2, 3, 4}}}));
  const std::string map = "\"a\": \"" + kShard1 + "\"";
  const auto audit_with = [&](const std::string& index, bool required) {
    const auto path = dir.write("model.safetensors.index.json", as_bytes(index));
    stguard::audit::AuditOptions options;
    options.require_total_size = required;
    auto reports = stguard::audit::audit_index(path.string(), options);
    REQUIRE(reports.ok());
    return std::move(reports->front());
  };
  const auto missing = audit_with(index_json(map, ""), false);
  CHECK(missing.verdict == stguard::audit::Verdict::strict_valid);
  REQUIRE(count_rule(missing, stguard::audit::Rule::shard_total_size_mismatch) == 1);
  CHECK(find_rule(missing, stguard::audit::Rule::shard_total_size_mismatch)->severity ==
        stguard::audit::Severity::info);

  const auto required = audit_with(index_json(map, ""), true);
  CHECK(required.verdict == stguard::audit::Verdict::invalid);
  CHECK(find_rule(required, stguard::audit::Rule::shard_total_size_mismatch)->severity ==
        stguard::audit::Severity::low);

  const auto wrong = audit_with(index_json(map, total(5)), false);
  CHECK(wrong.verdict == stguard::audit::Verdict::invalid);
  REQUIRE(wrong.error);
  CHECK(wrong.error->code == stguard::ErrorCode::index_total_size_mismatch);
  CHECK(count_rule(wrong, stguard::audit::Rule::shard_total_size_mismatch) == 1);
}
