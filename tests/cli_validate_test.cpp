// st-validate as CI jobs and hub gates run it: exit statuses, standard input
// as a stream, JSON output, escaping of untrusted names and paths, --help.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using namespace stguard::test;

namespace {

const std::string kTool = "st-validate";

Bytes valid_file() { return make_file(R"({"w":)" + tensor_json("F32", {2}, 0, 8) + "}", 8); }
Bytes duplicate_file() {
  return make_file(R"({"w":)" + tensor_json("U8", {4}, 0, 4) + R"(,"w":)" + tensor_json("F32", {1}, 0, 4) + "}", 4);
}

bool has_raw_control(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7F) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("st-validate exit status: 0 valid, 1 invalid, 2 unreadable or usage", "[cli][validate]") {
  TempDir dir;
  const auto good = dir.write("good.safetensors", valid_file()).string();
  const auto dup = dir.write("dup.safetensors", duplicate_file()).string();

  auto result = run_tool(kTool, {good});
  CHECK(result.exit_status == 0);
  CHECK(result.out == good + ": OK (1 tensor, header " + std::to_string(valid_file().size() - 16) +
                          " bytes, data 8 bytes, strict)\n1 file: 1 valid, 0 invalid, 0 unreadable\n");

  result = run_tool(kTool, {good, dup});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find(dup + ": INVALID [DUPLICATE_TENSOR_NAME]") != std::string::npos);

  result = run_tool(kTool, {"--profile", "compat", good, dup});
  CHECK(result.exit_status == 0);

  result = run_tool(kTool, {good, (dir.path() / "missing.safetensors").string()});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("ERROR [IO_OPEN_FAILED]") != std::string::npos);

  const auto fifo = (dir.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  result = run_tool(kTool, {dup, fifo});
  CHECK(result.exit_status == 2);  // unreadable outranks invalid
  CHECK(result.out.find("ERROR [IO_NOT_REGULAR_FILE]") != std::string::npos);

  result = run_tool(kTool, {fifo});  // must not block waiting for a writer
  CHECK(result.exit_status == 2);

  CHECK(run_tool(kTool, {}).exit_status == 2);
  CHECK(run_tool(kTool, {"--profile", "lenient", good}).exit_status == 2);
  CHECK(run_tool(kTool, {"--no-such-flag", good}).exit_status == 2);
  CHECK(run_tool(kTool, {"--max-tensors", "-3", good}).exit_status == 2);
}

TEST_CASE("st-validate limit flags report limit errors", "[cli][validate]") {
  TempDir dir;
  const auto good = dir.write("good.safetensors", valid_file()).string();
  auto result = run_tool(kTool, {"--max-tensors", "0", good});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("[LIMIT_TENSOR_COUNT]") != std::string::npos);
  result = run_tool(kTool, {"--max-header-bytes", "10", good});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("[LIMIT_HEADER_BYTES]") != std::string::npos);
  CHECK(run_tool(kTool, {"--max-rank", "1", good}).exit_status == 0);
  CHECK(run_tool(kTool, {"--max-rank", "0", good}).exit_status == 1);
}

TEST_CASE("st-validate reads '-' as a stream and as a redirected file", "[cli][validate]") {
  const Bytes good = valid_file();
  auto result = run_tool(kTool, {"-"}, as_string(good));
  CHECK(result.exit_status == 0);
  CHECK(result.out.rfind("<stdin>: OK", 0) == 0);

  result = run_tool(kTool, {"-"}, as_string(duplicate_file()));
  CHECK(result.exit_status == 1);

  Bytes trailing = good;
  trailing.push_back(0);
  result = run_tool(kTool, {"-"}, as_string(trailing));
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("[TRAILING_BYTES]") != std::string::npos);

  result = run_tool(kTool, {"-"}, std::string("\x02\x00\x00", 3));
  CHECK(result.exit_status == 1);
  CHECK(result.out.find("[FILE_TOO_SMALL]") != std::string::npos);

  // 64 MB of tensor data through a pipe: counted, not kept.
  const std::uint64_t size = 64ULL << 20;
  const Bytes big = make_file(R"({"big":)" + tensor_json("U8", {size}, 0, size) + "}", size);
  result = run_tool(kTool, {"-"}, as_string(big));
  CHECK(result.exit_status == 0);

  TempDir dir;
  const auto path = dir.write("good.safetensors", good).string();
  result = run_tool_with_stdin_file(kTool, {"-"}, path);
  CHECK(result.exit_status == 0);
}

TEST_CASE("st-validate judges a multi-GB sparse file from its header alone", "[cli][validate]") {
  TempDir dir;
  const std::uint64_t size = 6ULL << 30;  // 6 GiB, sparse: nothing is written but the header
  const Bytes header_only = make_file(R"({"huge":)" + tensor_json("U8", {size}, 0, size) + "}");
  const auto path = dir.write("huge.safetensors", header_only).string();
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(header_only.size() + size)) == 0);
  const auto result = run_tool(kTool, {"--format", "json", path});
  CHECK(result.exit_status == 0);
  CHECK(result.out.find("\"data_bytes\": " + std::to_string(size)) != std::string::npos);
}

