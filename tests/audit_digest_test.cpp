// Integrity digests and manifests: the file digest equals `sha256sum` of the
// file, each tensor digest equals `sha256sum` of that tensor's bytes written
// out on their own (an implementation independent of the one under test),
// for any thread count and for files and buffers alike; manifests round-trip,
// hostile manifests are refused, and comparison names exactly what changed.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <random>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"
#include "stguard/audit_manifest.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;
namespace audit = stguard::audit;

namespace {

// `sha256sum FILE`'s hex digest (the first 64 characters of its output).
std::string sha256sum(const std::filesystem::path& path) {
  const std::string command = "sha256sum '" + path.string() + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
  REQUIRE(pipe != nullptr);
  char buffer[128] = {};
  REQUIRE(std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr);
  return std::string(buffer, 64);
}

Bytes random_bytes(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  Bytes out(count);
  for (auto& byte : out) byte = static_cast<std::uint8_t>(random());
  return out;
}

std::vector<FixtureTensor> sample_tensors() {
  return {{"big", "U8", {(5U << 20U) / 2}, random_bytes((5U << 20U) / 2, 1)},  // crosses 1 MiB chunks
          {"w", "F32", {3, 5}, random_bytes(60, 2)},
          {"empty", "F16", {0, 4}, {}},
          {"b", "U8", {7}, random_bytes(7, 3)}};
}

audit::AuditReport digests_of(const Bytes& file, unsigned threads) {
  audit::AuditOptions options;
  options.compute_digests = true;
  options.threads = threads;
  auto report = audit_of(file, options);
  REQUIRE(report.digests);
  return report;
}

Bytes as_bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

}  // namespace

TEST_CASE("audit digests: file digest equals sha256sum, tensor digests equal independent hashes", "[audit][digest]") {
  TempDir dir;
  const auto tensors = sample_tensors();
  const Bytes file = build_file(tensors);
  const auto path = dir.write("model.safetensors", file);
  const std::string expected_file = sha256sum(path);

  std::map<std::string, std::string> expected_tensors;
  for (const FixtureTensor& tensor : tensors) {
    expected_tensors[tensor.name] = sha256sum(dir.write("tensor.bin", tensor.data));
  }

  audit::AuditOptions options;
  options.compute_digests = true;
  std::uint64_t last_done = 0;
  std::uint64_t last_total = 0;
  options.progress = [&](const audit::Progress& progress) {
    CHECK(progress.bytes_done <= progress.bytes_total);
    last_done = progress.bytes_done;
    last_total = progress.bytes_total;
  };
  auto from_path = audit::audit_path(path.string(), options);
  REQUIRE(from_path.ok());
  REQUIRE(from_path->digests);
  CHECK(audit::to_hex(from_path->digests->file_sha256) == expected_file);
  CHECK(from_path->digests->file_size == file.size());
  REQUIRE(from_path->digests->tensors.size() == tensors.size());
  for (const auto& digest : from_path->digests->tensors) {
    INFO(digest.name);
    CHECK(audit::to_hex(digest.sha256) == expected_tensors.at(digest.name));
  }
  // The final progress report covers everything: the file once, the tensors once.
  CHECK(last_total == file.size() + (file.size() - from_path->header->data_offset()));
  CHECK(last_done == last_total);

  for (const unsigned threads : {1U, 2U, 3U, 8U}) {
    INFO("threads " << threads);
    const auto report = digests_of(file, threads);
    CHECK(audit::to_hex(report.digests->file_sha256) == expected_file);
    for (std::size_t i = 0; i < report.digests->tensors.size(); ++i) {
      CHECK(report.digests->tensors[i].sha256 == from_path->digests->tensors[i].sha256);
    }
  }
}

