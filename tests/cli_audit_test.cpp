// st-audit as CI jobs and scanners run it: exit statuses and --fail-on,
// text without escape codes when piped, JSON, SARIF 2.1.0 checked property
// by property with a RapidJSON DOM, --manifest/--verify naming exactly the
// tensors that changed, sharded indexes, and usage errors.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>

#include "audit_fixtures.hpp"
#include "support/json_dom.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const std::string kTool = "st-audit";

Bytes clean_file() {
  return build_file({{"w", "F32", {2}, f32_bytes({1.0F, 2.0F})}, {"b", "U8", {2}, {3, 4}}}, {{"format", "pt"}});
}

// The clean file one byte short: invalid (DATA_TRUNCATED).
Bytes truncated_file() {
  Bytes bytes = clean_file();
  bytes.pop_back();
  return bytes;
}

// One medium finding (NaN) when values are scanned; one info one (unaligned N) always.
Bytes nan_file() {
  return build_file({{"w", "F32", {2}, f32_bytes({1.0F, std::numeric_limits<float>::quiet_NaN()})}}, {}, 1);
}

Bytes zip_polyglot() {
  const Bytes archive = make_zip({{"archive/data.pkl", {0x80, 0x02, '}', 'q', 0x00, '.'}}});
  return build_file({{"w", "F32", {2}, f32_bytes({1.0F, 2.0F})}, {"blob", "U8", {archive.size()}, archive}});
}

bool has_escape_codes(const std::string& text) { return text.find('\x1b') != std::string::npos; }

}  // namespace

TEST_CASE("st-audit exit status follows --fail-on", "[cli][audit]") {
  TempDir dir;
  const auto clean = dir.write("clean.safetensors", clean_file()).string();
  const auto nan = dir.write("nan.safetensors", nan_file()).string();
  const auto poly = dir.write("poly.safetensors", zip_polyglot()).string();

  auto result = run_tool(kTool, {clean});
  CHECK(result.exit_status == 0);
  CHECK(result.out.find("clean.safetensors: valid, 2 tensors, 0 findings") != std::string::npos);
  CHECK(run_tool(kTool, {"--fail-on", "low", "--values", clean}).exit_status == 0);
  CHECK(run_tool(kTool, {"--fail-on", "info", "--values", clean}).exit_status == 0);

  CHECK(run_tool(kTool, {"--values", nan}).exit_status == 0);  // medium < high (the default)
  CHECK(run_tool(kTool, {"--values", "--fail-on", "medium", nan}).exit_status == 1);
  CHECK(run_tool(kTool, {"--fail-on", "medium", nan}).exit_status == 0);  // values not scanned
  // N not a multiple of 8 is info (MLX and writers before 0.3 never pad).
  CHECK(run_tool(kTool, {"--fail-on", "low", nan}).exit_status == 0);
  CHECK(run_tool(kTool, {"--fail-on", "info", nan}).exit_status == 1);

  result = run_tool(kTool, {clean, poly});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("STG-POLY-001") != std::string::npos);
  CHECK(result.out.find("FAIL") != std::string::npos);
}

TEST_CASE("st-audit: invalid 1, unreadable 2, usage 2", "[cli][audit]") {
  TempDir dir;
  const auto clean = dir.write("clean.safetensors", clean_file()).string();
  const auto invalid = dir.write("invalid.safetensors", truncated_file()).string();

  auto result = run_tool(kTool, {clean, invalid});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("invalid.safetensors: INVALID [DATA_TRUNCATED]") != std::string::npos);

  result = run_tool(kTool, {invalid, (dir.path() / "missing.safetensors").string()});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("ERROR [IO_OPEN_FAILED]") != std::string::npos);
  CHECK(run_tool(kTool, {(dir.path() / "missing-folder" / "").string()}).exit_status == 2);

  CHECK(run_tool(kTool, {}).exit_status == 2);
  CHECK(run_tool(kTool, {"--fail-on", "critical", clean}).exit_status == 2);
  CHECK(run_tool(kTool, {"--format", "xml", clean}).exit_status == 2);
  CHECK(run_tool(kTool, {"--manifest", "a.json", "--verify", "b.json", clean}).exit_status == 2);
  CHECK(run_tool(kTool, {"--manifest", (dir.path() / "m.json").string(), clean, clean}).exit_status == 2);
  CHECK(run_tool(kTool, {"--verify", "m.json", "--format", "sarif", clean}).exit_status == 2);
  result = run_tool(kTool, {"--help"});
  CHECK(result.exit_status == 0);
  CHECK(result.out.find("STG-POLY-001") != std::string::npos);
}