TEST_CASE("st-validate --format json is one valid document with every field", "[cli][validate]") {
  TempDir dir;
  const auto good = dir.write("good.safetensors", valid_file()).string();
  const auto dup = dir.write("dup.safetensors", duplicate_file()).string();
  const auto result = run_tool(kTool, {"--format", "json", good, dup, (dir.path() / "nope").string()});
  CHECK(result.exit_status == 2);
  rapidjson::Document doc;
  doc.Parse(result.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc["files"].Size() == 3);
  const auto& ok = doc["files"][0];
  CHECK(ok["valid"].GetBool());
  CHECK(std::string(ok["status"].GetString()) == "valid");
  CHECK(ok["tensor_count"].GetUint64() == 1);
  CHECK(ok["data_bytes"].GetUint64() == 8);
  CHECK(ok["error"].IsNull());
  const auto& bad = doc["files"][1];
  CHECK_FALSE(bad["valid"].GetBool());
  CHECK(std::string(bad["status"].GetString()) == "invalid");
  CHECK(std::string(bad["error"]["code"].GetString()) == "DUPLICATE_TENSOR_NAME");
  CHECK(bad["error"]["number"].GetUint() == 406);
  CHECK(std::string(bad["error"]["class"].GetString()) == "schema");
  CHECK(std::string(bad["error"]["tensor"].GetString()) == "w");
  CHECK(bad["error"]["offset"].IsUint64());
  CHECK(std::string(doc["files"][2]["status"].GetString()) == "unreadable");
  CHECK(doc["summary"]["invalid"].GetUint() == 1);
  CHECK(doc["summary"]["unreadable"].GetUint() == 1);
  CHECK(std::string(doc["profile"].GetString()) == "strict");
}

TEST_CASE("st-validate never prints control characters from names or paths", "[cli][validate]") {
  TempDir dir;
  const Bytes evil_name = make_file("{\"a\\u001b]0;pwned\\u0007\\u001b[2J\":" + tensor_json("U8", {1}, 0, 1) + "}", 1);
  const auto evil_path = dir.write("evil\x1b[31m\x07.safetensors", evil_name).string();
  for (const char* profile : {"strict", "compat"}) {
    for (const char* format : {"text", "json"}) {
      INFO(profile << " " << format);
      const auto result = run_tool(kTool, {"--profile", profile, "--format", format, evil_path});
      CHECK_FALSE(has_raw_control(result.out));
      CHECK_FALSE(has_raw_control(result.err));
    }
  }
  const auto strict = run_tool(kTool, {evil_path});
  CHECK(strict.exit_status == 1);
  CHECK(strict.out.find("[INVALID_TENSOR_NAME]") != std::string::npos);
  CHECK(strict.out.find("\\x1b") != std::string::npos);
}

TEST_CASE("st-validate --help explains profiles, limits and exit codes; --quiet prints nothing", "[cli][validate]") {
  const auto help = run_tool(kTool, {"--help"});
  CHECK(help.exit_status == 0);
  for (const char* needle : {"strict", "compat", "--max-tensors", "--format", "Exit status", "standard input"}) {
    INFO(needle);
    CHECK(help.out.find(needle) != std::string::npos);
  }
  TempDir dir;
  const auto dup = dir.write("dup.safetensors", duplicate_file()).string();
  const auto quiet = run_tool(kTool, {"--quiet", dup});
  CHECK(quiet.exit_status == 1);
  CHECK(quiet.out.empty());
}

TEST_CASE("st-validate says what a file that is not safetensors is, and what to do", "[cli][validate][not_safetensors]") {
  TempDir dir;
  const std::string index = "{\n  \"metadata\": {\n    \"total_size\": 8\n  },\n  \"weight_map\": {\n"
                            "    \"w\": \"model-00001-of-00001.safetensors\"\n  }\n}\n";
  const std::string pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + std::string(64, 'a') +
                              "\nsize 4942214420\n";
  const std::string html = "<!DOCTYPE html>\n<html><head><title>Not Found</title></head></html>\n";
  const struct {
    std::string name;
    std::string bytes;
    std::string code;
    std::string advice;
  } cases[] = {
      {"model.safetensors.index.json", index, "[NOT_SAFETENSORS_SHARD_INDEX]", "st-shard check"},
      {"pointer.safetensors", pointer, "[NOT_SAFETENSORS_LFS_POINTER]", "git lfs pull"},
      {"page.safetensors", html, "[NOT_SAFETENSORS_HTML]", "this looks like an HTML page"},
  };
  for (const auto& each : cases) {
    INFO(each.name);
    const auto path = dir.write(each.name, as_bytes(each.bytes)).string();
    // An index named as a path is judged as a sharded checkpoint (its shard is missing here).
    const bool index_path = each.name.ends_with(".index.json");
    if (index_path) {
      const auto result = run_tool(kTool, {path});
      CHECK(result.exit_status == 1);
      CHECK(result.out.find(": INVALID [INDEX_SHARD_INVALID]") != std::string::npos);
    }
    for (const auto& result : index_path ? std::vector<ToolResult>{run_tool(kTool, {"-"}, each.bytes)}
                                         : std::vector<ToolResult>{run_tool(kTool, {path}), run_tool(kTool, {"-"}, each.bytes),
                                                                   run_tool(kTool, {"--profile", "compat", path})}) {
      CHECK(result.exit_status == 1);
      CHECK(result.out.find(": INVALID " + each.code) != std::string::npos);
      CHECK(result.out.find(each.advice) != std::string::npos);
      CHECK(result.out.find("exceeds the format maximum") == std::string::npos);
    }
  }
}
