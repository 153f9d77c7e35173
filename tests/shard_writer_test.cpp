// Sharded checkpoints end to end: the split (sizes, names, index), the
// checker on sets that were tampered with in every way it must notice, the
// joiner (join of a split is byte-identical to the canonical single file),
// and writes that fail or would overwrite leaving the folder as it was.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "stguard/file_validate.hpp"
#include "stguard/shard_index.hpp"
#include "stguard/shard_writer.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;

namespace {

const char* const kShard1 = "model-00001-of-00004.safetensors";
const char* const kShard2 = "model-00002-of-00004.safetensors";
const char* const kShard3 = "model-00003-of-00004.safetensors";
const char* const kShard4 = "model-00004-of-00004.safetensors";
const char* const kIndex = "model.safetensors.index.json";

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

// Five tensors of 10, 10, 10, 25 and 5 bytes, added in that order.
struct Model {
  std::vector<Bytes> data;
  stguard::FileBuilder builder;

  Model() {
    const std::vector<std::pair<std::string, std::size_t>> tensors = {
        {"a", 10}, {"b", 10}, {"c", 10}, {"d", 25}, {"e", 5}};
    data.reserve(tensors.size());
    for (std::size_t t = 0; t < tensors.size(); ++t) {
      Bytes bytes(tensors[t].second);
      for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(t * 40 + i);
      data.push_back(std::move(bytes));
      REQUIRE(builder.add_tensor(tensors[t].first, Dtype::U8, {tensors[t].second}, data.back()));
    }
    REQUIRE(builder.set_metadata("format", "pt"));
  }
};

stguard::ShardWriteOptions max_bytes(std::uint64_t bytes) {
  stguard::ShardWriteOptions options;
  options.max_shard_bytes = bytes;
  return options;
}

fs::path split_model(const stguard::test::TempDir& dir, const Model& model) {
  auto written = stguard::save_sharded(model.builder, dir.path().string(), max_bytes(20));
  INFO((written.ok() ? std::string() : written.error().message));
  REQUIRE(written.ok());
  return dir.path() / written->index_file;
}

stguard::Error check_error(const fs::path& index, const stguard::ShardCheckOptions& options = {}) {
  auto result = stguard::check_shard_index(index.string(), options);
  REQUIRE_FALSE(result.ok());
  return result.error();
}

std::string index_json(const std::string& weight_map, const std::string& total = "60") {
  return R"({"metadata": {"total_size": )" + total + R"(}, "weight_map": {)" + weight_map + "}}";
}

const std::string kGoodMap = std::string(R"("a": ")") + kShard1 + R"(", "b": ")" + kShard1 + R"(", "c": ")" +
                             kShard2 + R"(", "d": ")" + kShard3 + R"(", "e": ")" + kShard4 + "\"";

}  // namespace

TEST_CASE("a split writes shards under the size limit, in order, with a matching index", "[shard][writer]") {
  stguard::test::TempDir dir;
  const Model model;
  const fs::path index_path = split_model(dir, model);
  CHECK(entries(dir.path()) == std::vector<std::string>{kShard1, kShard2, kShard3, kShard4, kIndex});

  // 10+10 fit in 20; the next 10 would not; 25 exceeds the limit alone; then 5.
  const std::vector<std::vector<std::string>> expected = {{"a", "b"}, {"c"}, {"d"}, {"e"}};
  const std::vector<std::string> shards = {kShard1, kShard2, kShard3, kShard4};
  for (std::size_t s = 0; s < shards.size(); ++s) {
    auto header = stguard::validate_path((dir.path() / shards[s]).string(), stguard::Options::strict());
    REQUIRE(header.ok());
    CHECK(*header->metadata_value("format") == "pt");
    std::vector<std::string> names;
    for (const auto& tensor : header->tensors()) names.push_back(tensor.name);
    std::sort(names.begin(), names.end());
    CHECK(names == expected[s]);
  }
  auto set = stguard::check_shard_index(index_path.string());
  REQUIRE(set.ok());
  CHECK(set->total_size == 60);
  CHECK(set->index.total_size == std::optional<std::uint64_t>(60));
  CHECK(set->index.shards.size() == 4);
  CHECK(set->index.shards[set->index.find("d")->shard] == kShard3);
}