TEST_CASE("st-audit text output: no colour or progress when piped, untrusted text escaped", "[cli][audit]") {
  TempDir dir;
  const auto bidi = dir.write("bidi\x1b[31m.safetensors",
                              build_file({{"admin\u202Enimda", "U8", {1}, {1}}, {"x\u200B", "U8", {1}, {2}}}))
                        .string();
  const auto result = run_tool(kTool, {"--values", bidi});
  CHECK(result.exit_status == 1);  // bidi is high
  CHECK_FALSE(has_escape_codes(result.out));
  CHECK(result.out.find("\u202E") == std::string::npos);
  CHECK(result.out.find("\u200B") == std::string::npos);
  CHECK(result.out.find("STG-NAME-003") != std::string::npos);
  CHECK(result.out.find("STG-NAME-004") != std::string::npos);
  CHECK(result.out.find("admin\\u{202e}nimda") != std::string::npos);
  CHECK(result.err.empty());  // stderr is not a terminal: no progress bar
}

TEST_CASE("st-audit --format json", "[cli][audit]") {
  TempDir dir;
  const auto poly = dir.write("poly.safetensors", zip_polyglot()).string();
  const auto missing = (dir.path() / "missing.safetensors").string();
  const auto result = run_tool(kTool, {"--format", "json", "--values", poly, missing});
  CHECK(result.exit_status == 2);
  const auto document = parse_json(result.out);
  CHECK(std::string(document["tool"].GetString()) == "st-audit");
  CHECK(std::string(document["fail_on"].GetString()) == "high");
  const auto& files = document["files"];
  REQUIRE(files.Size() == 2);
  CHECK(std::string(files[0]["status"].GetString()) == "valid");
  CHECK(files[0]["values_scanned"].GetBool());
  const auto& findings = files[0]["findings"];
  REQUIRE(findings.Size() >= 1);
  bool found = false;
  for (const auto& finding : findings.GetArray()) {
    if (std::string(finding["rule"].GetString()) != "STG-POLY-001") continue;
    found = true;
    CHECK(std::string(finding["severity"].GetString()) == "high");
    CHECK(std::string(finding["tensor"].GetString()) == "blob");
    CHECK(finding["offset"].IsUint64());
    CHECK(finding["metadata_key"].IsNull());
  }
  CHECK(found);
  CHECK(std::string(files[1]["status"].GetString()) == "unreadable");
  CHECK(std::string(files[1]["error"]["code"].GetString()) == "IO_OPEN_FAILED");
  CHECK(document["summary"]["findings"]["high"].GetUint64() >= 1);
  CHECK(document["summary"]["failing"].GetBool());
}

