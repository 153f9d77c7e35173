// Polyglot rules on crafted files: a real ZIP archive (with archive/data.pkl,
// what torch.load looks for) inside the last tensor, an HDF5 superblock
// signature at 512 inside tensor bytes, %PDF- in the first kilobyte, and
// header lengths whose bytes spell PK\x03\x04 or a pickle PROTO opcode
// (invalid files, reported with the invalid verdict). Signatures at places no
// foreign reader looks, and random tensor bytes, produce nothing.
#include <catch2/catch.hpp>

#include <random>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const Bytes kPickle = {0x80, 0x02, '}', 'q', 0x00, '.'};  // pickle.dumps({}, protocol=2)

// A valid file whose last tensor's bytes are exactly `archive`.
Bytes file_with_archive(const Bytes& archive, std::size_t lead_bytes = 16) {
  return build_file({{"weight", "F32", {lead_bytes / 4}, f32_bytes(std::vector<float>(lead_bytes / 4, 0.25F))},
                     {"blob", "U8", {archive.size()}, archive}});
}

}  // namespace

TEST_CASE("audit polyglot: a ZIP with archive/data.pkl inside the last tensor", "[audit][polyglot]") {
  const Bytes archive = make_zip({{"archive/data.pkl", kPickle}, {"archive/version", {'3', '\n'}}});
  const Bytes file = file_with_archive(archive);
  const auto report = audit_of(file);
  CHECK(report.verdict == Verdict::strict_valid);
  INFO(rule_ids(report));
  REQUIRE(count_rule(report, Rule::zip_with_pickle) == 1);
  CHECK(count_rule(report, Rule::zip_archive) == 0);
  const auto* finding = find_rule(report, Rule::zip_with_pickle);
  CHECK(finding->severity == Severity::high);
  CHECK(finding->tensor == "blob");
  CHECK(finding->offset == file.size() - 22);  // the EOCD
  CHECK(finding->message.find("archive/data.pkl") != std::string::npos);
  CHECK(finding->evidence.find("2 parsed") != std::string::npos);
  CHECK(finding->evidence.find("first local header present") != std::string::npos);
}

TEST_CASE("audit polyglot: ZIP offsets relative to the file are found too", "[audit][polyglot]") {
  // The same archive with absolute offsets (as if written at its file position).
  const Bytes probe = file_with_archive(make_zip({{"archive/data.pkl", kPickle}}));
  const auto base = static_cast<std::uint32_t>(probe.size() - make_zip({{"archive/data.pkl", kPickle}}).size());
  const Bytes file = file_with_archive(make_zip({{"archive/data.pkl", kPickle}}, base));
  const auto report = audit_of(file);
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::zip_with_pickle) == 1);
}

TEST_CASE("audit polyglot: a ZIP without a pickle is a medium finding", "[audit][polyglot]") {
  const auto report = audit_of(file_with_archive(make_zip({{"readme.txt", {'h', 'i'}}})));
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::zip_with_pickle) == 0);
  REQUIRE(count_rule(report, Rule::zip_archive) == 1);
  CHECK(find_rule(report, Rule::zip_archive)->severity == Severity::medium);
}

TEST_CASE("audit polyglot: a ZIP whose EOCD is before the last 65,557 bytes is not found", "[audit][polyglot]") {
  Bytes archive = make_zip({{"archive/data.pkl", kPickle}});
  const auto report = audit_of(build_file({{"blob", "U8", {archive.size()}, archive},
                                           {"tail", "U8", {70'000}, Bytes(70'000, 0x11)}}));
  CHECK(count_rule(report, Rule::zip_with_pickle) == 0);
  CHECK(count_rule(report, Rule::zip_archive) == 0);
}

TEST_CASE("audit polyglot: a bare EOCD signature with an inconsistent directory is not a ZIP", "[audit][polyglot]") {
  Bytes archive = make_zip({{"archive/data.pkl", kPickle}});
  SECTION("central directory signature broken") {
    const std::size_t directory = archive.size() - 22 - (46 + 16);
    archive[directory + 2] = 9;
  }
  SECTION("directory size larger than the data before the EOCD") {
    archive[archive.size() - 22 + 12] = 0xFF;
    archive[archive.size() - 22 + 13] = 0xFF;
  }
  SECTION("comment length past the end of the file") {
    archive[archive.size() - 2] = 0x10;
  }
  const auto report = audit_of(file_with_archive(archive));
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::zip_with_pickle) == 0);
  CHECK(count_rule(report, Rule::zip_archive) == 0);
}

