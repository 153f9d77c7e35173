// How st-audit prints audit results: the per-argument outcome type, the text
// form for people (coloured through a Palette, every untrusted string escaped)
// and the JSON form for programs. SARIF lives in sarif_writer.hpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/json_writer.hpp"
#include "common/terminal.hpp"
#include "stguard/audit.hpp"

namespace stguard::cli {

// Why a finding does not count towards --fail-on (suppression.hpp).
struct FindingSuppression {
  std::string kind;           // SARIF suppression kind: "external" (--ignore, --baseline)
  std::string justification;  // "ignored by --ignore STG-HDR-001", "in baseline base.txt"
};

// One audited file: a report, or the error that kept it from being read.
struct AuditedFile {
  AuditedFile(std::string path_, std::optional<audit::AuditReport> report_, std::optional<Error> unreadable_)
      : path(std::move(path_)), report(std::move(report_)), unreadable(std::move(unreadable_)) {}

  std::string path;
  std::optional<audit::AuditReport> report;
  std::optional<Error> unreadable;
  // Parallel to report->findings once apply_suppression ran (empty before).
  std::vector<std::string> fingerprints;
  std::vector<std::optional<FindingSuppression>> suppressions;

  [[nodiscard]] const FindingSuppression* suppression(std::size_t finding) const noexcept {
    return finding < suppressions.size() && suppressions[finding] ? &*suppressions[finding] : nullptr;
  }
};

// "valid", "compat-only", "invalid" or "unreadable".
[[nodiscard]] std::string_view audited_status(const AuditedFile& file);

// True when the file makes the exit status 1: invalid, or a finding at or
// above `fail_on` that is not suppressed.
[[nodiscard]] bool audited_fails(const AuditedFile& file, audit::Severity fail_on);

// Text: a line per file, a line per finding (with its evidence), a summary.
[[nodiscard]] std::string format_audit_text(std::span<const AuditedFile> files, audit::Severity fail_on,
                                            const Palette& palette);

// The JSON document of docs/audit.md.
void write_audit_json(JsonWriter& json, std::span<const AuditedFile> files, std::string_view profile,
                      audit::Severity fail_on);

}  // namespace stguard::cli