TEST_CASE("st-audit --format sarif is valid SARIF 2.1.0", "[cli][audit]") {
  TempDir dir;
  const auto poly = dir.write("poly file.safetensors", zip_polyglot()).string();
  const auto invalid = dir.write("invalid.safetensors", truncated_file()).string();
  const auto clean = dir.write("clean.safetensors", clean_file()).string();
  const auto result = run_tool(kTool, {"--format", "sarif", "--values", poly, invalid, clean});
  CHECK(result.exit_status == 1);
  const auto sarif = parse_json(result.out);

  REQUIRE(sarif.IsObject());
  REQUIRE(sarif.HasMember("$schema"));
  CHECK(sarif["$schema"].IsString());
  REQUIRE(sarif.HasMember("version"));
  CHECK(std::string(sarif["version"].GetString()) == "2.1.0");
  REQUIRE(sarif.HasMember("runs"));
  REQUIRE(sarif["runs"].IsArray());
  REQUIRE(sarif["runs"].Size() == 1);
  const auto& run = sarif["runs"][0];
  REQUIRE(run.HasMember("tool"));
  REQUIRE(run["tool"].HasMember("driver"));
  const auto& driver = run["tool"]["driver"];
  REQUIRE(driver["name"].IsString());
  CHECK(std::string(driver["name"].GetString()) == "st-audit");
  REQUIRE(driver["rules"].IsArray());
  std::vector<std::string> rule_ids;
  for (const auto& rule : driver["rules"].GetArray()) {
    REQUIRE(rule.IsObject());
    REQUIRE(rule["id"].IsString());
    REQUIRE(rule["shortDescription"].IsObject());
    REQUIRE(rule["shortDescription"]["text"].IsString());
    REQUIRE(rule["fullDescription"]["text"].IsString());
    const std::string level = rule["defaultConfiguration"]["level"].GetString();
    CHECK((level == "error" || level == "warning" || level == "note"));
    rule_ids.emplace_back(rule["id"].GetString());
  }
  CHECK(rule_ids.size() == stguard::audit::all_rules().size() + 1);

  REQUIRE(run["results"].IsArray());
  bool zip_seen = false;
  bool invalid_seen = false;
  for (const auto& item : run["results"].GetArray()) {
    REQUIRE(item["ruleId"].IsString());
    const std::string rule_id = item["ruleId"].GetString();
    CHECK(std::find(rule_ids.begin(), rule_ids.end(), rule_id) != rule_ids.end());
    REQUIRE(item["ruleIndex"].IsUint());
    CHECK(rule_ids.at(item["ruleIndex"].GetUint()) == rule_id);
    const std::string level = item["level"].GetString();
    CHECK((level == "error" || level == "warning" || level == "note"));
    REQUIRE(item["message"]["text"].IsString());
    REQUIRE(item["locations"].IsArray());
    REQUIRE(item["locations"].Size() == 1);
    const auto& physical = item["locations"][0]["physicalLocation"];
    REQUIRE(physical["artifactLocation"]["uri"].IsString());
    const std::string uri = physical["artifactLocation"]["uri"].GetString();
    CHECK(uri.rfind("file://", 0) == 0);  // outside the working directory: absolute
    CHECK(uri.find(' ') == std::string::npos);
    // A line every viewer can place; the byte offset rides in a related binary region.
    REQUIRE(physical["region"].IsObject());
    CHECK(physical["region"]["startLine"].GetUint() == 1);
    CHECK_FALSE(physical["region"].HasMember("byteOffset"));
    REQUIRE(item["partialFingerprints"]["stguardFinding/v1"].IsString());
    CHECK(std::string(item["partialFingerprints"]["stguardFinding/v1"].GetString()).size() == 64);
    if (item.HasMember("relatedLocations")) {
      REQUIRE(item["relatedLocations"][0]["physicalLocation"]["region"]["byteOffset"].IsUint64());
    }
    if (rule_id == "STG-POLY-001") {
      zip_seen = true;
      CHECK(level == "error");
      CHECK(uri.find("poly%20file.safetensors") != std::string::npos);
      CHECK(item["relatedLocations"][0]["physicalLocation"]["region"]["byteOffset"].GetUint64() ==
            zip_polyglot().size() - 22);
    }
    if (rule_id == "STG-FILE-001") {
      invalid_seen = true;
      CHECK(uri.find("invalid.safetensors") != std::string::npos);
    }
  }
  CHECK(zip_seen);
  CHECK(invalid_seen);
  REQUIRE(run["invocations"].IsArray());
  CHECK(run["invocations"][0]["executionSuccessful"].GetBool());
}

