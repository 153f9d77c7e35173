// save_file / save (save.hpp) and the error context of path-based calls:
// the one-call save gives the same bytes as FileBuilder, refuses what strict
// rejects without touching the target, and every path-based call names its
// file in Error::path, which format_error prints escaped.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "stguard/atomic_file.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/reader.hpp"
#include "stguard/save.hpp"
#include "stguard/shard_index.hpp"
#include "support/test_files.hpp"

namespace {

using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;

stguard::TensorMap two_tensors() {
  stguard::TensorMap tensors;
  tensors["b"] = stguard::OwnedTensor{"b", Dtype::BF16, {2}, 2, {0x80, 0x3F, 0x00, 0x40}};
  tensors["a"] = stguard::OwnedTensor{"", Dtype::U8, {3}, 3, {1, 2, 3}};
  return tensors;
}

std::size_t files_in(const std::filesystem::path& dir) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
  return count;
}

}  // namespace

TEST_CASE("save gives FileBuilder's bytes and load reads them back", "[save]") {
  const auto tensors = two_tensors();
  auto bytes = stguard::save(tensors, {{"format", "pt"}});
  REQUIRE(bytes.ok());
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("a", Dtype::U8, {3}, tensors.at("a").data).ok());
  REQUIRE(builder.add_tensor("b", Dtype::BF16, {2}, tensors.at("b").data).ok());
  REQUIRE(builder.set_metadata("format", "pt").ok());
  auto expected = builder.save();
  REQUIRE(expected.ok());
  CHECK(*bytes == *expected);

  auto reader = stguard::Reader::from_memory(*bytes);
  REQUIRE(reader.ok());
  REQUIRE(reader->metadata_value("format") != nullptr);
  auto metadata = stguard::metadata_map(reader->metadata());
  REQUIRE(metadata.ok());
  CHECK(metadata->at("format") == "pt");
  auto again = stguard::load(*bytes);
  REQUIRE(again.ok());
  CHECK(again->at("b").data == tensors.at("b").data);
  CHECK(again->at("a").name == "a");
}

TEST_CASE("save_file replaces atomically and refuses what strict rejects", "[save]") {
  stguard::test::TempDir dir;
  const std::string path = (dir.path() / "out.safetensors").string();
  REQUIRE(stguard::save_file(two_tensors(), path).ok());
  const Bytes first = stguard::test::read_file(path);
  auto loaded = stguard::load_file(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->size() == 2);

  SECTION("a control character in a name: refused, the old file stays, no temporary file") {
    auto bad = two_tensors();
    bad["bad\x1b[2Jname"] = stguard::OwnedTensor{"", Dtype::U8, {1}, 1, {9}};
    const stguard::Status status = stguard::save_file(bad, path);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::invalid_tensor_name);
    CHECK(status.error().path == path);
    CHECK(stguard::test::read_file(path) == first);
    CHECK(files_in(dir.path()) == 1);
  }
  SECTION("data that is not shape x dtype") {
    auto bad = two_tensors();
    bad["a"].data.push_back(4);
    CHECK(stguard::save_file(bad, path).error().code == ErrorCode::data_length_mismatch);
    CHECK(stguard::save(bad).error().code == ErrorCode::data_length_mismatch);
    CHECK(stguard::test::read_file(path) == first);
  }
  SECTION("a name field that disagrees with its key") {
    auto bad = two_tensors();
    bad["c"] = bad["b"];  // still named "b"
    const stguard::Status status = stguard::save_file(bad, path);
    CHECK(status.error().code == ErrorCode::invalid_argument);
    CHECK(status.error().message.find("\"c\"") != std::string::npos);
    CHECK(stguard::save(bad).error().code == ErrorCode::invalid_argument);
  }
  SECTION("metadata strict rejects") {
    CHECK(stguard::save_file(two_tensors(), path, {{"k", std::string("a\0b", 3)}}).error().code ==
          ErrorCode::invalid_metadata_value);
  }
  SECTION("a folder as the target") {
    const stguard::Status status = stguard::save_file(two_tensors(), dir.path().string());
    CHECK(status.error().code == ErrorCode::io_not_regular_file);
    CHECK(status.error().path == dir.path().string());
  }
}

TEST_CASE("path-based calls put the path in the error, format_error prints it escaped", "[save][errors]") {
  stguard::test::TempDir dir;
  const std::string missing = (dir.path() / "no\x1b]0;x\x07such.safetensors").string();
  const std::string shown = "file \"" + stguard::escape_for_display(missing) + "\"";

  const auto opened = stguard::Reader::open(missing);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == ErrorCode::io_open_failed);
  CHECK(opened.error().path == missing);
  const std::string line = stguard::format_error(opened.error());
  CHECK(line.rfind("[IO_OPEN_FAILED] cannot open: ", 0) == 0);
  CHECK(line.find(shown + ")") != std::string::npos);
  CHECK(line.find('\x1b') == std::string::npos);

  CHECK(stguard::validate_path(missing).error().path == missing);
  CHECK(stguard::load_file(missing).error().path == missing);
  CHECK(stguard::check_shard_index(missing).error().path == missing);
  CHECK(stguard::AtomicFile::create((dir.path() / "nope" / "x").string()).error().path ==
        (dir.path() / "nope" / "x").string());

  // An invalid file: the validator's error, with offset, and the path.
  const std::string broken = dir.write("short.safetensors", Bytes{1, 2, 3}).string();
  const auto invalid = stguard::Reader::open(broken);
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.error().path == broken);

  // The whole line, every part present.
  stguard::Error error = stguard::make_error(ErrorCode::dtype_mismatch, "typed access as float does not fit dtype F64",
                                             42, "layer\n0");
  error.path = "m.safetensors";
  CHECK(stguard::format_error(error) ==
        "[DTYPE_MISMATCH] typed access as float does not fit dtype F64 (at byte 42, tensor \"layer\\x0a0\", file "
        "\"m.safetensors\")");
  CHECK(stguard::format_error(stguard::make_error(ErrorCode::invalid_argument, "bad")) == "[INVALID_ARGUMENT] bad");
  // In-memory calls have no path.
  CHECK(stguard::Reader::from_memory(Bytes{1, 2, 3}).error().path.empty());
}
