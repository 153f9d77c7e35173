// st-shard split / check / join from the command line: the round trip is
// byte-identical, sizes parse as transformers reads them, an inconsistent
// set is "invalid" (1) while an unreadable index is an I/O error (2).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "stguard/writer.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::Dtype;
using stguard::test::Bytes;
using stguard::test::run_tool;

namespace {

// A canonical file of five tensors (10, 10, 10, 25 and 5 bytes).
Bytes model_file() {
  std::vector<Bytes> data;
  data.reserve(5);
  stguard::FileBuilder builder;
  const std::vector<std::pair<std::string, std::size_t>> tensors = {{"a", 10}, {"b", 10}, {"c", 10}, {"d", 25}, {"e", 5}};
  for (const auto& [name, size] : tensors) {
    data.emplace_back(size, static_cast<std::uint8_t>(size + static_cast<unsigned char>(name[0])));
    REQUIRE(builder.add_tensor(name, Dtype::U8, {size}, data.back()));
  }
  REQUIRE(builder.set_metadata("format", "pt"));
  return builder.save().value();
}

}  // namespace

TEST_CASE("st-shard split, check and join round-trip a file", "[cli][shard]") {
  stguard::test::TempDir dir;
  const Bytes original = model_file();
  const fs::path in = dir.write("model.safetensors", original);
  const fs::path shards = dir.path() / "shards";
  const auto split = run_tool("st-shard", {"split", "--max-shard-size", "20", in.string(), shards.string()});
  INFO(split.err);
  REQUIRE(split.exit_status == 0);
  CHECK(split.out.find("written (4 shards, 5 tensors, total_size 60)") != std::string::npos);
  const fs::path index = shards / "model.safetensors.index.json";
  REQUIRE(fs::exists(index));

  const auto check = run_tool("st-shard", {"check", index.string()});
  CHECK(check.exit_status == 0);
  CHECK(check.out.find("OK (4 shards, 5 tensors, total_size 60") != std::string::npos);

  const fs::path joined = dir.path() / "joined.safetensors";
  const auto join = run_tool("st-shard", {"join", index.string(), joined.string()});
  INFO(join.err);
  REQUIRE(join.exit_status == 0);
  CHECK(stguard::test::read_file(joined) == original);

  const auto to_stdout = run_tool("st-shard", {"join", index.string(), "-"});
  REQUIRE(to_stdout.exit_status == 0);
  CHECK(stguard::test::as_bytes(to_stdout.out) == original);

  // Splitting again into the same folder would overwrite: refused unless --force.
  const auto again = run_tool("st-shard", {"split", "--max-shard-size", "20", in.string(), shards.string()});
  CHECK(again.exit_status == 2);
  CHECK(again.err.find("already exists") != std::string::npos);
  CHECK(run_tool("st-shard", {"split", "--force", "--max-shard-size", "1KB", in.string(), shards.string()})
            .exit_status == 0);
}

TEST_CASE("st-shard split reads compat by default, strict on request", "[cli][shard]") {
  stguard::test::TempDir dir;
  const std::string header = R"( {"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  const fs::path in = dir.write("lenient.safetensors", stguard::test::make_file(header, stguard::test::as_bytes("ab")));
  CHECK(run_tool("st-shard", {"split", "--max-shard-size", "1MB", in.string(), (dir.path() / "a").string()})
            .exit_status == 0);
  const auto strict = run_tool("st-shard", {"split", "--profile", "strict", "--max-shard-size", "1MB", in.string(),
                                            (dir.path() / "b").string()});
  CHECK(strict.exit_status == 1);
  CHECK_FALSE(fs::exists(dir.path() / "b" / "model.safetensors.index.json"));
}

TEST_CASE("st-shard exit statuses: sizes, broken sets, missing indexes, help", "[cli][shard]") {
  stguard::test::TempDir dir;
  const fs::path in = dir.write("model.safetensors", model_file());
  for (const char* bad_size : {"abc", "0", "12XB", "-5", "99999999999999999999GB", "18446744073709551615KB"}) {
    INFO(bad_size);
    const auto result = run_tool("st-shard", {"split", "--max-shard-size", bad_size, in.string(), dir.path().string()});
    CHECK(result.exit_status == 2);
  }
  const fs::path index = dir.path() / "model.safetensors.index.json";
  {
    std::ofstream out(index);
    out << R"({"metadata": {"total_size": 1}, "weight_map": {"a": "../model.safetensors"}})";
  }
  const auto bad_name = run_tool("st-shard", {"check", index.string()});
  CHECK(bad_name.exit_status == 1);
  CHECK(bad_name.out.find("INVALID [INDEX_BAD_SHARD_NAME]") != std::string::npos);
  const auto join = run_tool("st-shard", {"join", index.string(), (dir.path() / "out.safetensors").string()});
  CHECK(join.exit_status == 1);
  CHECK_FALSE(fs::exists(dir.path() / "out.safetensors"));

  const auto missing = run_tool("st-shard", {"check", (dir.path() / "nope.json").string()});
  CHECK(missing.exit_status == 2);
  CHECK(run_tool("st-shard", {}).exit_status == 2);
  for (const char* sub : {"split", "join", "check"}) {
    const auto help = run_tool("st-shard", {sub, "--help"});
    INFO(sub);
    CHECK(help.exit_status == 0);
    CHECK(help.out.find("Exit status") != std::string::npos);
  }
}

// Sizes as transformers' convert_file_size_to_int reads them, decimals
// included, rounded down to a byte: the shard count shows the limit that was
// used (tensors of 10, 10, 10, 25 and 5 bytes: a 20-byte limit gives 4 shards,
// 19 bytes gives 5, 60 or more gives 1).
TEST_CASE("st-shard split reads decimal sizes and bits as transformers does", "[cli][shard]") {
  stguard::test::TempDir dir;
  const fs::path in = dir.write("model.safetensors", model_file());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"20", "4 shards"},        {"0.02KB", "4 shards"},    {"0.02kb", "5 shards"},  // bits: 2 bytes
      {"0.16Kb", "4 shards"},    {"0.0195KiB", "5 shards"},  // 19.968 bytes, rounded down
      {"1.5GB", "1 shard,"},     {"500MB", "1 shard,"},      {"10GiB", "1 shard,"},    {"5KB", "1 shard,"},
      {".00002MB", "4 shards"},  {"0.019999999999KB", "5 shards"},
  };
  int folder = 0;
  for (const auto& [size, expected] : cases) {
    INFO(size);
    const fs::path out = dir.path() / std::to_string(folder++);
    const auto split = run_tool("st-shard", {"split", "--max-shard-size", size, in.string(), out.string()});
    REQUIRE(split.exit_status == 0);
    CHECK(split.out.find("written (" + expected) != std::string::npos);
  }
  // Refused: a fraction of a byte, less than one byte, and what is not a number and a unit.
  for (const char* bad : {"1.5", "1.5B", "0.0001KB", "0.004Kb", "1.2.3GB", ".GB", "1e9", "1,5GB", " 5GB"}) {
    INFO(bad);
    CHECK(run_tool("st-shard", {"split", "--max-shard-size", bad, in.string(), (dir.path() / "bad").string()})
              .exit_status == 2);
  }
}
