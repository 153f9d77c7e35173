// Walks corpus/: every y_/n_/i_ file has a MANIFEST.tsv row with the strict
// and compat verdicts, the prefix agrees with them, and every validator
// (whole buffer, prefix, file path, chunked stream) returns exactly that
// verdict, with identical errors between them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "stguard/file_validate.hpp"
#include "stguard/stream_validator.hpp"
#include "stguard/validate.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using namespace stguard;

namespace {

struct Expectation {
  std::string strict;
  std::string compat;
};

std::map<std::string, Expectation> read_manifest(const fs::path& path) {
  std::map<std::string, Expectation> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file, strict, compat;
    std::getline(fields, file, '\t');
    std::getline(fields, strict, '\t');
    std::getline(fields, compat, '\t');
    rows[file] = {strict, compat};
  }
  return rows;
}

std::string verdict(const Result<Header>& result) {
  return result.ok() ? "OK" : std::string(error_code_name(result.error().code));
}

bool same_error(const Result<Header>& a, const Result<Header>& b) {
  if (a.ok() != b.ok()) return false;
  if (a.ok()) return a.value().tensor_count() == b.value().tensor_count() &&
                     a.value().data_size() == b.value().data_size();
  return a.error().code == b.error().code && a.error().offset == b.error().offset &&
         a.error().message == b.error().message && a.error().tensor == b.error().tensor;
}

Result<Header> validate_in_chunks(const test::Bytes& bytes, std::size_t chunk, const Options& options) {
  StreamValidator validator(options);
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    validator.feed(std::span<const std::uint8_t>(bytes).subspan(at, std::min(chunk, bytes.size() - at)));
  }
  return validator.finish();
}

}  // namespace

TEST_CASE("every corpus file gets exactly its manifest verdict in both profiles", "[corpus]") {
  const fs::path corpus = fs::path(STGUARD_SOURCE_DIR) / "corpus";
  const auto manifest = read_manifest(corpus / "MANIFEST.tsv");
  REQUIRE(manifest.size() >= 150);

  std::size_t walked = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    const std::string prefix = name.substr(0, 2);
    if (prefix != "y_" && prefix != "n_" && prefix != "i_") continue;
    ++walked;
    INFO("file " << name);
    const auto row = manifest.find(name);
    REQUIRE(row != manifest.end());
    const Expectation& expected = row->second;
    // The name's prefix must agree with the manifest.
    if (prefix == "y_") CHECK((expected.strict == "OK" && expected.compat == "OK"));
    if (prefix == "n_") CHECK((expected.strict != "OK" && expected.compat != "OK"));
    if (prefix == "i_") CHECK(((expected.strict == "OK") != (expected.compat == "OK")));

    const test::Bytes bytes = test::read_file(entry.path());
    for (const Profile profile : {Profile::strict, Profile::compat}) {
      INFO("profile " << profile_name(profile));
      const Options options = Options::for_profile(profile);
      const auto whole = validate_file(bytes, options);
      CHECK(verdict(whole) == (profile == Profile::strict ? expected.strict : expected.compat));
      // Prefix validation sees only 8 + N bytes and the size.
      std::size_t prefix_length = bytes.size();
      if (auto n = read_header_length(bytes, bytes.size(), options); n.ok()) prefix_length = 8 + *n;
      const auto prefix_result =
          validate_prefix(std::span<const std::uint8_t>(bytes).first(prefix_length), bytes.size(), options);
      CHECK(same_error(whole, prefix_result));
      CHECK(same_error(whole, validate_path(entry.path().string(), options)));
      CHECK(same_error(whole, validate_in_chunks(bytes, 1, options)));
      CHECK(same_error(whole, validate_in_chunks(bytes, 7, options)));
    }
  }
  CHECK(walked == manifest.size());
}