TEST_CASE("st-audit --format sarif: paths relative to --base, fingerprints that do not depend on how the path was given",
          "[cli][audit][sarif]") {
  TempDir dir;
  const auto poly = dir.write("poly file.safetensors", zip_polyglot()).string();
  dir.write("invalid.safetensors", truncated_file());
  auto fingerprints_of = [&](const std::vector<std::string>& args) {
    const auto result = run_tool(kTool, args);
    CHECK(result.exit_status == 1);
    const auto sarif = parse_json(result.out);
    const auto& run = sarif["runs"][0];
    const std::string base_uri = run["originalUriBaseIds"]["SRCROOT"]["uri"].GetString();
    CHECK(base_uri.rfind("file:///", 0) == 0);
    CHECK(base_uri.back() == '/');
    std::vector<std::string> seen;
    for (const auto& item : run["results"].GetArray()) {
      const auto& artifact = item["locations"][0]["physicalLocation"]["artifactLocation"];
      CHECK(std::string(artifact["uriBaseId"].GetString()) == "SRCROOT");
      const std::string uri = artifact["uri"].GetString();
      CHECK((uri == "poly%20file.safetensors" || uri == "invalid.safetensors"));
      seen.push_back(uri + " " + item["ruleId"].GetString() + " " + item["partialFingerprints"]["stguardFinding/v1"].GetString());
    }
    std::sort(seen.begin(), seen.end());
    return seen;
  };
  const std::string base = dir.path().string();
  const auto walked = fingerprints_of({"--format", "sarif", "--base", base, base});
  const auto named = fingerprints_of({"--format", "sarif", "--base", base + "/./", base + "/../" +
                                      dir.path().filename().string() + "/invalid.safetensors", poly});
  CHECK(walked.size() >= 2);
  CHECK(walked == named);
}

TEST_CASE("st-audit --manifest and --verify name exactly the changed tensors", "[cli][audit]") {
  TempDir dir;
  const std::vector<FixtureTensor> tensors = {{"embed", "F32", {4}, f32_bytes({1, 2, 3, 4})},
                                              {"head", "F32", {4}, f32_bytes({5, 6, 7, 8})},
                                              {"norm", "F32", {2}, f32_bytes({1, 1})},
                                              {"mask", "BOOL", {4}, {0, 1, 0, 1}}};
  const auto model = dir.write("model.safetensors", build_file(tensors)).string();
  const auto manifest = (dir.path() / "model.manifest.json").string();

  auto result = run_tool(kTool, {"--manifest", manifest, model});
  REQUIRE(result.exit_status == 0);
  const Bytes manifest_bytes = read_file(manifest);
  auto document = parse_json(as_string(manifest_bytes));
  REQUIRE(document["tensors"].Size() == 4);

  // The file digest in the manifest is sha256sum's.
  const std::string command = "sha256sum '" + model + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
  char digest[65] = {};
  REQUIRE(std::fgets(digest, sizeof digest, pipe.get()) != nullptr);
  CHECK(std::string(document["file"]["sha256"].GetString()) == digest);

  result = run_tool(kTool, {"--verify", manifest, model});
  CHECK(result.exit_status == 0);
  CHECK(result.out.find(": OK against") != std::string::npos);

  auto changed = tensors;
  changed[1].data[0] ^= 0x01;  // head
  changed[3].data[0] = 1;      // mask
  dir.write("model.safetensors", build_file(changed));
  result = run_tool(kTool, {"--verify", manifest, model});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("MISMATCH") != std::string::npos);

  result = run_tool(kTool, {"--verify", manifest, "--format", "json", model});
  CHECK(result.exit_status == 1);
  document = parse_json(result.out);
  CHECK(std::string(document["status"].GetString()) == "mismatch");
  CHECK_FALSE(document["file"]["sha256_matches"].GetBool());
  std::vector<std::string> names;
  for (const auto& difference : document["differences"].GetArray()) {
    CHECK(std::string(difference["kind"].GetString()) == "changed");
    names.emplace_back(difference["tensor"].GetString());
  }
  CHECK(names == std::vector<std::string>{"head", "mask"});

  auto renamed = tensors;
  renamed[2].name = "norm2";
  dir.write("model.safetensors", build_file(renamed));
  result = run_tool(kTool, {"--verify", manifest, "--format", "json", model});
  document = parse_json(result.out);
  names.clear();
  for (const auto& difference : document["differences"].GetArray()) {
    names.push_back(std::string(difference["tensor"].GetString()) + ":" + difference["kind"].GetString());
  }
  CHECK(names == std::vector<std::string>{"norm:missing", "norm2:extra"});

  // A hostile manifest is a usage error, not a crash.
  const auto bad = dir.write("bad.json", as_bytes(std::string(50000, '[')));
  CHECK(run_tool(kTool, {"--verify", bad.string(), model}).exit_status == 2);
  CHECK(run_tool(kTool, {"--verify", (dir.path() / "none.json").string(), model}).exit_status == 2);
}

