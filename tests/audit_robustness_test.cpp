// The audit on hostile bytes: deterministic mutations and truncations of
// crafted files (a ZIP polyglot, a ZIP64-looking tail, a compat-only header)
// run through audit_bytes with every pass on. Nothing may crash, hang or
// throw (the sanitizer build turns any out-of-bounds read into a failure),
// and every finding must be well formed. A smoke test in the suite; a
// coverage-guided fuzz target over audit_bytes would go further.
#include <catch2/catch.hpp>

#include <random>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

void check_well_formed(const Bytes& input) {
  stguard::audit::AuditOptions options;
  options.scan_values = true;
  options.compute_digests = true;
  options.threads = 2;
  options.validation = stguard::Options::compat();
  auto report = stguard::audit::audit_bytes(input, options);
  REQUIRE(report.ok());
  CHECK(report->file_size == input.size());
  CHECK((report->verdict == stguard::audit::Verdict::invalid) == report->error.has_value());
  CHECK((report->verdict == stguard::audit::Verdict::invalid) == !report->header.has_value());
  for (const auto& finding : report->findings) {
    CHECK_FALSE(finding.message.empty());
    if (finding.has_offset()) CHECK(finding.offset <= input.size());
  }
}

Bytes polyglot_seed() {
  const Bytes archive =
      make_zip({{"archive/data.pkl", {0x80, 0x02, '}', 'q', 0x00, '.'}}, {"archive/version", {'3', '\n'}}});
  return build_file({{"w", "F32", {2}, f32_bytes({1.0F, 2.0F})},
                     {"mask", "BOOL", {2}, {0, 1}},
                     {"blob", "U8", {archive.size()}, archive}},
                    {{"format", "pt"}});
}

}  // namespace

TEST_CASE("audit robustness: every truncation of a polyglot", "[audit][robustness]") {
  const Bytes seed = polyglot_seed();
  for (std::size_t length = 0; length <= seed.size(); ++length) {
    check_well_formed(Bytes(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(length)));
  }
}

TEST_CASE("audit robustness: random mutations of the ZIP tail and the header", "[audit][robustness]") {
  const Bytes seed = polyglot_seed();
  std::mt19937 random(20240601);
  for (int round = 0; round < 1500; ++round) {
    Bytes input = seed;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      // Bias edits towards the last 120 bytes (EOCD and central directory) and the first 16.
      std::size_t at = 0;
      if (random() % 2 == 0) {
        at = input.size() - 1 - random() % std::min<std::size_t>(input.size(), 120);
      } else {
        at = random() % std::min<std::size_t>(input.size(), 16);
      }
      const std::uint8_t interesting[] = {0x00, 0xFF, 0x7F, 0x80, 'P', 'K', 0x05, 0x06, 0x01, 0x02};
      input[at] = random() % 3 == 0 ? static_cast<std::uint8_t>(random()) : interesting[random() % sizeof interesting];
    }
    check_well_formed(input);
  }
}

TEST_CASE("audit robustness: ZIP64 records and huge recorded sizes", "[audit][robustness]") {
  Bytes archive = make_zip({{"archive/data.pkl", {0x80, 0x02, '.'}}});
  // Saturate the EOCD's fields so the probe looks for a ZIP64 locator that is
  // not there (or is, but points nowhere).
  for (const std::size_t field : {std::size_t{8}, std::size_t{10}, std::size_t{12}, std::size_t{16}}) {
    Bytes broken = archive;
    const std::size_t eocd = broken.size() - 22;
    for (std::size_t i = 0; i < (field >= 12 ? 4U : 2U); ++i) broken[eocd + field + i] = 0xFF;
    check_well_formed(build_file({{"blob", "U8", {broken.size()}, broken}}));
    Bytes with_locator = broken;
    const Bytes locator = {'P', 'K', 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    with_locator.insert(with_locator.end() - 22, locator.begin(), locator.end());
    check_well_formed(build_file({{"blob", "U8", {with_locator.size()}, with_locator}}));
  }
}
