// The summary validators (validate_path_summary, the core's views storage)
// against the Header validators: over every corpus file and every fuzz seed,
// in both profiles, as a file on disk and as raw header bytes, the same
// verdict and, for a rejection, the same error (code, offset, message,
// tensor, path); for an acceptance, the summary of the Header.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "core/core_internal.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/validate.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using namespace stguard;

namespace {

std::string describe(const Error& error) {
  return std::string(error_code_name(error.code)) + " at " + std::to_string(error.offset) + " tensor \"" +
         error.tensor + "\" path \"" + error.path + "\": " + error.message;
}

std::string describe(const HeaderSummary& summary) {
  std::string text = std::to_string(summary.tensor_count) + " tensors, header " +
                     std::to_string(summary.header_length) + ", data " + std::to_string(summary.data_size) +
                     ", profile " + std::string(profile_name(summary.profile)) +
                     (summary.has_metadata_object ? ", metadata object" : "") +
                     (summary.violations_truncated ? ", notes truncated" : "");
  for (const Error& note : summary.strict_violations) text += "; note " + describe(note);
  return text;
}

std::string describe(const Result<HeaderSummary>& result) {
  return result.ok() ? "valid: " + describe(result.value()) : "invalid: " + describe(result.error());
}

struct Tally {
  std::size_t compared = 0;
  std::size_t valid = 0;
  std::size_t named_errors = 0;  // errors that carry a tensor name (read from the views storage)
  std::size_t notes = 0;         // compat acceptances with strict violations recorded
};

// The Header's verdict as a summary, so both sides print the same way.
void expect_same(const Result<Header>& full, const Result<HeaderSummary>& summary, const std::string& what,
                 Tally& tally) {
  const Result<HeaderSummary> expected =
      full.ok() ? Result<HeaderSummary>(HeaderSummary::of(full.value())) : Result<HeaderSummary>(full.error());
  INFO(what);
  REQUIRE(describe(summary) == describe(expected));
  ++tally.compared;
  if (full.ok()) {
    ++tally.valid;
    if (!full.value().strict_violations().empty()) ++tally.notes;
  } else if (!full.error().tensor.empty()) {
    ++tally.named_errors;
  }
}

void compare_file(const fs::path& path, Tally& tally) {
  const test::Bytes bytes = test::read_file(path);
  for (const Options& options : {Options::strict(), Options::compat()}) {
    const std::string what = path.string() + " (" + std::string(profile_name(options.profile)) + ")";
    expect_same(validate_path(path.string(), options), validate_path_summary(path.string(), options),
                what + " as a file", tally);
    // The same bytes as a header alone (the fuzz seeds of header-level
    // targets are headers), without and with a data size.
    expect_same(detail::parse_header_bytes(bytes, std::nullopt, options),
                detail::summarize_header_bytes(bytes, std::nullopt, options), what + " as header bytes", tally);
    expect_same(detail::parse_header_bytes(bytes, 0, options), detail::summarize_header_bytes(bytes, 0, options),
                what + " as header bytes, no data", tally);
  }
}

std::vector<fs::path> files_under(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

}  // namespace

TEST_CASE("the summary validators agree with the Header validators on the corpus", "[summary][corpus]") {
  Tally tally;
  for (const fs::path& path : files_under(fs::path(STGUARD_SOURCE_DIR) / "corpus")) {
    if (path.extension() == ".safetensors") compare_file(path, tally);
  }
  // Enough of each kind that a divergence in any of them would show.
  CHECK(tally.compared > 1000);
  CHECK(tally.valid > 100);
  CHECK(tally.named_errors > 50);
  CHECK(tally.notes > 10);
}

TEST_CASE("the summary validators agree with the Header validators on every fuzz seed", "[summary][fuzz]") {
  Tally tally;
  for (const fs::path& path : files_under(fs::path(STGUARD_SOURCE_DIR) / "fuzz" / "corpus")) {
    compare_file(path, tally);
  }
  CHECK(tally.compared > 30000);
  CHECK(tally.valid > 1000);
  CHECK(tally.named_errors > 1000);
}

TEST_CASE("a summary reports what the Header does, names read from the header buffer", "[summary]") {
  const test::TempDir dir;
  // Escaped names (decoded in place, so the views point at the decoded text),
  // a repeat after unescaping, and a layout error naming its tensor.
  const std::string escaped = R"({"ab":)" + test::tensor_json("U8", {2}, 0, 2) + R"(,"a\u0062":)" +
                              test::tensor_json("U8", {2}, 0, 2) + "}";
  const std::string gap = R"({"first":)" + test::tensor_json("U8", {2}, 0, 2) + R"(,"second\n":)" +
                          test::tensor_json("U8", {2}, 3, 5) + "}";
  for (const auto& [name, header, data] : {std::tuple{"escaped", escaped, 2}, std::tuple{"gap", gap, 5}}) {
    const fs::path path = dir.write(name, test::make_file(header, static_cast<std::uint64_t>(data)));
    for (const Options& options : {Options::strict(), Options::compat()}) {
      const auto full = validate_path(path.string(), options);
      const auto summary = validate_path_summary(path.string(), options);
      Tally tally;
      expect_same(full, summary, std::string(name), tally);
    }
  }
  // Strict: the repeat is an error naming the decoded name; compat: the last wins, one tensor.
  const fs::path path = dir.write("escaped", test::make_file(escaped, std::uint64_t{2}));
  const auto strict = validate_path_summary(path.string(), Options::strict());
  REQUIRE_FALSE(strict.ok());
  CHECK(strict.error().code == ErrorCode::duplicate_tensor_name);
  CHECK(strict.error().tensor == "ab");
  const auto compat = validate_path_summary(path.string(), Options::compat());
  REQUIRE(compat.ok());
  CHECK(compat.value().tensor_count == 1);
  CHECK(compat.value().data_size == 2);
  REQUIRE(compat.value().strict_violations.size() == 1);
  CHECK(compat.value().strict_violations[0].code == ErrorCode::duplicate_tensor_name);
}
