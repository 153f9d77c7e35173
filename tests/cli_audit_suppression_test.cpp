// st-audit suppression: --ignore, --severity, --baseline and
// --write-baseline change what fails, never what is shown: suppressed
// findings stay in text, JSON ("suppressed": true with a reason) and SARIF
// ("suppressions" with kind "external"), with stable fingerprints.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <fstream>
#include <limits>

#include "audit_fixtures.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const std::string kTool = "st-audit";

// A high finding (a ZIP with a pickle in the last tensor).
Bytes polyglot_file() {
  const Bytes archive = make_zip({{"archive/data.pkl", {0x80, 0x02, '}', 'q', 0x00, '.'}}});
  return build_file({{"w", "F32", {1}, f32_bytes({1.0F})}, {"blob", "U8", {archive.size()}, archive}});
}

// A medium NaN finding with --values.
Bytes nan_file() { return build_file({{"w", "F32", {2}, f32_bytes({1.0F, std::numeric_limits<float>::quiet_NaN()})}}); }

rapidjson::Document json_of(const ToolResult& result) {
  rapidjson::Document document;
  document.Parse(result.out.c_str(), result.out.size());
  INFO(result.out.substr(0, 400) << result.err);
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

}  // namespace

TEST_CASE("st-audit --ignore keeps the finding visible but not failing", "[cli][audit][suppression]") {
  TempDir dir;
  const auto poly = dir.write("poly.safetensors", polyglot_file()).string();
  CHECK(run_tool(kTool, {poly}).exit_status == 1);

  const auto text = run_tool(kTool, {"--ignore", "STG-POLY-001", poly});
  CHECK(text.exit_status == 0);
  CHECK(text.out.find("STG-POLY-001") != std::string::npos);
  CHECK(text.out.find("[suppressed: ignored by --ignore STG-POLY-001]") != std::string::npos);
  CHECK(text.out.find("1 suppressed") != std::string::npos);

  const auto json = json_of(run_tool(kTool, {"--format", "json", "--ignore", "STG-HDR-001,STG-POLY-001", poly}));
  const auto& finding = json["files"][0]["findings"][0];
  CHECK(std::string(finding["rule"].GetString()) == "STG-POLY-001");
  CHECK(finding["suppressed"].GetBool());
  CHECK(std::string(finding["suppression"]["kind"].GetString()) == "external");
  CHECK(std::string(finding["suppression"]["reason"].GetString()).find("--ignore") != std::string::npos);
  CHECK(std::string(finding["fingerprint"].GetString()).size() == 64);
  CHECK(json["summary"]["suppressed"].GetUint64() == 1);
  CHECK(json["summary"]["findings"]["high"].GetUint64() == 0);
  CHECK_FALSE(json["summary"]["failing"].GetBool());

  const auto sarif = json_of(run_tool(kTool, {"--format", "sarif", "--ignore", "STG-POLY-001", poly}));
  const auto& result = sarif["runs"][0]["results"][0];
  REQUIRE(result.HasMember("suppressions"));
  CHECK(std::string(result["suppressions"][0]["kind"].GetString()) == "external");
  CHECK(result["partialFingerprints"]["stguardFinding/v1"].IsString());

  CHECK(run_tool(kTool, {"--ignore", "STG-NOPE-001", poly}).exit_status == 2);
}

TEST_CASE("st-audit --severity overrides a rule's severity before --fail-on", "[cli][audit][suppression]") {
  TempDir dir;
  const auto nan = dir.write("nan.safetensors", nan_file()).string();
  CHECK(run_tool(kTool, {"--values", "--fail-on", "medium", nan}).exit_status == 1);
  CHECK(run_tool(kTool, {"--values", "--fail-on", "medium", "--severity", "STG-VAL-001=info", nan}).exit_status == 0);
  const auto raised = run_tool(kTool, {"--values", "--severity", "STG-VAL-001=high", "--format", "json", nan});
  CHECK(raised.exit_status == 1);
  CHECK(std::string(json_of(raised)["files"][0]["findings"][0]["severity"].GetString()) == "high");
  CHECK(run_tool(kTool, {"--severity", "STG-VAL-001", nan}).exit_status == 2);
  CHECK(run_tool(kTool, {"--severity", "STG-VAL-001=urgent", nan}).exit_status == 2);
}

TEST_CASE("st-audit baselines: recorded once, then only new findings fail", "[cli][audit][suppression]") {
  TempDir dir;
  const auto poly = dir.write("poly.safetensors", polyglot_file()).string();
  const std::string baseline = (dir.path() / "baseline.txt").string();

  const auto written = run_tool(kTool, {"--write-baseline", baseline, poly});
  CHECK(written.exit_status == 0);
  const std::string recorded = as_string(read_file(baseline));
  CHECK(recorded.find("STG-POLY-001") != std::string::npos);

  CHECK(run_tool(kTool, {"--baseline", baseline, poly}).exit_status == 0);
  // Fingerprints are stable: a second write gives the same file.
  CHECK(run_tool(kTool, {"--write-baseline", (dir.path() / "again.txt").string(), poly}).exit_status == 0);
  CHECK(as_string(read_file(dir.path() / "again.txt")) == recorded);

  // A new high finding in another file still fails; the old one stays suppressed.
  const auto other = dir.write("other.safetensors", polyglot_file()).string();
  const auto json_result = run_tool(kTool, {"--baseline", baseline, "--format", "json", poly, other});
  CHECK(json_result.exit_status == 1);
  const auto json = json_of(json_result);
  CHECK(json["files"][0]["findings"][0]["suppressed"].GetBool());
  CHECK(std::string(json["files"][0]["findings"][0]["suppression"]["reason"].GetString()).find("baseline") !=
        std::string::npos);
  CHECK_FALSE(json["files"][1]["findings"][0]["suppressed"].GetBool());

  {
    std::ofstream broken(dir.path() / "broken.txt");
    broken << "not-a-fingerprint STG-POLY-001 x\n";
  }
  CHECK(run_tool(kTool, {"--baseline", (dir.path() / "broken.txt").string(), poly}).exit_status == 2);
  CHECK(run_tool(kTool, {"--baseline", (dir.path() / "missing.txt").string(), poly}).exit_status == 2);
}
