// Rules of docs/profiles.md that the corpus cannot show on its own: configurable
// limits (and that they report the limit class), what a validated Header
// exposes, error offsets and tensor names, and the strict violations a
// compat parse records for the audit layer.
#include <catch2/catch.hpp>
#include <string>

#include "stguard/validate.hpp"
#include "support/test_files.hpp"

using namespace stguard;
using test::make_file;
using test::tensor_json;

namespace {

std::string many_tensors(std::size_t count) {
  std::string header = "{";
  for (std::size_t i = 0; i < count; ++i) {
    if (i) header += ',';
    header += "\"t" + std::to_string(i) + "\":" + tensor_json("U8", {1}, i, i + 1);
  }
  return header + "}";
}

ErrorCode code_of(const Result<Header>& result) {
  REQUIRE_FALSE(result.ok());
  return result.error().code;
}

}  // namespace

TEST_CASE("a valid header exposes tensors in data order, lookup by name and metadata", "[validate]") {
  const std::string header = R"({"__metadata__":{"z":"last","a":"first"},"b":)" + tensor_json("F32", {2}, 4, 12) +
                             R"(,"a":)" + tensor_json("U8", {4}, 0, 4) + R"(,"e":)" + tensor_json("F16", {0, 3}, 12, 12) + "}";
  const auto file = make_file(header, 12);
  const auto result = validate_file(file);
  REQUIRE(result.ok());
  const Header& parsed = result.value();
  REQUIRE(parsed.tensor_count() == 3);
  CHECK(parsed.tensors()[0].name == "a");
  CHECK(parsed.tensors()[1].name == "b");
  CHECK(parsed.tensors()[2].name == "e");
  CHECK(parsed.tensors()[1].dtype == Dtype::F32);
  CHECK(parsed.tensors()[1].element_count == 2);
  CHECK(parsed.tensors()[2].element_count == 0);
  CHECK(parsed.header_length() == header.size());
  CHECK(parsed.data_offset() == 8 + header.size());
  CHECK(parsed.data_size() == 12);
  CHECK(parsed.file_size() == file.size());
  REQUIRE(parsed.find("b") != nullptr);
  CHECK(parsed.find("b")->begin == 4);
  CHECK(parsed.find("c") == nullptr);
  CHECK(parsed.find("") == nullptr);
  REQUIRE(parsed.metadata().size() == 2);
  CHECK(parsed.metadata()[0].key == "a");  // sorted by key
  REQUIRE(parsed.metadata_value("z") != nullptr);
  CHECK(*parsed.metadata_value("z") == "last");
  CHECK(parsed.metadata_value("q") == nullptr);
  CHECK(parsed.has_metadata_object());
  CHECK(parsed.strict_violations().empty());
}

TEST_CASE("header length caps: format maximum versus the configured limit", "[validate][limit]") {
  auto file = make_file("{}");
  Options options = Options::strict();
  options.limits.max_header_bytes = 1;
  CHECK(code_of(validate_file(file, options)) == ErrorCode::limit_header_bytes);
  CHECK(validate_file(file, options).error().error_class() == ErrorClass::limit);
  options.limits.max_header_bytes = 2;
  CHECK(validate_file(file, options).ok());
  // A limit above the format maximum does not raise it.
  options.limits.max_header_bytes = kUnlimited;
  const std::uint8_t too_large[] = {0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0, '{', '}'};  // 100,000,001
  CHECK(code_of(validate_file(too_large, options)) == ErrorCode::header_too_large);
  CHECK(validate_file(too_large, options).error().error_class() == ErrorClass::framing);
  // Exactly 100,000,000 passes the cap and then fails on the file size.
  const std::uint8_t at_max[] = {0x00, 0xE1, 0xF5, 0x05, 0, 0, 0, 0, '{', '}'};
  CHECK(code_of(validate_file(at_max, options)) == ErrorCode::header_past_eof);
}

