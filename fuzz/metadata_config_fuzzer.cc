// metadata_config: the metadata-config scanner and its rules on one
// __metadata__ value (the input after a mode byte). Mode 0 takes the bytes as
// the value; mode 1 wraps them as a JSON string inside an object
// ({"k": "<bytes>"}), which drives the nested-string decoding.
// Checks, whatever the bytes:
//   * the scanner never throws (only bad_alloc, never seen at these sizes);
//   * on_bound comes at most once per bound, and the visitor sees no more
//     leaves and targets than the event budget allows;
//   * every target's path ends with its directive key, which is _target_ or
//     class_path; every path is valid UTF-8 with no control, bidi or
//     zero-width character (escaped for display);
//   * the rules give only STG-CFG-* and STG-META-003 findings, at their
//     documented severities, each carrying the metadata key, within the per-rule cap;
//   * the same value gives the same findings twice.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config_scan.hpp"
#include "finding_sink.hpp"
#include "fuzz_support.hpp"
#include "rule_passes.hpp"
#include "stguard/escape.hpp"

namespace {

using namespace stguard::audit;
using namespace stguard::audit::detail;

bool display_safe(std::string_view text) {
  if (!stguard::fuzz::is_strict_utf8(text)) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    // U+200B..U+200F, U+202A..U+202E, U+2066..U+2069 (E2 80 8B..8F, E2 80 AA..AE, E2 81 A6..A9)
    if (byte == 0xE2 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if (b1 == 0x80 && ((b2 >= 0x8B && b2 <= 0x8F) || (b2 >= 0xAA && b2 <= 0xAE))) return false;
      if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return false;
    }
  }
  return true;
}

class CheckingVisitor final : public ConfigVisitor {
 public:
  void on_target(const ConfigTarget& target) override {
    ++seen;
    FUZZ_CHECK(target.key == "_target_" || target.key == "class_path");
    FUZZ_CHECK(std::string_view(target.path).ends_with(target.key));
    FUZZ_CHECK(display_safe(target.path));
    FUZZ_CHECK(target.level <= kConfigMaxStringLevels);
  }
  void on_string(std::string_view, const ConfigPlace& place) override {
    ++seen;
    FUZZ_CHECK(display_safe(place.path));
    FUZZ_CHECK(place.level <= kConfigMaxStringLevels);
  }
  void on_plain_value(std::string_view) override { ++plain; }
  void on_python_tag(std::string_view, const ConfigPlace& place) override {
    FUZZ_CHECK(place.syntax == ConfigSyntax::yaml);
    FUZZ_CHECK(display_safe(place.path));
  }
  void on_bound(ConfigBound bound, const ConfigPlace& place) override {
    auto& count = bounds[static_cast<std::size_t>(bound)];
    FUZZ_CHECK(++count == 1);
    FUZZ_CHECK(display_safe(place.path));
  }

  std::uint64_t seen = 0;
  std::uint64_t plain = 0;
  std::array<unsigned, kConfigBoundCount> bounds{};
};

bool severity_allowed(const Finding& finding) {
  switch (finding.rule) {
    case Rule::config_dangerous_target:
    case Rule::config_yaml_python_tag: return finding.severity == Severity::high;
    case Rule::config_target: return finding.severity == Severity::info;
    case Rule::config_resolver_interpolation:
      return finding.severity == Severity::medium || finding.severity == Severity::info;
    case Rule::config_scan_incomplete: return finding.severity == Severity::medium;
    case Rule::metadata_foreign_payload: return finding.severity == Severity::medium || finding.severity == Severity::high;
    default: return false;
  }
}

std::vector<Finding> run_rules(std::string_view value, std::uint32_t cap) {
  FindingSink sink(cap);
  check_config_entry("k", value, sink);
  return sink.take_findings();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string value(bytes);
  if ((data[0] & 1U) != 0) value = "{\"k\": \"" + stguard::escape_json(bytes) + "\"}";

  CheckingVisitor visitor;
  scan_config_value(value, visitor);
  FUZZ_CHECK(visitor.seen <= kConfigMaxEventsPerValue);
  FUZZ_CHECK(visitor.plain <= 1);

  constexpr std::uint32_t kCap = 8;
  const std::vector<Finding> findings = run_rules(value, kCap);
  std::array<std::uint32_t, kRuleCount> per_rule{};
  for (const Finding& finding : findings) {
    FUZZ_CHECK_MSG(severity_allowed(finding), std::string(rule_id(finding.rule)));
    FUZZ_CHECK(++per_rule[static_cast<std::size_t>(finding.rule)] <= kCap);
    FUZZ_CHECK(finding.metadata_key == "k");
    FUZZ_CHECK(display_safe(finding.json_path));
    FUZZ_CHECK(display_safe(finding.message));
    FUZZ_CHECK(display_safe(finding.evidence));
  }
  const std::vector<Finding> again = run_rules(value, kCap);
  FUZZ_CHECK(again.size() == findings.size());
  for (std::size_t i = 0; i < findings.size() && i < again.size(); ++i) {
    FUZZ_CHECK(again[i].rule == findings[i].rule && again[i].json_path == findings[i].json_path &&
               again[i].message == findings[i].message);
  }
  return 0;
}
