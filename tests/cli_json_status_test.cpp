// One JSON schema for a file's verdict across the tools: every per-file
// object has "status" with the same words ("valid", "invalid",
// "unreadable"; st-audit adds "compat-only"), and the deprecated boolean
// "valid" of st-validate and st-inspect agrees with it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/json_dom.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::test::parse_json;
using stguard::test::run_tool;

TEST_CASE("st-validate, st-inspect and st-audit report a file's status with the same key and words",
          "[cli][json]") {
  stguard::test::TempDir dir;
  const std::string good_header = R"({"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})";
  std::string padded = good_header;
  while ((8 + padded.size()) % 8 != 0) padded += ' ';
  const fs::path good = dir.write("good.safetensors", stguard::test::make_file(padded, std::uint64_t{8}));
  const fs::path bad = dir.write("bad.safetensors", stguard::test::as_bytes("not a model at all"));
  const fs::path missing = dir.path() / "missing.safetensors";

  for (const auto& [path, status] : {std::pair{good, "valid"}, std::pair{bad, "invalid"}, std::pair{missing, "unreadable"}}) {
    INFO(path.string());
    const auto validate = parse_json(run_tool("st-validate", {"--format", "json", path.string()}).out);
    const auto& file = validate["files"][0];
    CHECK(std::string(file["status"].GetString()) == status);
    CHECK(file["valid"].GetBool() == (std::string(status) == "valid"));

    const auto inspect = parse_json(run_tool("st-inspect", {"--json", path.string()}).out);
    CHECK(std::string(inspect["status"].GetString()) == status);
    CHECK(inspect["valid"].GetBool() == (std::string(status) == "valid"));

    const auto audit = parse_json(run_tool("st-audit", {"--format", "json", path.string()}).out);
    CHECK(std::string(audit["files"][0]["status"].GetString()) == status);
  }
}