TEST_CASE("st-audit audits a sharded checkpoint from its index", "[cli][audit]") {
  TempDir dir;
  dir.write("model-00001-of-00001.safetensors", build_file({{"a", "U8", {2}, {1, 2}}, {"b", "U8", {1}, {3}}}));
  const auto index = dir.write("model.safetensors.index.json",
                               as_bytes(R"({"metadata":{"total_size":3},"weight_map":{"a":"model-00001-of-00001.safetensors",)"
                                        R"("c":"model-00001-of-00001.safetensors"}})"));
  const auto result = run_tool(kTool, {"--format", "json", index.string()});
  CHECK(result.exit_status == 1);
  const auto document = parse_json(result.out);
  REQUIRE(document["files"].Size() == 2);
  std::vector<std::string> rules;
  for (const auto& finding : document["files"][0]["findings"].GetArray()) rules.emplace_back(finding["rule"].GetString());
  std::sort(rules.begin(), rules.end());
  CHECK(rules == std::vector<std::string>{"STG-SHARD-003", "STG-SHARD-004"});
}

namespace {

// Runs `command` under `script`, which gives it a pseudo-terminal for stdout
// and stderr; returns what the terminal showed.
std::string run_on_terminal(const std::string& environment, const std::string& command) {
  const std::string line = environment + " script -qec \"" + command + "\" /dev/null 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(line.c_str(), "r"), &::pclose);
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (const std::size_t got = std::fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, got);
  return out;
}

}  // namespace

TEST_CASE("st-audit on a terminal: colour unless NO_COLOR, progress on stderr", "[cli][audit]") {
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    WARN("util-linux script is not installed: terminal behaviour not checked");
    return;
  }
  TempDir dir;
  const auto nan = dir.write("nan.safetensors", nan_file()).string();
  const std::string tool = tool_path(kTool);

  const std::string coloured = run_on_terminal("env -u NO_COLOR TERM=xterm", tool + " " + nan);
  CHECK(coloured.find("\x1b[") != std::string::npos);
  CHECK(coloured.find("STG-HDR-001") != std::string::npos);

  const std::string plain = run_on_terminal("env NO_COLOR=1 TERM=xterm", tool + " " + nan);
  CHECK(plain.find("STG-HDR-001") != std::string::npos);
  CHECK(plain.find('\x1b') == std::string::npos);

  const std::string scanning = run_on_terminal("env NO_COLOR=1 TERM=xterm", tool + " --values " + nan);
  CHECK(scanning.find("ETA") != std::string::npos);  // the bar was drawn (and erased)
  CHECK(run_on_terminal("env NO_COLOR=1 TERM=xterm", tool + " --values --no-progress " + nan).find("ETA") ==
        std::string::npos);
}