TEST_CASE("max_tensors, max_rank, max_name_bytes, max_integer and max_depth are limits in both profiles",
          "[validate][limit]") {
  for (const Profile profile : {Profile::strict, Profile::compat}) {
    INFO(profile_name(profile));
    Options options = Options::for_profile(profile);
    const auto ten = make_file(many_tensors(10), 10);
    REQUIRE(validate_file(ten, options).ok());
    options.limits.max_tensors = 9;
    CHECK(code_of(validate_file(ten, options)) == ErrorCode::limit_tensor_count);
    options.limits.max_tensors = 10;
    CHECK(validate_file(ten, options).ok());

    options = Options::for_profile(profile);
    const auto rank3 = make_file(R"({"w":)" + tensor_json("U8", {1, 1, 1}, 0, 1) + "}", 1);
    options.limits.max_rank = 2;
    CHECK(code_of(validate_file(rank3, options)) == ErrorCode::limit_rank);
    options.limits.max_rank = 3;
    CHECK(validate_file(rank3, options).ok());

    options = Options::for_profile(profile);
    const auto named = make_file(R"({"abcd":)" + tensor_json("U8", {1}, 0, 1) + "}", 1);
    options.limits.max_name_bytes = 3;
    const auto long_name = validate_file(named, options);
    CHECK(code_of(long_name) == ErrorCode::limit_name_bytes);
    CHECK(long_name.error().tensor == "abcd");
    options.limits.max_name_bytes = 4;
    CHECK(validate_file(named, options).ok());

    options = Options::for_profile(profile);
    const auto big_dim = make_file(R"({"w":)" + tensor_json("U8", {1000, 0}, 0, 0) + "}");
    options.limits.max_integer = 999;
    CHECK(code_of(validate_file(big_dim, options)) == ErrorCode::limit_integer);
    options.limits.max_integer = 1000;
    CHECK(validate_file(big_dim, options).ok());

    options = Options::for_profile(profile);
    const auto depth3 = make_file(R"({"w":)" + tensor_json("U8", {1}, 0, 1) + "}", 1);  // object, object, array
    options.limits.max_depth = 2;
    CHECK(code_of(validate_file(depth3, options)) == ErrorCode::limit_depth);
    options.limits.max_depth = 3;
    CHECK(validate_file(depth3, options).ok());
  }
}

TEST_CASE("compat never nests deeper than the reference, whatever max_depth says", "[validate][limits]") {
  // 1 (root) + 1 (tensor) + n nested arrays in an unknown field
  const auto nested = [](std::size_t arrays) {
    return make_file(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":)" + std::string(arrays, '[') +
                         std::string(arrays, ']') + "}}",
                     1);
  };
  Options options = Options::compat();
  options.limits.max_depth = 1000;
  CHECK(validate_file(nested(125), options).ok());  // 127 levels, the reference's limit
  const auto deeper = validate_file(nested(126), options);
  REQUIRE_FALSE(deeper.ok());
  CHECK(deeper.error().code == ErrorCode::limit_depth);
  options.limits.max_depth = 10;  // a lower limit still holds
  CHECK(validate_file(nested(9), options).error().code == ErrorCode::limit_depth);
  CHECK(validate_file(nested(8), options).ok());
}

TEST_CASE("errors carry the file offset and the tensor involved", "[validate][errors]") {
  const std::string header = R"({"good":)" + tensor_json("U8", {2}, 0, 2) + R"(,"bad":)" + tensor_json("F32", {2}, 2, 6) + "}";
  const auto result = validate_file(make_file(header, 6));
  REQUIRE(code_of(result) == ErrorCode::size_mismatch);
  CHECK(result.error().tensor == "bad");
  CHECK(result.error().has_offset());
  // The offset points at the tensor's name inside the header.
  CHECK(result.error().offset == 8 + header.find("\"bad\""));
  CHECK(result.error().error_class() == ErrorClass::layout);

  const auto bad_utf8 = validate_file(make_file("{\"\xff\":1}"));
  REQUIRE(code_of(bad_utf8) == ErrorCode::invalid_utf8);
  CHECK(bad_utf8.error().offset == 10);  // 8 + position of 0xFF
}

