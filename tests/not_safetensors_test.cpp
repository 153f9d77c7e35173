// Files that are not safetensors at all (an index, an LFS pointer, an HTML
// page, JSON, text) get a code that says what they are, and the same code
// from every way of validating them: whole file, prefix, descriptor, path and
// stream in any chunking. Binary prefixes and real framing errors keep theirs.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "stguard/file_validate.hpp"
#include "stguard/stream_validator.hpp"
#include "stguard/validate.hpp"
#include "support/test_files.hpp"

using namespace stguard;
using test::as_bytes;
using test::Bytes;

namespace {

struct Sample {
  const char* what;
  std::string bytes;
  ErrorCode code;
  const char* advice;  // a piece of the message that tells the user what to do
};

std::vector<Sample> samples() {
  const std::string index =
      "{\n  \"metadata\": {\n    \"total_size\": 16\n  },\n  \"weight_map\": {\n"
      "    \"a\": \"model-00001-of-00002.safetensors\"\n  }\n}\n";
  const std::string pointer =
      "version https://git-lfs.github.com/spec/v1\n"
      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
  std::string long_text(600, 'x');
  return {
      {"index", index, ErrorCode::not_safetensors_shard_index, "st-shard check"},
      {"index with weight_map first", R"({"weight_map": {"a": "s.safetensors"}})",
       ErrorCode::not_safetensors_shard_index, "st-shard check"},
      {"LFS pointer", pointer, ErrorCode::not_safetensors_lfs_pointer, "git lfs pull"},
      {"HTML", "<!DOCTYPE html>\n<html><body>404</body></html>", ErrorCode::not_safetensors_html, "HTML"},
      {"HTML after a BOM and blanks", "\xef\xbb\xbf \r\n\t<html lang=\"en\">", ErrorCode::not_safetensors_html,
       "HTML"},
      {"HTML in upper case", "<HTML><HEAD>", ErrorCode::not_safetensors_html, "HTML"},
      {"JSON header without its length", R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})",
       ErrorCode::not_safetensors_json, "JSON"},
      {"JSON array", "[1, 2, 3, 4, 5]", ErrorCode::not_safetensors_json, "JSON"},
      {"README", "# A model card\n\nTrained on ...\n", ErrorCode::not_safetensors_text, "text"},
      {"UTF-8 text", "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln", ErrorCode::not_safetensors_text, "text"},
      {"text longer than the window", long_text, ErrorCode::not_safetensors_text, "text"},
  };
}

// Binary prefixes, and text spoiled by a byte no text has, keep the plain code.
std::vector<std::pair<std::string, ErrorCode>> not_recognised() {
  return {
      {std::string("PK\x03\x04\x14\x00\x00\x00{}", 10), ErrorCode::header_too_large},
      {std::string("\x80\x02}q\x00.\x01\x02", 8), ErrorCode::header_too_large},
      {std::string("{\"weight_map\": {}}\x01"), ErrorCode::header_too_large},
      {std::string("version https://git-lfs.github.com/spec/v1\n\x00", 44), ErrorCode::header_too_large},
      {std::string("<html>\xff\xff"), ErrorCode::header_too_large},
      {std::string("\x02\x00\x00\x00\x00\x00\x00\x00{}", 9), ErrorCode::header_past_eof},
  };
}

Result<Header> validate_by_stream(const Bytes& file, std::size_t chunk) {
  StreamValidator stream;
  for (std::size_t at = 0; at < file.size(); at += chunk) {
    if (!stream.feed(std::span(file).subspan(at, std::min(chunk, file.size() - at)))) break;
  }
  return stream.finish();
}

Result<Header> validate_by_path(const Bytes& file) {
  test::TempDir dir;
  return validate_path(dir.write("file.safetensors", file).string());
}

}  // namespace

TEST_CASE("files that are not safetensors get a code saying what they are, every way", "[validate][not_safetensors]") {
  for (const Sample& sample : samples()) {
    INFO(sample.what);
    const Bytes file = as_bytes(sample.bytes);
    for (const Options& options : {Options::strict(), Options::compat()}) {
      const auto whole = validate_file(file, options);
      REQUIRE_FALSE(whole.ok());
      CHECK(whole.error().code == sample.code);
      CHECK(whole.error().error_class() == ErrorClass::framing);
      CHECK(whole.error().offset == 0);
      CHECK(whole.error().message.find(sample.advice) != std::string::npos);
      const auto length = read_header_length(file, file.size(), options);
      REQUIRE_FALSE(length.ok());
      CHECK(length.error().code == sample.code);
    }
    const auto whole = validate_file(file);
    const auto by_path = validate_by_path(file);
    REQUIRE_FALSE(by_path.ok());
    CHECK(by_path.error().code == sample.code);
    CHECK(by_path.error().message == whole.error().message);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{64}, file.size()}) {
      const auto streamed = validate_by_stream(file, chunk);
      REQUIRE_FALSE(streamed.ok());
      CHECK(streamed.error().code == sample.code);
    }
  }
}

TEST_CASE("recognition needs the first 512 bytes; a shorter prefix keeps the plain framing error",
          "[validate][not_safetensors]") {
  const Bytes file = as_bytes(std::string(600, 'x'));
  const auto eight = validate_prefix(std::span(file).first(8), file.size());
  REQUIRE_FALSE(eight.ok());
  CHECK(eight.error().code == ErrorCode::header_too_large);
  const auto window = validate_prefix(std::span(file).first(512), file.size());
  REQUIRE_FALSE(window.ok());
  CHECK(window.error().code == ErrorCode::not_safetensors_text);
  // A byte past the window does not matter: this file is not text, but its first 512 bytes are.
  Bytes spoiled = file;
  spoiled[520] = 0;
  CHECK(validate_file(spoiled).error().code == ErrorCode::not_safetensors_text);
  spoiled[500] = 0;
  CHECK(validate_file(spoiled).error().code == ErrorCode::header_too_large);
}

TEST_CASE("binary prefixes and real framing errors keep their plain codes", "[validate][not_safetensors]") {
  for (const auto& [bytes, code] : not_recognised()) {
    const Bytes file = as_bytes(bytes);
    INFO(bytes.size());
    const auto whole = validate_file(file);
    REQUIRE_FALSE(whole.ok());
    CHECK(whole.error().code == code);
    CHECK(validate_by_stream(file, 1).error().code == code);
    CHECK(validate_by_path(file).error().code == code);
  }
}
