// st-rewrite: a file only the lenient reader accepts becomes one every reader
// agrees on, holding exactly the tensors the reference sees. Driven by the
// conformance corpus (every i_* file: strict rejects it, compat accepts it)
// and by a hand-made file with every quirk at once, checked byte for byte.
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "stguard/file_validate.hpp"
#include "stguard/validate.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::test::Bytes;
using stguard::test::run_tool;

namespace {

struct RewriteRun {
  fs::path in;
  fs::path out;
  stguard::test::ToolResult result;
};

// Writes `header` over the data "zzWWWW" (a 2-byte and a 4-byte tensor) as
// in.safetensors in `dir` and runs st-rewrite on it into out.safetensors.
RewriteRun rewrite_two_tensors(const stguard::test::TempDir& dir, const std::string& header) {
  RewriteRun run;
  run.in = dir.write("in.safetensors", stguard::test::make_file(header, stguard::test::as_bytes("zzWWWW")));
  run.out = dir.path() / "out.safetensors";
  run.result = run_tool("st-rewrite", {run.in.string(), run.out.string()});
  return run;
}

// Every tensor of `compat_view` (as the reference reads IN) is in OUT with
// the same dtype, shape and bytes, and nothing else is; metadata too.
void require_same_tensors(const fs::path& in, const stguard::Header& compat_view, const fs::path& out) {
  auto strict = stguard::validate_path(out.string(), stguard::Options::strict());
  INFO((strict.ok() ? std::string() : strict.error().message));
  REQUIRE(strict.ok());
  REQUIRE(strict->tensor_count() == compat_view.tensor_count());
  const Bytes in_bytes = stguard::test::read_file(in);
  const Bytes out_bytes = stguard::test::read_file(out);
  for (const auto& tensor : compat_view.tensors()) {
    const auto* written = strict->find(tensor.name);
    REQUIRE(written != nullptr);
    CHECK(written->dtype == tensor.dtype);
    CHECK(written->shape == tensor.shape);
    const auto source = std::span<const std::uint8_t>(in_bytes).subspan(compat_view.data_offset() + tensor.begin,
                                                                       tensor.byte_size());
    const auto copy = std::span<const std::uint8_t>(out_bytes).subspan(strict->data_offset() + written->begin,
                                                                      written->byte_size());
    CHECK(std::equal(source.begin(), source.end(), copy.begin(), copy.end()));
  }
  REQUIRE(strict->metadata().size() == compat_view.metadata().size());
  for (std::size_t k = 0; k < compat_view.metadata().size(); ++k) {
    CHECK(strict->metadata()[k].key == compat_view.metadata()[k].key);
    CHECK(strict->metadata()[k].value == compat_view.metadata()[k].value);
  }
}

std::string padded(std::string header) {
  while (header.size() % 8 != 0) header += ' ';
  return header;
}

}  // namespace

TEST_CASE("st-rewrite makes every compat-only corpus file strict, or says why it cannot", "[cli][rewrite]") {
  const fs::path corpus = fs::path(STGUARD_SOURCE_DIR) / "corpus";
  stguard::test::TempDir dir;
  std::set<std::string> rewritten;
  std::set<std::string> refused;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("i_", 0) != 0 || entry.path().extension() != ".safetensors") continue;
    INFO(name);
    auto compat_view = stguard::validate_path(entry.path().string(), stguard::Options::compat());
    REQUIRE(compat_view.ok());
    const fs::path out = dir.path() / (name + ".out");
    const auto result = run_tool("st-rewrite", {entry.path().string(), out.string()});
    INFO(result.err);
    if (result.exit_status == 0) {
      require_same_tensors(entry.path(), compat_view.value(), out);
      rewritten.insert(name);
    } else {
      // The reference loads it, but it holds something strict cannot express.
      CHECK(result.exit_status == 1);
      CHECK(result.err.find("CANNOT REWRITE") != std::string::npos);
      CHECK_FALSE(fs::exists(out));
      refused.insert(name);
    }
  }
  for (const char* must : {"i_leading_space.safetensors", "i_leading_newline.safetensors",
                           "i_padding_newline.safetensors", "i_padding_tab.safetensors",
                           "i_padding_carriage_return.safetensors", "i_metadata_null.safetensors",
                           "i_duplicate_tensor_last_wins.safetensors", "i_duplicate_tensor_after_unescaping.safetensors",
                           "i_duplicate_tensor_first_has_bad_layout.safetensors",
                           "i_duplicate_metadata_key.safetensors", "i_unknown_field.safetensors",
                           "i_decoy_offsets_field.safetensors", "i_depth_127_in_unknown_field.safetensors"}) {
    INFO(must);
    CHECK(rewritten.count(must) == 1);
  }
  for (const char* cannot : {"i_empty_tensor_name.safetensors", "i_name_with_escaped_nul.safetensors",
                             "i_metadata_value_with_nul.safetensors", "i_rank_65.safetensors"}) {
    INFO(cannot);
    CHECK(refused.count(cannot) == 1);
  }
}

