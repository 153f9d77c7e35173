// SARIF 2.1.0 output of audit results, for code-scanning dashboards.
//
// One run; the driver lists every audit rule (id, name, descriptions,
// default level, security-severity) plus STG-FILE-001, the tool-level rule
// under which a file the reference reader refuses is shown (an invalid file
// is not a finding of the library, but a dashboard only shows results).
// Findings become results with ruleId, ruleIndex, level (high = error,
// medium = warning, low and info = note), message.text and one location.
// What code-scanning dashboards need to place and track a result:
//   * artifactLocation.uri is relative to the base folder (--base, default
//     the working directory) with uriBaseId "SRCROOT", which
//     run.originalUriBaseIds maps to the base's file:// URI; a file outside
//     the base keeps its absolute file:// URI;
//   * region is {"startLine": 1}: safetensors files are binary, and a line
//     is what every viewer (GitHub included) can place; the exact byte offset,
//     when the finding has one, is a relatedLocation with a binary region
//     {"byteOffset": X} (and result.properties.byteOffset);
//   * partialFingerprints."stguardFinding/v1" is the finding's fingerprint
//     (suppression.hpp) over the base-relative path, so the same finding in
//     the same repository file is the same alert whichever folder the tool
//     ran from (invalid files: over the rule, the path and the error code).
// Unreadable files become tool execution notifications (and
// executionSuccessful = false).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "audit_output/audit_report.hpp"
#include "common/artifact_path.hpp"

namespace stguard::cli {

inline constexpr std::string_view kSarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
inline constexpr std::string_view kInvalidFileRuleId = "STG-FILE-001";
inline constexpr std::string_view kSarifBaseId = "SRCROOT";

// "error", "warning" or "note".
[[nodiscard]] std::string_view sarif_level(audit::Severity severity) noexcept;

// A path as a URI reference: relative paths stay relative, absolute ones get
// "file://"; every byte outside RFC 3986's unreserved set and '/' is %XX.
[[nodiscard]] std::string sarif_uri(std::string_view path);

// The whole SARIF log.
[[nodiscard]] std::string write_sarif(std::span<const AuditedFile> files, std::string_view tool_name,
                                      std::string_view tool_version, const ArtifactBase& base = ArtifactBase());

}  // namespace stguard::cli
