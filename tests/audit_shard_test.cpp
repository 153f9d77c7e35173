// Sharded checkpoints: the index is cross-checked against every shard, and
// every inconsistency (not only the first) becomes a finding of the index's
// report; each shard gets a full audit of its own.
#include <catch2/catch.hpp>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const std::string kShard1 = "model-00001-of-00002.safetensors";
const std::string kShard2 = "model-00002-of-00002.safetensors";

std::string index_json(const std::vector<std::pair<std::string, std::string>>& weight_map,
                       std::optional<std::uint64_t> total_size) {
  std::string json = "{";
  if (total_size) json += "\"metadata\":{\"total_size\":" + std::to_string(*total_size) + "},";
  json += "\"weight_map\":{";
  for (std::size_t i = 0; i < weight_map.size(); ++i) {
    json += (i ? "," : "") + std::string("\"") + weight_map[i].first + "\":\"" + weight_map[i].second + "\"";
  }
  return json + "}}";
}

std::vector<stguard::audit::AuditReport> audit_set(const TempDir& dir, const std::string& index) {
  const auto path = dir.write("model.safetensors.index.json", as_bytes(index));
  auto reports = stguard::audit::audit_index(path.string());
  REQUIRE(reports.ok());
  REQUIRE_FALSE(reports->empty());
  return std::move(reports).value();
}

std::vector<std::string> tensors_of(const stguard::audit::AuditReport& report, Rule rule) {
  std::vector<std::string> names;
  for (const auto& finding : report.findings) {
    if (finding.rule == rule) names.push_back(finding.tensor);
  }
  return names;
}

}  // namespace

TEST_CASE("audit shards: a consistent set has no finding", "[audit][shard]") {
  TempDir dir;
  dir.write(kShard1, build_file({{"a", "U8", {4}, {1, 2, 3, 4}}, {"b", "U8", {2}, {5, 6}}}));
  dir.write(kShard2, build_file({{"c", "U8", {1}, {7}}}));
  const auto reports = audit_set(dir, index_json({{"a", kShard1}, {"b", kShard1}, {"c", kShard2}}, 7));
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].path.ends_with("model.safetensors.index.json"));
  CHECK(reports[0].verdict == Verdict::strict_valid);
  INFO(rule_ids(reports[0]));
  CHECK(reports[0].findings.empty());
  CHECK(reports[1].path.ends_with(kShard1));
  CHECK(reports[2].path.ends_with(kShard2));
  CHECK(reports[1].findings.empty());
}

TEST_CASE("audit shards: every inconsistency is reported, not only the first", "[audit][shard]") {
  TempDir dir;
  dir.write(kShard1, build_file({{"a", "U8", {4}, {1, 2, 3, 4}}, {"b", "U8", {2}, {5, 6}}}));
  // c as listed, b again (elsewhere), x and y unlisted, and a bidi name for the shard's own audit.
  dir.write(kShard2, build_file({{"c", "U8", {1}, {7}},
                                 {"b", "U8", {2}, {5, 6}},
                                 {"x", "U8", {1}, {8}},
                                 {"y\u202E", "U8", {1}, {9}}}));
  const auto reports = audit_set(
      dir, index_json({{"a", kShard1}, {"b", kShard1}, {"c", kShard2}, {"e", kShard1}, {"f", kShard2}}, 999));
  REQUIRE(reports.size() == 3);
  const auto& index = reports[0];
  INFO(rule_ids(index));
  CHECK(tensors_of(index, Rule::shard_tensor_missing) == std::vector<std::string>{"e", "f"});
  CHECK(tensors_of(index, Rule::shard_tensor_unlisted) == std::vector<std::string>{"x", "y\u202E"});
  CHECK(tensors_of(index, Rule::shard_tensor_elsewhere) == std::vector<std::string>{"b"});
  CHECK(count_rule(index, Rule::shard_total_size_mismatch) == 1);
  // The verdict is check_shard_index's: the first inconsistency it meets.
  CHECK(index.verdict == Verdict::invalid);
  REQUIRE(index.error);
  CHECK(index.error->code == stguard::ErrorCode::index_tensor_elsewhere);
  for (const auto& finding : index.findings) CHECK(finding.message.find("\u202E") == std::string::npos);
  CHECK(count_rule(reports[2], Rule::name_bidi_control) == 1);
}

TEST_CASE("audit shards: a missing or invalid shard is one finding", "[audit][shard]") {
  TempDir dir;
  dir.write(kShard1, make_file("{\"a\":" + tensor_json("U8", {4}, 0, 4) + "}", 3));  // truncated
  const auto reports = audit_set(dir, index_json({{"a", kShard1}, {"c", kShard2}, {"d", kShard2}}, 6));
  const auto& index = reports[0];
  INFO(rule_ids(index));
  CHECK(count_rule(index, Rule::shard_invalid) == 2);
  CHECK(count_rule(index, Rule::shard_tensor_missing) == 0);
  CHECK(count_rule(index, Rule::shard_total_size_mismatch) == 0);  // not knowable
  CHECK(index.verdict == Verdict::invalid);
  REQUIRE(index.error);
  CHECK(index.error->code == stguard::ErrorCode::index_shard_invalid);
  REQUIRE(reports.size() == 2);  // the invalid shard's own report; the missing one has none
  CHECK(reports[1].verdict == Verdict::invalid);
}

TEST_CASE("audit shards: an index that does not parse is invalid, with its rule", "[audit][shard]") {
  TempDir dir;
  SECTION("not JSON") {
    const auto reports = audit_set(dir, "{\"weight_map\": {");
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].verdict == Verdict::invalid);
    REQUIRE(reports[0].error);
    CHECK(count_rule(reports[0], Rule::shard_index_invalid_json) == 1);
  }
  SECTION("a shard name that leaves the folder") {
    const auto reports = audit_set(dir, index_json({{"a", "../model.safetensors"}}, 4));
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].verdict == Verdict::invalid);
    CHECK(count_rule(reports[0], Rule::shard_bad_name) == 1);
  }
  SECTION("no total_size") {
    dir.write(kShard1, build_file({{"a", "U8", {1}, {1}}}));
    const auto reports = audit_set(dir, index_json({{"a", kShard1}}, std::nullopt));
    CHECK(reports[0].verdict == Verdict::strict_valid);  // accepted, as st-shard check accepts it
    REQUIRE(count_rule(reports[0], Rule::shard_total_size_mismatch) == 1);
    CHECK(find_rule(reports[0], Rule::shard_total_size_mismatch)->severity == stguard::audit::Severity::info);
  }
}

TEST_CASE("audit shards: index paths are recognised by their suffix", "[audit][shard]") {
  CHECK(stguard::audit::looks_like_index_path("model.safetensors.index.json"));
  CHECK(stguard::audit::looks_like_index_path("/x/y/diffusion_pytorch_model.safetensors.index.json"));
  CHECK_FALSE(stguard::audit::looks_like_index_path("model.safetensors"));
  CHECK_FALSE(stguard::audit::looks_like_index_path(".index.json"));
  auto missing = stguard::audit::audit_index("/nonexistent/model.safetensors.index.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == stguard::ErrorCode::io_open_failed);
}
