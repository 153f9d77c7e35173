// st-audit on metadata configs: the STG-CFG findings reach text, JSON
// (`json_path`, `metadata_key`) and SARIF (`properties.jsonPath`), with
// untrusted callables and keys escaped; the exit status follows --fail-on.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "audit_fixtures.hpp"
#include "support/json_dom.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const std::string kTool = "st-audit";

Bytes planted_file() {
  return build_file({{"w", "F32", {2}, f32_bytes({1.0F, 2.0F})}},
                    {{"format", "pt"},
                     {"config", R"({"model": {"layers": [{"a": 1}, {"b": 2}, {"_target_": "builtins.exec\u202e"}]},)"
                                R"( "enc": {"_target_": "flextok.Encoder"}})"}});
}

}  // namespace

TEST_CASE("st-audit reports configs in metadata with their path", "[cli][audit][config]") {
  TempDir dir;
  const auto planted = dir.write("planted.safetensors", planted_file()).string();

  auto result = run_tool(kTool, {planted});
  CHECK(result.exit_status == 1);  // high
  CHECK(result.out.find("STG-CFG-001") != std::string::npos);
  CHECK(result.out.find("at model.layers[2]._target_") != std::string::npos);
  CHECK(result.out.find("\u202e") == std::string::npos);  // the bidi override is escaped
  CHECK(result.out.find("builtins.exec\\u{202e}") != std::string::npos);

  result = run_tool(kTool, {"--format", "json", planted});
  CHECK(result.exit_status == 1);
  const auto json = parse_json(result.out);
  const auto& findings = json["files"][0]["findings"];
  bool dangerous = false;
  bool other = false;
  for (const auto& finding : findings.GetArray()) {
    const std::string rule = finding["rule"].GetString();
    if (rule == "STG-CFG-001") {
      dangerous = true;
      CHECK(std::string(finding["severity"].GetString()) == "high");
      CHECK(std::string(finding["json_path"].GetString()) == "model.layers[2]._target_");
      CHECK(std::string(finding["metadata_key"].GetString()) == "config");
    } else if (rule == "STG-CFG-002") {
      other = true;
      CHECK(std::string(finding["severity"].GetString()) == "info");
      CHECK(std::string(finding["json_path"].GetString()) == "enc._target_");
    } else {
      CHECK(finding["json_path"].IsNull());
    }
  }
  CHECK(dangerous);
  CHECK(other);

  result = run_tool(kTool, {"--format", "sarif", planted});
  const auto sarif = parse_json(result.out);
  bool in_sarif = false;
  for (const auto& entry : sarif["runs"][0]["results"].GetArray()) {
    if (std::string(entry["ruleId"].GetString()) != "STG-CFG-001") continue;
    in_sarif = true;
    CHECK(std::string(entry["level"].GetString()) == "error");
    CHECK(std::string(entry["properties"]["jsonPath"].GetString()) == "model.layers[2]._target_");
    CHECK(std::string(entry["properties"]["metadataKey"].GetString()) == "config");
  }
  CHECK(in_sarif);
  bool rule_listed = false;
  for (const auto& rule : sarif["runs"][0]["tool"]["driver"]["rules"].GetArray()) {
    rule_listed = rule_listed || std::string(rule["id"].GetString()) == "STG-CFG-005";
  }
  CHECK(rule_listed);

  // Only an info finding: passes at the default --fail-on high and at low.
  const auto benign = dir.write("benign.safetensors",
                                build_file({{"w", "F32", {2}, f32_bytes({1.0F, 2.0F})}},
                                           {{"format", "pt"}, {"config", R"({"enc": {"_target_": "torch.nn.Linear"}})"}}))
                          .string();
  CHECK(run_tool(kTool, {"--fail-on", "low", benign}).exit_status == 0);
  CHECK(run_tool(kTool, {"--fail-on", "info", benign}).exit_status == 1);
}