TEST_CASE("st-rewrite output is exactly the reference writer's layout of what the reference reads",
          "[cli][rewrite]") {
  // Leading space, a duplicate tensor (last wins: F32), an unknown nested
  // field, duplicate metadata keys (last wins), TAB/LF padding, and tensors
  // in non-canonical order.
  const std::string header =
      R"( {"w":{"dtype":"U8","shape":[4],"data_offsets":[2,6]},)"
      R"("w":{"dtype":"F32","shape":[1],"data_offsets":[2,6],"junk":{"x":[1,{"y":null}]}},)"
      R"("z":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
      R"("__metadata__":{"k":"1","k":"2"}})"
      "\n\t";
  stguard::test::TempDir dir;
  const auto [in, out, result] = rewrite_two_tensors(dir, header);
  INFO(result.err);
  REQUIRE(result.exit_status == 0);
  CHECK(result.out.find("written (2 tensors, strict)") != std::string::npos);
  CHECK(result.err.find("DUPLICATE_TENSOR_NAME") != std::string::npos);  // the notes say what was resolved
  const std::string expected_header = padded(
      R"({"__metadata__":{"k":"2"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
      R"("z":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})");
  CHECK(stguard::test::read_file(out) == stguard::test::make_file(expected_header, stguard::test::as_bytes("WWWWzz")));

  SECTION("to standard output: the same bytes, streamed") {
    const auto streamed = run_tool("st-rewrite", {in.string(), "-"});
    REQUIRE(streamed.exit_status == 0);
    CHECK(stguard::test::as_bytes(streamed.out) == stguard::test::read_file(out));
    CHECK(streamed.err.find("<stdout>") != std::string::npos);
  }
  SECTION("in place: OUT may be IN") {
    REQUIRE(run_tool("st-rewrite", {"-q", in.string(), in.string()}).exit_status == 0);
    CHECK(stguard::test::read_file(in) == stguard::test::read_file(out));
  }
  SECTION("under --profile strict, a compat-only IN is invalid") {
    const fs::path strict_out = dir.path() / "strict.safetensors";
    const auto strict = run_tool("st-rewrite", {"--profile", "strict", in.string(), strict_out.string()});
    CHECK(strict.exit_status == 1);
    CHECK(strict.err.find("INVALID [HEADER_NOT_OBJECT_START]") != std::string::npos);
    CHECK_FALSE(fs::exists(strict_out));
  }
}

TEST_CASE("st-rewrite exit statuses and an untouched OUT on failure", "[cli][rewrite]") {
  stguard::test::TempDir dir;
  const Bytes previous = stguard::test::as_bytes("previous contents of OUT");
  const fs::path out = dir.write("out.safetensors", previous);
  SECTION("IN missing: 2") {
    const auto result = run_tool("st-rewrite", {(dir.path() / "missing").string(), out.string()});
    CHECK(result.exit_status == 2);
    CHECK(result.err.find("IO_OPEN_FAILED") != std::string::npos);
  }
  SECTION("IN invalid even for compat: 1") {
    const fs::path in = dir.write("bad.safetensors", stguard::test::as_bytes("not a safetensors file at all"));
    const auto result = run_tool("st-rewrite", {in.string(), out.string()});
    CHECK(result.exit_status == 1);
    CHECK(result.err.find("INVALID") != std::string::npos);
  }
  SECTION("IN not representable in strict form: 1, naming the tensor") {
    const std::string header = R"({"bad\nname":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
    const fs::path in = dir.write("ctl.safetensors", stguard::test::make_file(header, stguard::test::as_bytes("x")));
    const auto result = run_tool("st-rewrite", {in.string(), out.string()});
    CHECK(result.exit_status == 1);
    CHECK(result.err.find("INVALID_TENSOR_NAME") != std::string::npos);
    CHECK(result.err.find("bad\\x0aname") != std::string::npos);  // escaped for the terminal
  }
  SECTION("OUT in a missing folder: 2") {
    const std::string header = R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
    const fs::path in = dir.write("ok.safetensors", stguard::test::make_file(header, stguard::test::as_bytes("x")));
    const auto result = run_tool("st-rewrite", {in.string(), (dir.path() / "no" / "out").string()});
    CHECK(result.exit_status == 2);
    CHECK(result.err.find("IO_OPEN_FAILED") != std::string::npos);
  }
  SECTION("usage: 2; --help: 0") {
    CHECK(run_tool("st-rewrite", {"only-one-argument"}).exit_status == 2);
    const auto help = run_tool("st-rewrite", {"--help"});
    CHECK(help.exit_status == 0);
    CHECK(help.out.find("atomically") != std::string::npos);
    CHECK(help.out.find("Exit status") != std::string::npos);
  }
  CHECK(stguard::test::read_file(out) == previous);
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    CHECK(entry.path().filename().string().find(".stguard-tmp-") == std::string::npos);
  }
}

// Regression for a validator bug found while writing these tests: compat's
// duplicate resolution once self-move-assigned the tensors before the first
// superseded entry, which emptied their shapes, so this reference-valid file
// was rejected with SIZE_MISMATCH.
TEST_CASE("st-rewrite of a duplicate that follows another tensor", "[cli][rewrite]") {
  const std::string header =
      R"({"z":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
      R"("w":{"dtype":"U8","shape":[4],"data_offsets":[2,6]},)"
      R"("w":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})";
  stguard::test::TempDir dir;
  const auto [in, out, result] = rewrite_two_tensors(dir, header);
  INFO(result.err);
  REQUIRE(result.exit_status == 0);
  auto compat_view = stguard::validate_path(in.string(), stguard::Options::compat());
  REQUIRE(compat_view.ok());
  require_same_tensors(in, compat_view.value(), out);
}