TEST_CASE("compat records every strict rejection it tolerated", "[validate][compat]") {
  const std::string header =
      R"( {"__metadata__":{"k":"a","k":"b"},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1},)"
      R"("w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"":{"dtype":"U8","shape":[0],"data_offsets":[1,1]}})"
      "\n";
  const auto file = make_file(header, 1);
  CHECK_FALSE(validate_file(file, Options::strict()).ok());
  const auto result = validate_file(file, Options::compat());
  REQUIRE(result.ok());
  std::vector<ErrorCode> codes;
  for (const Error& violation : result.value().strict_violations()) codes.push_back(violation.code);
  const auto has = [&](ErrorCode code) { return std::find(codes.begin(), codes.end(), code) != codes.end(); };
  CHECK(has(ErrorCode::header_not_object_start));
  CHECK(has(ErrorCode::padding_not_spaces));
  CHECK(has(ErrorCode::duplicate_metadata_key));
  CHECK(has(ErrorCode::duplicate_tensor_name));
  CHECK(has(ErrorCode::unknown_tensor_field));
  CHECK(has(ErrorCode::invalid_tensor_name));
  CHECK(*result.value().metadata_value("k") == "b");  // last wins
  CHECK(result.value().tensor_count() == 2);

  Options quiet = Options::compat();
  quiet.max_recorded_violations = 2;
  const auto capped = validate_file(file, quiet);
  REQUIRE(capped.ok());
  CHECK(capped.value().strict_violations().size() == 2);
  CHECK(capped.value().violations_truncated());
}

TEST_CASE("compat keeps the last duplicate, exactly as the reference", "[validate][compat]") {
  const std::string header = R"({"w":)" + tensor_json("U8", {4}, 0, 4) + R"(,"w":)" + tensor_json("F32", {1}, 0, 4) + "}";
  const auto result = validate_file(make_file(header, 4), Options::compat());
  REQUIRE(result.ok());
  REQUIRE(result.value().tensor_count() == 1);
  CHECK(result.value().tensors()[0].dtype == Dtype::F32);
}