TEST_CASE("audit digests: sha256 and hex helpers", "[audit][digest]") {
  // FIPS 180-2 test vector.
  const auto abc = audit::sha256(as_bytes_of("abc"));
  REQUIRE(abc);
  CHECK(audit::to_hex(*abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(audit::digest_from_hex(audit::to_hex(*abc)) == abc);
  CHECK(audit::digest_from_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD") == abc);
  CHECK_FALSE(audit::digest_from_hex("ba78"));
  CHECK_FALSE(audit::digest_from_hex(std::string(63, 'a') + "g"));
}

TEST_CASE("audit manifest: serialise and parse round-trip", "[audit][digest]") {
  auto tensors = sample_tensors();
  tensors.push_back({"na\xC3\xAFve \"quoted\"\\ \u202E", "U8", {1}, {9}});
  const auto report = digests_of(build_file(tensors), 0);
  const std::string text = audit::serialize_manifest(*report.digests);
  auto parsed = audit::parse_manifest(as_bytes_of(text));
  REQUIRE(parsed.ok());
  CHECK(parsed->file_size == report.digests->file_size);
  CHECK(parsed->file_sha256 == report.digests->file_sha256);
  REQUIRE(parsed->tensors.size() == report.digests->tensors.size());
  for (std::size_t i = 0; i < parsed->tensors.size(); ++i) {
    const auto& a = parsed->tensors[i];
    const auto& b = report.digests->tensors[i];
    CHECK(a.name == b.name);
    CHECK(a.dtype == b.dtype);
    CHECK(a.shape == b.shape);
    CHECK(a.byte_size == b.byte_size);
    CHECK(a.file_offset == b.file_offset);
    CHECK(a.sha256 == b.sha256);
  }
  CHECK(audit::compare_digests(*parsed, *report.digests).ok());
}

TEST_CASE("audit manifest: hostile or malformed manifests are refused", "[audit][digest]") {
  const std::string digest(64, 'a');
  const std::string tensor = R"({"name":"w","dtype":"F32","shape":[1],"offset":8,"size":4,"sha256":")" + digest + "\"}";
  auto manifest = [&](const std::string& file, const std::string& tensors) {
    return R"({"manifest":"stguard-digests","version":1,"algorithm":"sha256","file":)" + file +
           ",\"tensors\":[" + tensors + "]}";
  };
  const std::string good_file = R"({"size":12,"sha256":")" + digest + "\"}";
  REQUIRE(audit::parse_manifest(as_bytes_of(manifest(good_file, tensor))).ok());

  const std::vector<std::string> bad = {
      "",
      "[]",
      manifest(good_file, tensor) + "x",
      std::string("{\"manifest\":\"stguard-digests\"\0}", 31),
      manifest(good_file, tensor + "," + tensor),                       // the same tensor twice
      manifest(R"({"size":12,"sha256":")" + digest.substr(1) + "\"}", tensor),  // short digest
      manifest(R"({"size":-1,"sha256":")" + digest + "\"}", tensor),
      manifest(R"({"size":1.0,"sha256":")" + digest + "\"}", tensor),
      manifest(R"({"size":18446744073709551616,"sha256":")" + digest + "\"}", tensor),
      manifest(R"({"size":12,"size":12,"sha256":")" + digest + "\"}", tensor),  // repeated key
      manifest(R"({"size":12,"sha256":")" + digest + R"(","extra":1})", tensor),  // unknown key
      manifest(good_file, R"({"name":"w","dtype":"F33","shape":[1],"offset":8,"size":4,"sha256":")" + digest + "\"}"),
      manifest(good_file, R"({"name":"w","dtype":"F32","shape":1,"offset":8,"size":4,"sha256":")" + digest + "\"}"),
      manifest(good_file, R"({"name":1,"dtype":"F32","shape":[1],"offset":8,"size":4,"sha256":")" + digest + "\"}"),
      R"({"manifest":"other","version":1,"algorithm":"sha256","file":)" + good_file + ",\"tensors\":[]}",
      R"({"manifest":"stguard-digests","version":2,"algorithm":"sha256","file":)" + good_file + ",\"tensors\":[]}",
      std::string(100000, '[') + std::string(100000, ']'),  // deep nesting: no stack overflow
      "{\"manifest\":\"\xff\"}",                             // invalid UTF-8
  };
  for (const std::string& text : bad) {
    INFO(text.substr(0, 120));
    const auto parsed = audit::parse_manifest(as_bytes_of(text));
    CHECK_FALSE(parsed.ok());
    if (!parsed.ok()) CHECK(parsed.error().code == stguard::ErrorCode::invalid_argument);
  }

  audit::ManifestLimits tiny;
  tiny.max_bytes = 10;
  CHECK_FALSE(audit::parse_manifest(as_bytes_of(manifest(good_file, tensor)), tiny).ok());
  tiny = {};
  tiny.max_tensors = 0;
  CHECK_FALSE(audit::parse_manifest(as_bytes_of(manifest(good_file, tensor)), tiny).ok());
}