TEST_CASE("audit polyglot: HDF5 superblock signature at 512 inside tensor bytes", "[audit][polyglot]") {
  const Bytes signature = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};
  const Bytes empty_probe = build_file({{"x", "U8", {4096}, Bytes(4096, 0)}});
  const std::size_t data_offset = empty_probe.size() - 4096;
  REQUIRE(data_offset < 512);

  SECTION("at 512: found") {
    Bytes data(4096, 0x42);
    std::copy(signature.begin(), signature.end(), data.begin() + static_cast<std::ptrdiff_t>(512 - data_offset));
    const auto report = audit_of(build_file({{"x", "U8", {4096}, data}}));
    INFO(rule_ids(report));
    REQUIRE(count_rule(report, Rule::hdf5_signature) == 1);
    const auto* finding = find_rule(report, Rule::hdf5_signature);
    CHECK(finding->offset == 512);
    CHECK(finding->tensor == "x");
  }
  SECTION("at 2048: found") {
    Bytes data(4096, 0x42);
    std::copy(signature.begin(), signature.end(), data.begin() + static_cast<std::ptrdiff_t>(2048 - data_offset));
    CHECK(count_rule(audit_of(build_file({{"x", "U8", {4096}, data}})), Rule::hdf5_signature) == 1);
  }
  SECTION("at 600 or 1536: not where HDF5 looks") {
    Bytes data(4096, 0x42);
    std::copy(signature.begin(), signature.end(), data.begin() + static_cast<std::ptrdiff_t>(600 - data_offset));
    std::copy(signature.begin(), signature.end(), data.begin() + static_cast<std::ptrdiff_t>(1536 - data_offset));
    CHECK(count_rule(audit_of(build_file({{"x", "U8", {4096}, data}})), Rule::hdf5_signature) == 0);
  }
}

TEST_CASE("audit polyglot: %PDF- within the first 1024 bytes", "[audit][polyglot]") {
  const auto report = audit_of(build_file({{"w", "U8", {1}, {1}}}, {{"note", "%PDF-1.7 trailer"}}));
  INFO(rule_ids(report));
  REQUIRE(count_rule(report, Rule::pdf_signature) == 1);
  CHECK(find_rule(report, Rule::pdf_signature)->offset < 1024);

  // Past the first kilobyte a PDF reader does not look.
  Bytes data(4096, 0);
  const std::string pdf = "%PDF-1.4";
  std::copy(pdf.begin(), pdf.end(), data.begin() + 2000);
  CHECK(count_rule(audit_of(build_file({{"x", "U8", {4096}, data}})), Rule::pdf_signature) == 0);
}