TEST_CASE("a 200,000-tensor header validates (sort-based duplicate detection)", "[validate][scale]") {
  const auto file = make_file(many_tensors(200'000), 200'000);
  const auto result = validate_file(file);
  REQUIRE(result.ok());
  CHECK(result.value().tensor_count() == 200'000);
  CHECK(result.value().find("t199999") != nullptr);
  // One duplicate among 200,000 names is found and named.
  std::string header = many_tensors(200'000);
  header.insert(header.size() - 1, R"(,"t5":)" + tensor_json("U8", {0}, 0, 0));
  const auto dup = validate_file(make_file(header, 200'000));
  REQUIRE(code_of(dup) == ErrorCode::duplicate_tensor_name);
  CHECK(dup.error().tensor == "t5");
}

TEST_CASE("parse_header judges bare header bytes against a data size", "[validate]") {
  const std::string header = R"({"w":)" + tensor_json("U8", {3}, 0, 3) + "}";
  const auto bytes = test::as_bytes(header);
  CHECK(parse_header(bytes, 3).ok());
  CHECK(code_of(parse_header(bytes, 2)) == ErrorCode::data_truncated);
  CHECK(code_of(parse_header(bytes, 4)) == ErrorCode::trailing_bytes);
  CHECK(code_of(parse_header(bytes, 3, [] {
          Options o;
          o.limits.max_header_bytes = 5;
          return o;
        }())) == ErrorCode::limit_header_bytes);
}

TEST_CASE("prefix validation needs only 8 + N bytes and says when it has fewer", "[validate][prefix]") {
  const std::string header = R"({"w":)" + tensor_json("U8", {1000}, 0, 1000) + "}";
  const auto file = make_file(header, 1000);
  const std::span<const std::uint8_t> all(file);
  CHECK(validate_prefix(all.first(8 + header.size()), file.size()).ok());
  CHECK(code_of(validate_prefix(all.first(8 + header.size()), file.size() + 1)) == ErrorCode::trailing_bytes);
  CHECK(code_of(validate_prefix(all.first(8 + header.size()), file.size() - 1)) == ErrorCode::data_truncated);
  const auto short_prefix = validate_prefix(all.first(20), file.size());
  CHECK(code_of(short_prefix) == ErrorCode::io_read_failed);
  CHECK(code_of(validate_prefix(all.first(4), file.size())) == ErrorCode::io_read_failed);
  CHECK(code_of(validate_prefix(all.first(4), 4)) == ErrorCode::file_too_small);
}

TEST_CASE("compat duplicates keep every other tensor intact", "[validate][compat]") {
  // Regression: compacting the entries once moved an entry onto itself, which
  // emptied the shapes of tensors that came before the first duplicate.
  const std::string header = R"({"z":)" + tensor_json("F32", {2, 1}, 0, 8) + R"(,"w":)" + tensor_json("U8", {9}, 0, 9) +
                             R"(,"w":)" + tensor_json("U8", {3}, 8, 11) + "}";
  const auto result = validate_file(make_file(header, 11), Options::compat());
  REQUIRE(result.ok());
  REQUIRE(result.value().find("z") != nullptr);
  CHECK(result.value().find("z")->shape == std::vector<std::uint64_t>{2, 1});
  CHECK(result.value().find("w")->shape == std::vector<std::uint64_t>{3});
}

TEST_CASE("padding errors point at the offending byte", "[validate][errors]") {
  const std::string header = R"({"w":)" + tensor_json("U8", {1}, 0, 1) + "}  \n ";
  const auto result = validate_file(make_file(header, 1));
  REQUIRE(code_of(result) == ErrorCode::padding_not_spaces);
  CHECK(result.error().offset == 8 + header.find('\n'));
  const std::string trailing = R"({"w":)" + tensor_json("U8", {1}, 0, 1) + "} x";
  const auto garbage = validate_file(make_file(trailing, 1), Options::compat());
  REQUIRE(code_of(garbage) == ErrorCode::json_trailing_content);
  CHECK(garbage.error().offset == 8 + trailing.find('x'));
}

TEST_CASE("the padding rule applies once the JSON and the schema have passed", "[validate][errors]") {
  // The encoding step finds the tab in the padding before any JSON is read,
  // but an error inside the JSON or the schema comes first, in both profiles.
  const auto tab_padded = [](const std::string& json) { return make_file(json + " \t ", 0); };
  CHECK(code_of(validate_file(tab_padded(R"({"w":1})"))) == ErrorCode::tensor_not_object);
  CHECK(code_of(validate_file(tab_padded(R"({"w":{"dtype":"X"}})"))) == ErrorCode::unknown_dtype);
  CHECK(code_of(validate_file(tab_padded(R"({"w":)"))) == ErrorCode::json_unexpected_end);
  CHECK(code_of(validate_file(tab_padded(R"({} x)"))) == ErrorCode::json_trailing_content);
  const auto padded = validate_file(tab_padded("{}"));
  REQUIRE(code_of(padded) == ErrorCode::padding_not_spaces);
  CHECK(padded.error().offset == 8 + 3);
  // Leading whitespace is refused before the JSON in strict, recorded in compat
  // (with the padding, after what the schema recorded).
  CHECK(code_of(validate_file(make_file(R"( {"w":1})", 0))) == ErrorCode::header_not_object_start);
  const auto compat = validate_file(make_file("\n{\"__metadata__\":null}\t", 0), Options::compat());
  REQUIRE(compat.ok());
  std::vector<ErrorCode> codes;
  for (const Error& violation : compat.value().strict_violations()) codes.push_back(violation.code);
  CHECK(codes == std::vector<ErrorCode>{ErrorCode::metadata_null, ErrorCode::header_not_object_start,
                                        ErrorCode::padding_not_spaces});
}

TEST_CASE("a lone surrogate escape is refused wherever it sits, plain strings around it or not",
          "[validate][json]") {
  const std::string tensor = tensor_json("U8", {0}, 0, 0);
  const auto parse = [](const std::string& header) { return validate_file(make_file(header, 0), Options::compat()); };
  CHECK(code_of(parse(R"({"a\udc00":)" + tensor + "}")) == ErrorCode::json_invalid_string);
  CHECK(code_of(parse(R"({"a\nb\udc00":)" + tensor + "}")) == ErrorCode::json_invalid_string);
  CHECK(code_of(parse(R"({"__metadata__":{"k":"\udc00"}})")) == ErrorCode::json_invalid_string);
  CHECK(code_of(parse(R"({"__metadata__":{"\n":"x","k":"v\udfff"}})")) == ErrorCode::json_invalid_string);
  // An escape in one string never makes the next, plain one suspect, and a
  // valid pair decodes to a code point, not to a surrogate.
  const auto fine = parse(R"({"__metadata__":{"\n":"\ud83d\ude00","k":"\u00e9"}})");
  REQUIRE(fine.ok());
  CHECK(*fine.value().metadata_value("\n") == "\xF0\x9F\x98\x80");
}