TEST_CASE("join of a split is byte-identical to the canonical single file", "[shard][writer]") {
  stguard::test::TempDir dir;
  const Model model;
  const fs::path index_path = split_model(dir, model);
  stguard::test::TempDir out;
  const fs::path joined = out.path() / "joined.safetensors";
  REQUIRE(stguard::join_shards(index_path.string(), joined.string()));
  CHECK(stguard::test::read_file(joined) == model.builder.save().value());

  const fs::path streamed = out.path() / "streamed.safetensors";
  const int fd = ::open(streamed.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  const auto status = stguard::join_shards_to_fd(index_path.string(), fd);
  ::close(fd);
  REQUIRE(status.ok());
  CHECK(stguard::test::read_file(streamed) == model.builder.save().value());
}

TEST_CASE("the checker notices every inconsistency of a shard set", "[shard][check]") {
  stguard::test::TempDir dir;
  const Model model;
  const fs::path index_path = split_model(dir, model);
  REQUIRE(stguard::check_shard_index(index_path.string()).ok());

  SECTION("a missing shard") {
    fs::remove(dir.path() / kShard3);
    const auto error = check_error(index_path);
    CHECK(error.code == ErrorCode::index_shard_invalid);
    CHECK(error.message.find(kShard3) != std::string::npos);
    CHECK(error.message.find("IO_OPEN_FAILED") != std::string::npos);
  }
  SECTION("a shard that is not a valid file") {
    write_text(dir.path() / kShard2, "garbage, not safetensors");
    const auto error = check_error(index_path);
    CHECK(error.code == ErrorCode::index_shard_invalid);
    CHECK(error.message.find(kShard2) != std::string::npos);
  }
  SECTION("a tensor in another shard than the one named") {
    const auto moved = [](const std::string& tensor, const char* from, const char* to) {
      std::string map = kGoodMap;
      const std::string entry = "\"" + tensor + "\": \"";
      map.replace(map.find(entry + from), entry.size() + std::string(from).size(), entry + to);
      return map;
    };
    write_text(index_path, index_json(moved("a", kShard1, kShard2)));
    const auto error = check_error(index_path);
    CHECK(error.code == ErrorCode::index_tensor_elsewhere);
    CHECK(error.tensor == "a");
    CHECK(error.message.find(kShard1) != std::string::npos);
    // Moving "c" leaves its real shard out of the index altogether: the
    // checker cannot see it, and reports "c" missing from the shard named.
    write_text(index_path, index_json(moved("c", kShard2, kShard1)));
    CHECK(check_error(index_path).code == ErrorCode::index_tensor_missing);
  }
  SECTION("a tensor listed but absent") {
    write_text(index_path, index_json(kGoodMap + R"(, "ghost": ")" + kShard1 + "\""));
    const auto error = check_error(index_path);
    CHECK(error.code == ErrorCode::index_tensor_missing);
    CHECK(error.tensor == "ghost");
  }
  SECTION("a tensor present but not listed") {
    std::string map = kGoodMap;
    map.erase(map.find("\"b\""), std::string("\"b\": \"").size() + 32 + 3);
    write_text(index_path, index_json(map));
    const auto error = check_error(index_path);
    CHECK(error.code == ErrorCode::index_tensor_unlisted);
    CHECK(error.tensor == "b");
  }
  SECTION("the same tensor in two shards") {
    stguard::FileBuilder extra;
    const Bytes copy(10, 1);
    const Bytes x(2, 2);
    REQUIRE(extra.add_tensor("a", Dtype::U8, {10}, copy));
    REQUIRE(extra.add_tensor("x", Dtype::U8, {2}, x));
    REQUIRE(extra.save_to_path((dir.path() / "extra.safetensors").string()));
    write_text(index_path, index_json(kGoodMap + R"(, "x": "extra.safetensors")", "62"));
    const auto error = check_error(index_path);
    CHECK(error.code == ErrorCode::index_tensor_elsewhere);
    CHECK(error.tensor == "a");
  }
  SECTION("total_size wrong or missing") {
    write_text(index_path, index_json(kGoodMap, "61"));
    CHECK(check_error(index_path).code == ErrorCode::index_total_size_mismatch);
    // Missing: accepted by default (other exporters omit it), refused when required.
    write_text(index_path, R"({"weight_map": {)" + kGoodMap + "}}");
    CHECK(stguard::check_shard_index(index_path.string()).ok());
    stguard::ShardCheckOptions required;
    required.require_total_size = true;
    CHECK(check_error(index_path, required).code == ErrorCode::index_total_size_mismatch);
  }
  SECTION("a shard name that leaves the folder") {
    write_text(index_path, index_json(kGoodMap + R"(, "z": "../model-00001-of-00004.safetensors")"));
    CHECK(check_error(index_path).code == ErrorCode::index_bad_shard_name);
  }
  SECTION("more shards than allowed") {
    stguard::ShardCheckOptions options;
    options.limits.max_shards = 3;
    CHECK(check_error(index_path, options).code == ErrorCode::index_too_many_shards);
  }
  SECTION("a shard only compat accepts") {
    // Leading whitespace in the header: the reference loads it, strict does not.
    const std::string header = R"( {"e":{"dtype":"U8","shape":[5],"data_offsets":[0,5]}})";
    const Bytes file = stguard::test::make_file(header, model.data[4]);
    dir.write(kShard4, file);
    CHECK(check_error(index_path).code == ErrorCode::index_shard_invalid);
    stguard::ShardCheckOptions compat;
    compat.shard_options = stguard::Options::compat();
    CHECK(stguard::check_shard_index(index_path.string(), compat).ok());
  }
  SECTION("an index that is not there, or not a file") {
    CHECK(check_error(dir.path() / "nope.json").code == ErrorCode::io_open_failed);
    CHECK(check_error(dir.path()).code == ErrorCode::io_not_regular_file);
  }
}