TEST_CASE("audit polyglot: header length bytes that spell PK\\x03\\x04 or a pickle opcode", "[audit][polyglot]") {
  SECTION("ZIP local header: invalid, reported with the invalid verdict") {
    // A local header whose fields describe an entry, without the rest of an archive.
    Bytes file = make_zip({{"archive/data.pkl", kPickle}});
    file.resize(30 + 16 + kPickle.size());
    const auto report = audit_of(file);
    CHECK(report.verdict == Verdict::invalid);
    REQUIRE(report.error);
    CHECK(report.error->code == stguard::ErrorCode::header_too_large);
    REQUIRE(count_rule(report, Rule::length_spells_zip) == 1);
    CHECK(find_rule(report, Rule::length_spells_zip)->offset == 0);
    CHECK(count_rule(report, Rule::zip_with_pickle) == 0);  // no central directory
  }
  SECTION("PK\\x03\\x04 alone is not a local header") {
    Bytes file = {'P', 'K', 3, 4, 20, 0, 0, 0};
    file.resize(64, 0);  // method stored, but an empty name
    CHECK(count_rule(audit_of(file), Rule::length_spells_zip) == 0);
    Bytes truncated = make_zip({{"archive/data.pkl", kPickle}});
    truncated.resize(30 + 16);  // the entry's data is not in the file
    CHECK(count_rule(audit_of(truncated), Rule::length_spells_zip) == 0);
  }
  SECTION("pickle protocols 2 to 5") {
    for (std::uint8_t protocol = 2; protocol <= 5; ++protocol) {
      Bytes file = {0x80, protocol, '}', 'q', 0, '.', 0, 0};
      file.resize(32, 0);
      const auto report = audit_of(file);
      CHECK(report.verdict == Verdict::invalid);
      CHECK(count_rule(report, Rule::length_spells_pickle) == 1);
    }
    Bytes protocol_one = {0x80, 0x01, 0, 0, 0, 0, 0, 0};
    CHECK(count_rule(audit_of(protocol_one), Rule::length_spells_pickle) == 0);
    // PROTO followed by what no unpickler accepts.
    Bytes broken = {0x80, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, '{'};
    CHECK(count_rule(audit_of(broken), Rule::length_spells_pickle) == 0);
    Bytes underflow = {0x80, 0x02, 's', '.', 0, 0, 0, 0};  // SETITEM on an empty stack
    CHECK(count_rule(audit_of(underflow), Rule::length_spells_pickle) == 0);
    // The walk follows the unpickler's stack, marks, memo and frames.
    auto walked = [](Bytes pickle) {
      pickle.resize(pickle.size() + 16, 0);
      return count_rule(audit_of(pickle), Rule::length_spells_pickle);
    };
    CHECK(walked({0x80, 0x02, '(', 'N', 't', '.'}) == 1);          // MARK NONE TUPLE STOP
    CHECK(walked({0x80, 0x02, ']', 'N', 'a', '.'}) == 1);          // EMPTY_LIST NONE APPEND STOP
    CHECK(walked({0x80, 0x02, 'N', 'q', 0x07, 'h', 0x07, '.'}) == 1);  // BINPUT 7 then BINGET 7
    CHECK(walked({0x80, 0x02, 'h', 0x05, '.'}) == 0);              // BINGET of a key never put
    CHECK(walked({0x80, 0x02, 't', '.'}) == 0);                    // TUPLE without a MARK
    CHECK(walked({0x80, 0x02, '(', 'N', 'u', '.'}) == 0);          // SETITEMS with an odd count
    CHECK(walked({0x80, 0x06, 'N', '.'}) == 0);                    // protocol 6 does not exist
    CHECK(walked({0x80, 0x04, 0x95, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 'N', '.'}) == 0);  // frame past the end
    CHECK(walked({0x80, 0x02, 'c', 'o', 's', '\n', '1', 'x', '\n', '.'}) == 0);    // GLOBAL name not an identifier
    CHECK(walked({0x80, 0x02, 'X', 0xFF, 0xFF, 0xFF, 0x7F, 'a'}) == 0);           // string past the end of the file
  }
  SECTION("an ordinary N") {
    CHECK(count_rule(audit_of(build_file({{"w", "U8", {1}, {1}}})), Rule::length_spells_zip) == 0);
  }
}

TEST_CASE("audit polyglot: an invalid file that is a ZIP archive is still reported", "[audit][polyglot]") {
  // A PyTorch checkpoint renamed to .safetensors: the ZIP rule tells what it is.
  const Bytes archive = make_zip({{"archive/data.pkl", kPickle}});
  const auto report = audit_of(archive);
  CHECK(report.verdict == Verdict::invalid);
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::length_spells_zip) == 1);
  CHECK(count_rule(report, Rule::zip_with_pickle) == 1);
}

TEST_CASE("audit polyglot: random tensor bytes produce no signature finding", "[audit][polyglot]") {
  std::mt19937 random(12345);
  Bytes data(1U << 20U);
  for (auto& byte : data) byte = static_cast<std::uint8_t>(random());
  const auto report = audit_of(build_file({{"noise", "U8", {data.size()}, data}}));
  INFO(rule_ids(report));
  CHECK(report.findings.empty());
}
