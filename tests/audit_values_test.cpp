// The values pass: NaN and Inf decoded from the bits of every floating dtype
// that has them (and not from types that do not), BOOL bytes other than 0/1,
// all-zero tensors (zero-size tensors are never flagged), identical tensors
// grouped, chunk boundaries, and thread counts that must not change results.
#include <catch2/catch.hpp>

#include <limits>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

stguard::audit::AuditOptions with_values(unsigned threads = 0) {
  stguard::audit::AuditOptions options;
  options.scan_values = true;
  options.threads = threads;
  return options;
}

struct Counts {
  std::uint64_t nan = 0;
  std::uint64_t inf = 0;
};

// The counts in a finding's message ("holds 3 NaN value(s)").
std::uint64_t count_in(const stguard::audit::Finding* finding) {
  if (finding == nullptr) return 0;
  const std::size_t at = finding->message.find(" holds ");
  REQUIRE(at != std::string::npos);
  return std::stoull(finding->message.substr(at + 7));
}

Counts counts_for(const std::string& dtype, const Bytes& data, std::uint64_t elements) {
  const auto report = audit_of(build_file({{"t", dtype, {elements}, data}}), with_values());
  return {count_in(find_rule(report, Rule::value_nan)), count_in(find_rule(report, Rule::value_inf))};
}

}  // namespace

TEST_CASE("audit values: NaN and Inf per dtype, decoded from bits", "[audit][values]") {
  const float f_inf = std::numeric_limits<float>::infinity();
  const float f_nan = std::numeric_limits<float>::quiet_NaN();
  const double d_inf = std::numeric_limits<double>::infinity();
  const double d_nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::string dtype;
    Bytes data;
    std::uint64_t elements;
    std::uint64_t nan;
    std::uint64_t inf;
  };
  const std::vector<Case> cases = {
      {"F16", u16_bytes({0x7C00, 0xFC00, 0x7E00, 0x7C01, 0x3C00, 0x7BFF}), 6, 2, 2},
      {"BF16", u16_bytes({0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0x3F80, 0x7F7F}), 6, 2, 2},
      {"F32", f32_bytes({f_inf, -f_inf, f_nan, 1.0F, std::numeric_limits<float>::max()}), 5, 1, 2},
      {"F64", f64_bytes({d_nan, -d_nan, d_inf, 0.0}), 4, 2, 1},
      {"C64", f32_bytes({1.0F, f_nan, f_inf, 2.0F}), 2, 1, 1},
      // E5M2: IEEE-like; 0x7C/0xFC are +-Inf, mantissa != 0 with exponent 11111 is NaN.
      {"F8_E5M2", Bytes{0x7C, 0xFC, 0x7D, 0x7F, 0xFE, 0x3C, 0x7B}, 7, 3, 2},
      // E4M3 (fn): no Inf; only S.1111.111 is NaN; 0x7E is 448, the largest finite.
      {"F8_E4M3", Bytes{0x7F, 0xFF, 0x7E, 0x78, 0x7C}, 5, 2, 0},
      // FNUZ: NaN is 0x80 only; 0x7F and 0xFF are finite, no Inf.
      {"F8_E4M3FNUZ", Bytes{0x80, 0x7F, 0xFF, 0x00}, 4, 1, 0},
      {"F8_E5M2FNUZ", Bytes{0x80, 0x7C, 0xFC, 0x7F}, 4, 1, 0},
      // E8M0: NaN is 0xFF; 0x7F is 1.0.
      {"F8_E8M0", Bytes{0xFF, 0x7F, 0xFE, 0x00}, 4, 1, 0},
      // Integers with float bit patterns are just integers.
      {"I32", f32_bytes({f_nan, f_inf}), 2, 0, 0},
      {"U16", u16_bytes({0x7C00, 0x7E00}), 2, 0, 0},
      {"U8", Bytes{0xFF, 0x80, 0x7F}, 3, 0, 0},
      {"F4", Bytes{0xFF, 0x77}, 4, 0, 0},
  };
  for (const Case& c : cases) {
    INFO(c.dtype);
    const Counts counts = counts_for(c.dtype, c.data, c.elements);
    CHECK(counts.nan == c.nan);
    CHECK(counts.inf == c.inf);
  }
}

TEST_CASE("audit values: the finding points at the first bad element", "[audit][values]") {
  std::vector<float> values(10, 1.0F);
  values[7] = std::numeric_limits<float>::quiet_NaN();
  values[9] = std::numeric_limits<float>::quiet_NaN();
  const Bytes file = build_file({{"a", "U8", {8}, Bytes(8, 1)}, {"w", "F32", {10}, f32_bytes(values)}});
  const auto report = audit_of(file, with_values());
  const auto* nan = find_rule(report, Rule::value_nan);
  REQUIRE(nan != nullptr);
  CHECK(nan->tensor == "w");
  CHECK(nan->severity == Severity::medium);
  CHECK(nan->message.find("holds 2 NaN") != std::string::npos);
  CHECK(nan->evidence == "first at element 7");
  CHECK(nan->offset == report.header->data_offset() + 8 + 7 * 4);
}

