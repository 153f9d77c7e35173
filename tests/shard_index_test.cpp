// The hermetic index parser: what a valid index looks like, every way an
// untrusted index is refused (syntax, encoding, schema, duplicate keys after
// unescaping, shard names that could reach outside the folder, limits), and
// serialise -> parse round trips.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "stguard/shard_index.hpp"
#include "support/test_files.hpp"

using stguard::ErrorCode;
using stguard::ShardIndex;

namespace {

stguard::Result<ShardIndex> parse(const std::string& text, const stguard::ShardIndexLimits& limits = {}) {
  return stguard::parse_shard_index(stguard::test::as_bytes(text), limits);
}

ErrorCode code_of(const std::string& text, const stguard::ShardIndexLimits& limits = {}) {
  auto result = parse(text, limits);
  INFO("index: " << text);
  REQUIRE_FALSE(result.ok());
  return result.error().code;
}

std::string with_map(const std::string& weight_map) {
  return R"({"metadata": {"total_size": 10}, "weight_map": )" + weight_map + "}";
}

}  // namespace

TEST_CASE("a transformers-style index parses", "[shard][index]") {
  const std::string text = R"({
  "metadata": {
    "total_parameters": 12345,
    "total_size": 48
  },
  "weight_map": {
    "lm_head.weight": "model-00002-of-00002.safetensors",
    "model.embed.weight": "model-00001-of-00002.safetensors",
    "model.norm.weight": "model-00002-of-00002.safetensors"
  },
  "extra": [1, {"nested": null}, "x"]
}
)";
  auto index = parse(text);
  REQUIRE(index.ok());
  CHECK(index->total_size == std::optional<std::uint64_t>(48));
  CHECK(index->shards ==
        std::vector<std::string>{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"});
  REQUIRE(index->weight_map.size() == 3);
  CHECK(index->weight_map[0].tensor == "lm_head.weight");
  const auto* norm = index->find("model.norm.weight");
  REQUIRE(norm != nullptr);
  CHECK(index->shards[norm->shard] == "model-00002-of-00002.safetensors");
  CHECK(index->find("missing") == nullptr);
}

TEST_CASE("an index without metadata or total_size parses; total_size is then unknown", "[shard][index]") {
  auto index = parse(R"({"weight_map": {"a": "s.safetensors"}})");
  REQUIRE(index.ok());
  CHECK_FALSE(index->total_size.has_value());
}

TEST_CASE("malformed or hostile indexes are refused with index codes", "[shard][index]") {
  struct Case {
    const char* what;
    std::string text;
    ErrorCode expected;
  };
  const std::vector<Case> cases = {
      {"empty", "", ErrorCode::index_invalid_json},
      {"not an object", "[]", ErrorCode::index_invalid_json},
      {"no weight_map", R"({"metadata": {"total_size": 1}})", ErrorCode::index_invalid_json},
      {"weight_map not an object", R"({"weight_map": ["a"]})", ErrorCode::index_invalid_json},
      {"metadata null", R"({"metadata": null, "weight_map": {}})", ErrorCode::index_invalid_json},
      {"shard not a string", with_map(R"({"a": 1})"), ErrorCode::index_bad_shard_name},
      {"trailing comma", with_map(R"({"a": "s",})"), ErrorCode::index_invalid_json},
      {"comment", "// x\n" + with_map("{}"), ErrorCode::index_invalid_json},
      {"trailing garbage", with_map("{}") + "x", ErrorCode::index_invalid_json},
      {"NUL then garbage", with_map("{}") + std::string("\0{}", 3), ErrorCode::index_invalid_json},
      {"BOM", "\xEF\xBB\xBF" + with_map("{}"), ErrorCode::index_invalid_json},
      {"invalid UTF-8", with_map("{\"a\xFF\": \"s\"}"), ErrorCode::index_invalid_json},
      {"lone surrogate", with_map(R"({"\ud800": "s"})"), ErrorCode::index_invalid_json},
      {"duplicate tensor", with_map(R"({"a": "s1", "a": "s2"})"), ErrorCode::index_invalid_json},
      {"duplicate after unescaping", with_map(R"({"a": "s", "\u0061": "s"})"), ErrorCode::index_invalid_json},
      {"duplicate weight_map", R"({"weight_map": {}, "weight_map": {"a": "s"}})", ErrorCode::index_invalid_json},
      {"duplicate metadata", R"({"metadata": {}, "metadata": {}, "weight_map": {}})", ErrorCode::index_invalid_json},
      {"duplicate total_size", R"({"metadata": {"total_size": 1, "total_size": 2}, "weight_map": {}})",
       ErrorCode::index_invalid_json},
      {"total_size 1.0", R"({"metadata": {"total_size": 1.0}, "weight_map": {}})", ErrorCode::index_invalid_json},
      {"total_size -1", R"({"metadata": {"total_size": -1}, "weight_map": {}})", ErrorCode::index_invalid_json},
      {"total_size 1e3", R"({"metadata": {"total_size": 1e3}, "weight_map": {}})", ErrorCode::index_invalid_json},
      {"total_size string", R"({"metadata": {"total_size": "12"}, "weight_map": {}})", ErrorCode::index_invalid_json},
      {"total_size 2^53", R"({"metadata": {"total_size": 9007199254740992}, "weight_map": {}})",
       ErrorCode::index_invalid_json},
      {"total_size 2^64", R"({"metadata": {"total_size": 18446744073709551616}, "weight_map": {}})",
       ErrorCode::index_invalid_json},
      {"empty tensor name", with_map(R"({"": "s"})"), ErrorCode::invalid_tensor_name},
      {"control character in a name", with_map(R"({"a\nb": "s"})"), ErrorCode::invalid_tensor_name},
      {"__metadata__ as a tensor", with_map(R"({"__metadata__": "s"})"), ErrorCode::invalid_tensor_name},
      {"parent folder", with_map(R"({"a": "../model.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"absolute path", with_map(R"({"a": "/etc/passwd"})"), ErrorCode::index_bad_shard_name},
      {"subfolder", with_map(R"({"a": "sub/model.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"backslash", with_map(R"({"a": "..\\model.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"URL", with_map(R"({"a": "https://example.com/x.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"drive letter", with_map(R"({"a": "C:model.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"empty shard name", with_map(R"({"a": ""})"), ErrorCode::index_bad_shard_name},
      {"dot", with_map(R"({"a": "."})"), ErrorCode::index_bad_shard_name},
      {"dot dot", with_map(R"({"a": ".."})"), ErrorCode::index_bad_shard_name},
      {"NUL in a shard name", with_map(R"({"a": "x\u0000.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"newline in a shard name", with_map(R"({"a": "x\n.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"C1 in a shard name", with_map(R"({"a": "x\u0085.safetensors"})"), ErrorCode::index_bad_shard_name},
      {"256-byte shard name", with_map(R"({"a": ")" + std::string(256, 's') + "\"}"), ErrorCode::index_bad_shard_name},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(code_of(c.text) == c.expected);
  }
}

TEST_CASE("index limits: shards, tensors, name bytes, depth", "[shard][index]") {
  stguard::ShardIndexLimits limits;
  limits.max_shards = 2;
  CHECK(code_of(with_map(R"({"a": "s1", "b": "s2", "c": "s3"})"), limits) == ErrorCode::index_too_many_shards);
  CHECK(parse(with_map(R"({"a": "s1", "b": "s2", "c": "s2"})"), limits).ok());
  limits = {};
  limits.max_tensors = 2;
  CHECK(code_of(with_map(R"({"a": "s", "b": "s", "c": "s"})"), limits) == ErrorCode::limit_tensor_count);
  limits = {};
  limits.max_name_bytes = 3;
  CHECK(code_of(with_map(R"({"abcd": "s"})"), limits) == ErrorCode::limit_name_bytes);
  limits = {};
  limits.max_depth = 4;
  CHECK(parse(R"({"x": [[1]], "weight_map": {}})", limits).ok());  // depth 3
  CHECK(code_of(R"({"x": [[[[1]]]], "weight_map": {}})", limits) == ErrorCode::limit_depth);
  // The default depth limit stops a deeply nested ignored value early.
  const std::string deep = R"({"x": )" + std::string(100'000, '[') + std::string(100'000, ']') + R"(, "weight_map": {}})";
  CHECK(code_of(deep) == ErrorCode::limit_depth);
}

TEST_CASE("errors carry the byte offset and the tensor", "[shard][index]") {
  const std::string text = R"({"weight_map": {"a": "ok.safetensors", "b": "../evil"}})";
  auto result = parse(text);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::index_bad_shard_name);
  CHECK(result.error().tensor == "b");
  CHECK(result.error().has_offset());
  CHECK(result.error().offset <= text.size());
}

TEST_CASE("serialise then parse gives the same index, in the transformers layout", "[shard][index]") {
  ShardIndex index;
  index.total_size = 1234;
  index.shards = {"m-1.safetensors", "m-2.safetensors"};
  index.weight_map = {{"a.weight", 1}, {"b.\"quoted\"\\name", 0}, {"c\xC3\xA9", 1}};
  auto text = stguard::serialize_shard_index(index);
  REQUIRE(text.ok());
  CHECK(text.value() ==
        "{\n  \"metadata\": {\n    \"total_size\": 1234\n  },\n  \"weight_map\": {\n"
        "    \"a.weight\": \"m-2.safetensors\",\n"
        "    \"b.\\\"quoted\\\"\\\\name\": \"m-1.safetensors\",\n"
        "    \"c\xC3\xA9\": \"m-2.safetensors\"\n  }\n}\n");
  auto back = parse(text.value());
  REQUIRE(back.ok());
  CHECK(back->total_size == index.total_size);
  CHECK(back->shards == index.shards);
  REQUIRE(back->weight_map.size() == index.weight_map.size());
  for (std::size_t k = 0; k < index.weight_map.size(); ++k) {
    CHECK(back->weight_map[k].tensor == index.weight_map[k].tensor);
    CHECK(back->weight_map[k].shard == index.weight_map[k].shard);
  }
}

TEST_CASE("serialise refuses an index it could not write faithfully", "[shard][index]") {
  ShardIndex unsorted;
  unsorted.shards = {"s"};
  unsorted.weight_map = {{"b", 0}, {"a", 0}};
  CHECK(stguard::serialize_shard_index(unsorted).error().code == ErrorCode::invalid_argument);
  ShardIndex bad_shard;
  bad_shard.shards = {"../s"};
  bad_shard.weight_map = {{"a", 0}};
  CHECK(stguard::serialize_shard_index(bad_shard).error().code == ErrorCode::index_bad_shard_name);
  ShardIndex unused;
  unused.shards = {"s1", "s2"};
  unused.weight_map = {{"a", 0}};
  CHECK(stguard::serialize_shard_index(unused).error().code == ErrorCode::invalid_argument);
  ShardIndex out_of_range;
  out_of_range.shards = {"s1"};
  out_of_range.weight_map = {{"a", 3}};
  CHECK(stguard::serialize_shard_index(out_of_range).error().code == ErrorCode::invalid_argument);
  for (const char* bad_name : {"", "__metadata__", "a\x01" "b", "\xff"}) {
    ShardIndex bad_tensor;
    bad_tensor.shards = {"s"};
    bad_tensor.weight_map = {{bad_name, 0}};
    CHECK(stguard::serialize_shard_index(bad_tensor).error().code == ErrorCode::invalid_tensor_name);
  }
  ShardIndex unsorted_shards;
  unsorted_shards.shards = {"s2", "s1"};
  unsorted_shards.weight_map = {{"a", 0}, {"b", 1}};
  CHECK(stguard::serialize_shard_index(unsorted_shards).error().code == ErrorCode::invalid_argument);
  ShardIndex duplicate_shards;
  duplicate_shards.shards = {"s", "s"};
  duplicate_shards.weight_map = {{"a", 0}, {"b", 1}};
  CHECK(stguard::serialize_shard_index(duplicate_shards).error().code == ErrorCode::invalid_argument);
  ShardIndex huge_total;
  huge_total.shards = {"s"};
  huge_total.weight_map = {{"a", 0}};
  huge_total.total_size = (std::uint64_t{1} << 53);
  CHECK(stguard::serialize_shard_index(huge_total).error().code == ErrorCode::invalid_argument);
  huge_total.total_size = (std::uint64_t{1} << 53) - 1;
  CHECK(stguard::serialize_shard_index(huge_total).ok());
}

TEST_CASE("shard_name_problem accepts plain names only", "[shard][index]") {
  CHECK_FALSE(stguard::shard_name_problem("model-00001-of-00002.safetensors"));
  CHECK_FALSE(stguard::shard_name_problem("\xC3\xA9t\xC3\xA9.safetensors"));
  CHECK_FALSE(stguard::shard_name_problem(".hidden.safetensors"));
  for (const char* bad : {"", ".", "..", "a..b", "a/b", "a\\b", "s3:x", "a\tb", "a\x7F"}) {
    INFO(bad);
    CHECK(stguard::shard_name_problem(bad).has_value());
  }
  CHECK(stguard::shard_name_problem(std::string(256, 'x')).has_value());
  CHECK_FALSE(stguard::shard_name_problem(std::string(255, 'x')).has_value());
}
