// Text from a file never reaches a terminal raw: files carrying tag
// characters, U+2060, RLO, ZWSP, C1 controls, U+FEFF, non-characters and
// friends in tensor names, metadata keys, metadata values and their own
// path go through every tool and output format, and no code point of those
// classes appears raw in stdout or stderr (support/unsafe_code_points.hpp
// judges, independently of the library's table).
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "support/run_tool.hpp"
#include "support/test_files.hpp"
#include "support/unsafe_code_points.hpp"

namespace fs = std::filesystem;
using stguard::test::run_tool;
using stguard::test::utf8;

namespace {

// One of each class: WORD JOINER, tags "AB", RLO, ZWSP, BOM, non-characters
// (U+FDD0, U+FFFF, U+10FFFF), LINE SEPARATOR, a variation selector, the
// Mongolian vowel separator, a musical symbol format character, a bidi isolate.
std::string hostile() {
  std::string text;
  for (const char32_t cp : {0x2060U, 0xE0041U, 0xE0042U, 0x202EU, 0x200BU, 0xFEFFU, 0xFDD0U, 0xFFFFU, 0x10FFFFU,
                            0x2028U, 0xE0100U, 0x180EU, 0x1D173U, 0x2066U, 0x00ADU}) {
    text += utf8(cp);
  }
  return text;
}

std::string json_string(const std::string& raw_utf8) { return "\"" + raw_utf8 + "\""; }

// A strict-valid file: two U8 tensors whose names hold `hostile()`, and one
// metadata entry whose key holds it and whose value also holds a C1 control
// and an escape sequence (JSON-escaped, as JSON requires for U+001B).
stguard::test::Bytes hostile_model() {
  const std::string h = hostile();
  const std::string header = "{\"__metadata__\":{" + json_string("k" + h) + ":" +
                             json_string("v" + h + utf8(0x85) + "\\u001b[31mred") + "}," +
                             json_string("w." + h) + ":" + stguard::test::tensor_json("U8", {4}, 0, 4) + "," +
                             json_string("lm" + h + "head") + ":" + stguard::test::tensor_json("U8", {4}, 4, 8) + "}";
  std::string padded = header;
  while ((8 + padded.size()) % 8 != 0) padded += ' ';
  return stguard::test::make_file(padded, std::uint64_t{8});
}

// Invalid under strict: a C1 control (U+0085) in a tensor name.
stguard::test::Bytes c1_name_model() {
  const std::string header = "{" + json_string("x" + utf8(0x85) + hostile()) + ":" +
                             stguard::test::tensor_json("U8", {1}, 0, 1) + "}";
  std::string padded = header;
  while ((8 + padded.size()) % 8 != 0) padded += ' ';
  return stguard::test::make_file(padded, std::uint64_t{1});
}

void check_clean(const std::string& what, const stguard::test::ToolResult& result) {
  INFO(what << "\nstdout: " << result.out.substr(0, 600) << "\nstderr: " << result.err.substr(0, 600));
  CHECK(result.exit_status >= 0);
  CHECK(result.exit_status <= 2);
  CHECK(stguard::test::first_unsafe_code_point(result.out).empty());
  CHECK(stguard::test::first_unsafe_code_point(result.err).empty());
}

}  // namespace

TEST_CASE("no tool prints an invisible, bidi, control or non-character code point raw", "[cli][escape]") {
  stguard::test::TempDir dir;
  // The path holds the hostile text, an escape and an invalid UTF-8 byte.
  const std::string path_part = "p" + hostile() + "\x1b[2J" + "\xff";
  const fs::path model = dir.write(path_part + ".safetensors", hostile_model());
  const fs::path c1 = dir.write(path_part + "c1.safetensors", c1_name_model());
  const std::string shard_name = "sh" + hostile() + ".safetensors";
  dir.write(shard_name, hostile_model());
  const std::string h = hostile();
  const std::string index_text = "{\"metadata\":{\"total_size\":8},\"weight_map\":{" + json_string("w." + h) + ":" +
                                 json_string(shard_name) + "," + json_string("lm" + h + "head") + ":" +
                                 json_string(shard_name) + "}}";
  const fs::path index = dir.write(path_part + ".safetensors.index.json", stguard::test::as_bytes(index_text));

  const auto validate = run_tool("st-validate", {model.string(), c1.string()});
  check_clean("st-validate", validate);
  CHECK(validate.exit_status == 1);  // the C1 name is invalid under strict
  CHECK(validate.out.find("\\u{2060}\\u{e0041}\\u{e0042}\\u{202e}") != std::string::npos);
  CHECK(validate.out.find("\\x1b[2J\\xff") != std::string::npos);
  CHECK(validate.out.find("\\u{85}") != std::string::npos);  // the name quoted in the error message
  check_clean("st-validate --format json", run_tool("st-validate", {"--format", "json", model.string(), c1.string()}));

  const auto inspect = run_tool("st-inspect", {model.string()});
  check_clean("st-inspect", inspect);
  REQUIRE(inspect.exit_status == 0);
  CHECK(inspect.out.find("w.\\u{2060}\\u{e0041}") != std::string::npos);                // table
  CHECK(inspect.out.find("k\\u{2060}") != std::string::npos);                           // metadata key
  CHECK(inspect.out.find("\\u{ad}\\u{85}\\x1b[31mred") != std::string::npos);           // metadata value
  check_clean("st-inspect --json", run_tool("st-inspect", {"--json", model.string()}));
  check_clean("st-inspect (invalid)", run_tool("st-inspect", {c1.string()}));
  check_clean("st-inspect --dump (unknown)", run_tool("st-inspect", {"--dump", "n" + hostile(), model.string()}));

  const auto audit = run_tool("st-audit", {model.string(), c1.string()});
  check_clean("st-audit", audit);
  CHECK(audit.out.find("STG-NAME") != std::string::npos);  // findings with messages and evidence were printed
  for (const char* format : {"json", "sarif"}) {
    check_clean(std::string("st-audit --format ") + format,
                run_tool("st-audit", {"--format", format, model.string(), c1.string()}));
  }
  check_clean("st-audit index", run_tool("st-audit", {index.string()}));

  const auto shard = run_tool("st-shard", {"check", index.string()});
  check_clean("st-shard check", shard);
  CHECK(shard.out.find("\\u{2060}") != std::string::npos);

  const fs::path out = dir.path() / ("out" + hostile() + "\x1b]0;title\x07.safetensors");
  const auto rewrite = run_tool("st-rewrite", {model.string(), out.string()});
  check_clean("st-rewrite", rewrite);
  CHECK(rewrite.exit_status == 0);
  CHECK(rewrite.out.find("\\x1b]0;title\\x07") != std::string::npos);
  check_clean("st-rewrite (invalid)", run_tool("st-rewrite", {"--profile", "strict", c1.string(), out.string()}));
  check_clean("bad flag value", run_tool("st-validate", {"--profile", "x" + hostile(), model.string()}));
}