TEST_CASE("join refuses shards whose metadata disagree", "[shard][writer]") {
  stguard::test::TempDir dir;
  const Bytes one(1, 1);
  stguard::FileBuilder first;
  REQUIRE(first.add_tensor("a", Dtype::U8, {1}, one));
  REQUIRE(first.set_metadata("format", "pt"));
  REQUIRE(first.save_to_path((dir.path() / "s1.safetensors").string()));
  stguard::FileBuilder second;
  REQUIRE(second.add_tensor("b", Dtype::U8, {1}, one));
  REQUIRE(second.set_metadata("format", "np"));
  REQUIRE(second.save_to_path((dir.path() / "s2.safetensors").string()));
  const fs::path index = dir.path() / "index.json";
  write_text(index, R"({"metadata": {"total_size": 2}, "weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}})");
  REQUIRE(stguard::check_shard_index(index.string()).ok());
  const auto status = stguard::join_shards(index.string(), (dir.path() / "out.safetensors").string());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::invalid_argument);
  CHECK(status.error().message.find("\"format\"") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "out.safetensors"));
}

TEST_CASE("a failed split leaves the folder as it was", "[shard][writer]") {
  stguard::test::TempDir dir;
  const Bytes keep = stguard::test::as_bytes("someone else's file");
  dir.write("unrelated.txt", keep);
  const Bytes good(10, 1);
  const Bytes other(10, 2);
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("a", Dtype::U8, {10}, good));
  REQUIRE(builder.add_tensor("b", Dtype::U8, {10}, other));
  REQUIRE(builder.add_tensor("c", Dtype::U8, {10}, [](stguard::ByteSink& out) -> stguard::Status {
    const Bytes some(4, 3);
    if (auto status = out.write(some); !status) return status;
    return stguard::make_error(ErrorCode::producer_failed, "source vanished");
  }));
  auto written = stguard::save_sharded(builder, dir.path().string(), max_bytes(10));
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().code == ErrorCode::producer_failed);
  CHECK(entries(dir.path()) == std::vector<std::string>{"unrelated.txt"});
}

TEST_CASE("a split does not overwrite unless asked", "[shard][writer]") {
  stguard::test::TempDir dir;
  const Model model;
  const Bytes old_index = stguard::test::as_bytes("{\"old\": true}");
  dir.write(kIndex, old_index);
  auto refused = stguard::save_sharded(model.builder, dir.path().string(), max_bytes(20));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::io_write_failed);
  CHECK(entries(dir.path()) == std::vector<std::string>{kIndex});
  CHECK(stguard::test::read_file(dir.path() / kIndex) == old_index);

  auto options = max_bytes(20);
  options.replace_existing = true;
  auto replaced = stguard::save_sharded(model.builder, dir.path().string(), options);
  REQUIRE(replaced.ok());
  CHECK(stguard::check_shard_index((dir.path() / kIndex).string()).ok());
}

TEST_CASE("split options are checked", "[shard][writer]") {
  stguard::test::TempDir dir;
  const Model model;
  CHECK(stguard::save_sharded(model.builder, dir.path().string(), max_bytes(0)).error().code ==
        ErrorCode::invalid_argument);
  auto bad_base = max_bytes(20);
  bad_base.base_name = "../escape";
  CHECK(stguard::save_sharded(model.builder, dir.path().string(), bad_base).error().code ==
        ErrorCode::invalid_argument);
  CHECK(stguard::save_sharded(stguard::FileBuilder(), dir.path().string(), max_bytes(20)).error().code ==
        ErrorCode::invalid_argument);
  CHECK(stguard::save_sharded(model.builder, (dir.path() / "missing").string(), max_bytes(20)).error().code ==
        ErrorCode::io_open_failed);
  CHECK(fs::is_empty(dir.path()));
  CHECK(stguard::shard_file_name("model", 3, 123456) == "model-000003-of-123456.safetensors");
  CHECK(stguard::shard_file_name("m", 1, 2) == "m-00001-of-00002.safetensors");
}