TEST_CASE("audit values: BOOL bytes other than 0 and 1", "[audit][values]") {
  const auto report = audit_of(build_file({{"mask", "BOOL", {6}, {0, 1, 2, 1, 255, 0}}}), with_values());
  const auto* finding = find_rule(report, Rule::bool_not_zero_one);
  REQUIRE(finding != nullptr);
  CHECK(finding->message.find("holds 2 byte(s)") != std::string::npos);
  CHECK(finding->evidence == "first at element 2");
  CHECK(count_rule(audit_of(build_file({{"mask", "BOOL", {3}, {0, 1, 1}}}), with_values()),
                   Rule::bool_not_zero_one) == 0);
}

TEST_CASE("audit values: all-zero tensors are info, zero-size tensors are never flagged", "[audit][values]") {
  const auto report = audit_of(build_file({{"zeros", "F32", {4}, Bytes(16, 0)},
                                           {"empty", "F32", {0}, {}},
                                           {"empty2", "BOOL", {3, 0}, {}},
                                           {"scalar_zero", "U8", {}, {0}},
                                           {"negative_zero", "F32", {1}, f32_bytes({-0.0F})}}),
                               with_values());
  INFO(rule_ids(report));
  std::vector<std::string> flagged;
  for (const auto& finding : report.findings) {
    if (finding.rule == Rule::tensor_all_zero) {
      CHECK(finding.severity == Severity::info);
      flagged.push_back(finding.tensor);
    }
    CHECK(finding.tensor != "empty");
    CHECK(finding.tensor != "empty2");
  }
  CHECK(flagged == std::vector<std::string>{"zeros", "scalar_zero"});
  // The two all-zero tensors of different sizes are not "identical" either.
  CHECK(count_rule(report, Rule::tensors_identical) == 0);
}

TEST_CASE("audit values: tensors with identical bytes are grouped", "[audit][values]") {
  const Bytes shared = f32_bytes({0.5F, -1.5F, 2.25F, 8.0F});
  const auto report = audit_of(build_file({{"embed", "F32", {4}, shared},
                                           {"other", "F32", {4}, f32_bytes({0.5F, -1.5F, 2.25F, 8.5F})},
                                           {"lm_head", "F32", {4}, shared},
                                           {"as_bytes", "U8", {16}, shared},
                                           {"small", "U8", {4}, {1, 2, 3, 4}},
                                           {"small_copy", "U8", {4}, {1, 2, 3, 4}},
                                           {"zero_a", "U8", {4}, {0, 0, 0, 0}},
                                           {"zero_b", "U8", {4}, {0, 0, 0, 0}}}),
                               with_values());
  INFO(rule_ids(report));
  REQUIRE(count_rule(report, Rule::tensors_identical) == 2);
  const auto* first = find_rule(report, Rule::tensors_identical);
  CHECK(first->tensor == "embed");
  CHECK(first->message.find("3 tensors") != std::string::npos);
  CHECK(first->evidence.find("\"lm_head\"") != std::string::npos);
  CHECK(first->evidence.find("\"as_bytes\"") != std::string::npos);
  CHECK(first->evidence.find("\"other\"") == std::string::npos);
  CHECK(first->evidence.find("\"zero_a\"") == std::string::npos);
}

TEST_CASE("audit values: not scanned unless asked", "[audit][values]") {
  const auto report =
      audit_of(build_file({{"w", "F32", {1}, f32_bytes({std::numeric_limits<float>::quiet_NaN()})}}));
  CHECK_FALSE(report.values_scanned);
  CHECK(count_rule(report, Rule::value_nan) == 0);
  CHECK(audit_of(build_file({{"w", "F32", {1}, f32_bytes({std::numeric_limits<float>::quiet_NaN()})}}),
                 with_values())
            .values_scanned);
}

TEST_CASE("audit values: tensors spanning several read chunks, any thread count", "[audit][values]") {
  // 2.5 MiB of F32 crosses two 1 MiB chunk boundaries; NaNs sit on both sides.
  const std::size_t elements = 5 * (1U << 20U) / 8;
  std::vector<float> values(elements, 0.125F);
  for (const std::size_t at : {std::size_t{3}, (std::size_t{1} << 18U) - 1, std::size_t{1} << 18U, elements - 1}) {
    values[at] = std::numeric_limits<float>::quiet_NaN();
  }
  values[1000] = std::numeric_limits<float>::infinity();
  const Bytes file = build_file({{"big", "F32", {elements}, f32_bytes(values)},
                                 {"big_twin", "F32", {elements}, f32_bytes(values)},
                                 {"tail", "BOOL", {2}, {1, 7}}});
  for (const unsigned threads : {1U, 2U, 5U}) {
    INFO("threads " << threads);
    const auto report = audit_of(file, with_values(threads));
    CHECK(count_rule(report, Rule::value_nan) == 2);
    CHECK(count_in(find_rule(report, Rule::value_nan)) == 4);
    CHECK(find_rule(report, Rule::value_nan)->evidence == "first at element 3");
    CHECK(count_rule(report, Rule::value_inf) == 2);
    CHECK(count_rule(report, Rule::bool_not_zero_one) == 1);
    CHECK(count_rule(report, Rule::tensors_identical) == 1);
  }
}
