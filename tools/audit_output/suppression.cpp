// --ignore, --severity and baselines (see suppression.hpp).
#include "audit_output/suppression.hpp"

#include <algorithm>

#include "common/report.hpp"
#include "common/text_file.hpp"
#include "stguard/audit_digest.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {
namespace {

constexpr std::string_view kBaselineHeader = "# st-audit baseline v1: <fingerprint> <rule> <path>";
constexpr std::uint64_t kMaxBaselineBytes = 256ULL << 20U;
constexpr std::size_t kFingerprintHexLength = 64;

// "A,B" and repeated flags alike, empty pieces dropped.
std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (const std::string& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      if (end > start) items.push_back(value.substr(start, end - start));
      start = end + 1;
    }
  }
  return items;
}

std::string unknown_rule(std::string_view flag, const std::string& id) {
  return std::string(flag) + ": unknown rule id \"" + escape_for_display(id) + "\" (st-audit --help lists them)";
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::optional<std::string> add_ignored_rules(const std::vector<std::string>& values, SuppressionPolicy& policy) {
  for (const std::string& id : split_list(values)) {
    const auto rule = audit::rule_from_id(id);
    if (!rule) return unknown_rule("--ignore", id);
    policy.ignored.insert(*rule);
  }
  return std::nullopt;
}

std::optional<std::string> add_severity_overrides(const std::vector<std::string>& values, SuppressionPolicy& policy) {
  for (const std::string& item : split_list(values)) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos) {
      return "--severity: expected RULE=LEVEL, got \"" + escape_for_display(item) + "\"";
    }
    const std::string id = item.substr(0, equals);
    const auto rule = audit::rule_from_id(id);
    if (!rule) return unknown_rule("--severity", id);
    const auto severity = audit::severity_from_name(item.substr(equals + 1));
    if (!severity) {
      return "--severity: level must be info, low, medium or high, got \"" + escape_for_display(item.substr(equals + 1)) +
             "\"";
    }
    policy.severity.emplace_back(*rule, *severity);
  }
  return std::nullopt;
}

namespace {

// SHA-256 over "stguard-finding-v1" and length-prefixed fields, in hex.
std::string fingerprint_of(std::span<const std::string_view> fields) {
  std::string material = "stguard-finding-v1";
  for (const std::string_view value : fields) {
    material += '\0';
    material += std::to_string(value.size());
    material += ':';
    material += value;
  }
  const auto digest = audit::sha256(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(material.data()), material.size()));
  return digest ? audit::to_hex(*digest) : std::string(kFingerprintHexLength, '0');
}

}  // namespace

std::string finding_fingerprint(const std::string& path, const audit::Finding& finding) {
  const bool located_by_name = !finding.tensor.empty() || !finding.metadata_key.empty();
  const std::string offset = !located_by_name && finding.has_offset() ? std::to_string(finding.offset) : std::string();
  // Two directives inside one metadata value differ only by their path in it.
  std::vector<std::string_view> fields = {audit::rule_id(finding.rule), path, finding.tensor, finding.metadata_key,
                                          finding.json_path};
  if (finding.rule == audit::Rule::strict_rejects) fields.emplace_back(finding.evidence);
  fields.emplace_back(offset);
  return fingerprint_of(fields);
}

std::string invalid_file_fingerprint(const std::string& path, std::string_view rule_id, ErrorCode code) {
  const std::string_view fields[] = {rule_id, path, error_code_name(code)};
  return fingerprint_of(fields);
}

std::string baseline_text(std::span<const AuditedFile> files) {
  std::string text = std::string(kBaselineHeader) + "\n";
  for (const AuditedFile& file : files) {
    if (!file.report) continue;
    for (std::size_t i = 0; i < file.report->findings.size(); ++i) {
      const FindingSuppression* suppression = file.suppression(i);
      if (suppression != nullptr && suppression->justification.rfind("ignored", 0) == 0) continue;
      const std::string fingerprint =
          i < file.fingerprints.size() ? file.fingerprints[i] : finding_fingerprint(file.path, file.report->findings[i]);
      text += fingerprint + " " + std::string(audit::rule_id(file.report->findings[i].rule)) + " " +
              escape_for_display(file.path) + "\n";
    }
  }
  return text;
}

std::optional<std::string> load_baseline(const std::string& path, SuppressionPolicy& policy) {
  auto text = read_text_file(path, kMaxBaselineBytes);
  if (!text) return "--baseline: cannot read " + escape_for_display(path) + ": " + cli::format_error(text.error());
  policy.baseline_path = path;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text->size()) {
    std::size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    const std::string_view line = std::string_view(*text).substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const std::string_view fingerprint = line.substr(0, line.find(' '));
    if (fingerprint.size() != kFingerprintHexLength || !is_hex(fingerprint)) {
      return "--baseline: " + escape_for_display(path) + " line " + std::to_string(line_number) +
             " does not start with a 64-digit fingerprint";
    }
    policy.baseline.emplace(fingerprint);
  }
  return std::nullopt;
}

void apply_suppression(const SuppressionPolicy& policy, std::vector<AuditedFile>& files) {
  for (AuditedFile& file : files) {
    if (!file.report) continue;
    std::vector<audit::Finding>& findings = file.report->findings;
    file.fingerprints.clear();
    file.suppressions.assign(findings.size(), std::nullopt);
    for (std::size_t i = 0; i < findings.size(); ++i) {
      audit::Finding& finding = findings[i];
      for (const auto& [rule, severity] : policy.severity) {
        if (rule == finding.rule) finding.severity = severity;  // the last override of a rule wins
      }
      file.fingerprints.push_back(finding_fingerprint(file.path, finding));
      if (policy.ignored.contains(finding.rule)) {
        file.suppressions[i] = FindingSuppression{"external", "ignored by --ignore " + std::string(audit::rule_id(finding.rule))};
      } else if (policy.baseline.contains(file.fingerprints.back())) {
        file.suppressions[i] = FindingSuppression{"external", "in baseline " + escape_for_display(policy.baseline_path)};
      }
    }
  }
}

}  // namespace stguard::cli
