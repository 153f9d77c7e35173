// Suppression, as scanners' users expect it: rules ignored by id, per-rule
// severity overrides, and a baseline of findings recorded once so that only
// new ones fail. Suppressed findings stay in the output (JSON "suppressed",
// SARIF "suppressions"); they only stop counting towards --fail-on.
//
// A finding's fingerprint is stable across runs and releases: SHA-256 over
// the rule id, the path as given, the tensor name, the metadata key, and the
// evidence for STG-STRICT-001 (its error code) or the offset for findings
// that name neither a tensor nor a key. Messages are not part of it, so
// rewording a message never turns a baselined finding into a new one.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "audit_output/audit_report.hpp"
#include "stguard/audit.hpp"

namespace stguard::cli {

struct SuppressionPolicy {
  std::set<audit::Rule> ignored;                                 // --ignore
  std::vector<std::pair<audit::Rule, audit::Severity>> severity;  // --severity RULE=LEVEL, in order
  std::set<std::string> baseline;                                // fingerprints from --baseline
  std::string baseline_path;

  [[nodiscard]] bool empty() const noexcept { return ignored.empty() && severity.empty() && baseline_path.empty(); }
};

// --ignore values ("STG-HDR-001,STG-LAY-001", repeatable); an error message
// for an unknown rule id.
[[nodiscard]] std::optional<std::string> add_ignored_rules(const std::vector<std::string>& values,
                                                           SuppressionPolicy& policy);
// --severity values ("STG-VAL-002=info", repeatable, comma-separated too).
[[nodiscard]] std::optional<std::string> add_severity_overrides(const std::vector<std::string>& values,
                                                                SuppressionPolicy& policy);

// The baseline file format: a comment line, then one finding per line:
// "<64 hex fingerprint> <rule id> <path, escaped for display>". Only the
// first field is read back; lines starting with '#' and blank lines are skipped.
[[nodiscard]] std::string baseline_text(std::span<const AuditedFile> files);
// Reads `path` into policy.baseline; an error message when it cannot be read
// or a line is not a fingerprint.
[[nodiscard]] std::optional<std::string> load_baseline(const std::string& path, SuppressionPolicy& policy);

[[nodiscard]] std::string finding_fingerprint(const std::string& path, const audit::Finding& finding);

// Overrides severities, then fills every file's `fingerprints` and
// `suppressions` (ignored rules first, then the baseline).
void apply_suppression(const SuppressionPolicy& policy, std::vector<AuditedFile>& files);

}  // namespace stguard::cli
