// SARIF 2.1.0 output of audit results, for code-scanning dashboards.
//
// One run; the driver lists every audit rule (id, name, descriptions,
// default level, security-severity) plus STG-FILE-001, the tool-level rule
// under which a file the reference reader refuses is shown (an invalid file
// is not a finding of the library, but a dashboard only shows results).
// Findings become results with ruleId, ruleIndex, level (high = error,
// medium = warning, low and info = note), message.text, and a location whose
// artifactLocation.uri is the path as a URI reference and whose
// region.byteOffset is the finding's offset when it has one. Unreadable files
// become tool execution notifications (and executionSuccessful = false).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "audit_output/audit_report.hpp"

namespace stguard::cli {

inline constexpr std::string_view kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
inline constexpr std::string_view kInvalidFileRuleId = "STG-FILE-001";

// "error", "warning" or "note".
[[nodiscard]] std::string_view sarif_level(audit::Severity severity) noexcept;

// A path as a URI reference: relative paths stay relative, absolute ones get
// "file://"; every byte outside RFC 3986's unreserved set and '/' is %XX.
[[nodiscard]] std::string sarif_uri(std::string_view path);

// The whole SARIF log.
[[nodiscard]] std::string write_sarif(std::span<const AuditedFile> files, std::string_view tool_name,
                                      std::string_view tool_version);

}  // namespace stguard::cli