TEST_CASE("audit manifest: comparison names exactly the tensors that changed", "[audit][digest]") {
  const std::vector<FixtureTensor> before = {{"a", "U8", {4}, {1, 2, 3, 4}},
                                             {"b", "U8", {4}, {5, 6, 7, 8}},
                                             {"c", "U8", {4}, {9, 9, 9, 9}},
                                             {"d", "U8", {4}, {0, 0, 0, 1}}};
  const auto original = digests_of(build_file(before), 0);

  SECTION("bytes changed in place") {
    auto after = before;
    after[1].data[2] = 70;
    after[3].data[0] = 1;
    const auto result = audit::compare_digests(*original.digests, *digests_of(build_file(after), 0).digests);
    CHECK_FALSE(result.ok());
    CHECK(result.file_size_matches);
    CHECK_FALSE(result.file_digest_matches);
    REQUIRE(result.differences.size() == 2);
    CHECK(result.differences[0].tensor == "b");
    CHECK(result.differences[1].tensor == "d");
    for (const auto& difference : result.differences) {
      CHECK(difference.kind == audit::TensorDifference::Kind::bytes_changed);
    }
  }
  SECTION("tensors renamed, added, reshaped") {
    std::vector<FixtureTensor> after = {{"a", "U8", {2, 2}, {1, 2, 3, 4}},
                                        {"b", "U8", {4}, {5, 6, 7, 8}},
                                        {"c2", "U8", {4}, {9, 9, 9, 9}},
                                        {"d", "U8", {4}, {0, 0, 0, 1}},
                                        {"e", "U8", {1}, {1}}};
    const auto result = audit::compare_digests(*original.digests, *digests_of(build_file(after), 0).digests);
    CHECK_FALSE(result.file_size_matches);
    std::vector<std::pair<std::string, std::string_view>> seen;
    for (const auto& difference : result.differences) {
      seen.emplace_back(difference.tensor, audit::difference_kind_name(difference.kind));
    }
    CHECK(seen == std::vector<std::pair<std::string, std::string_view>>{
                      {"a", "layout-changed"}, {"c", "missing"}, {"c2", "extra"}, {"e", "extra"}});
  }
  SECTION("nothing changed") {
    CHECK(audit::compare_digests(*original.digests, *digests_of(build_file(before), 2).digests).ok());
  }
}

TEST_CASE("audit digests: an unreadable path is an error, not a report", "[audit][digest]") {
  TempDir dir;
  auto missing = audit::audit_path((dir.path() / "nope.safetensors").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == stguard::ErrorCode::io_open_failed);
  auto directory = audit::audit_path(dir.path().string());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().code == stguard::ErrorCode::io_not_regular_file);
  auto manifest = audit::read_manifest((dir.path() / "nope.json").string());
  REQUIRE_FALSE(manifest.ok());
  CHECK(manifest.error().code == stguard::ErrorCode::io_open_failed);
}
