// The output formats CI systems read besides SARIF (sarif_writer.hpp):
//   --format github  workflow commands ("::error file=...,title=...::message"),
//                    which GitHub Actions turns into annotations on the file;
//                    one per invalid or unreadable file and per finding not
//                    suppressed, then the text summary line.
//   --format junit   JUnit XML: one <testcase> per judged file, <failure> when
//                    the file fails the run (invalid, or a finding at or above
//                    --fail-on), <error> when it could not be read, findings
//                    that do not fail the run in <system-out>.
// Both tools fill the same CiFile list, so both formats mean the same thing
// for st-validate and st-audit. Nothing here knows the audit library (the
// common/ layer links no audit code): st-audit turns its findings into
// CiFinding (audit_output/audit_report.hpp).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/artifact_path.hpp"
#include "stguard/error.hpp"

namespace stguard::cli {

// The workflow command a finding becomes: error when it fails the run,
// warning or notice by its severity otherwise (st-audit decides).
enum class AnnotationLevel { error, warning, notice };

struct CiFinding {
  std::string rule;          // "STG-POLY-001"
  std::string severity;      // "high", "medium", "low", "info"
  std::string message;       // already escaped for display (the library's messages are)
  bool fails = false;        // counts towards --fail-on
  AnnotationLevel level = AnnotationLevel::notice;
};

struct CiFile {
  std::string path;          // as the tool reports it
  std::string_view status;   // "valid", "compat-only", "invalid", "unreadable"
  std::optional<Error> error;  // invalid or unreadable: why
  std::string detail;        // for valid files: "2 tensors, header 128 bytes, ..."
  std::vector<CiFinding> findings;  // not suppressed
  bool fails = false;        // this file makes the exit status 1
};

// Escaping GitHub requires in a workflow command: in the message, '%', CR
// and LF; in a property value (file, title) also ':' and ','.
[[nodiscard]] std::string github_escape_message(std::string_view text);
[[nodiscard]] std::string github_escape_property(std::string_view text);

[[nodiscard]] std::string write_github_annotations(std::span<const CiFile> files, std::string_view tool,
                                                   const ArtifactBase& base, std::string_view summary_line);

// Text safe in XML 1.0 character data and attribute values: escaped for
// display first (no control or invisible character survives), then & < > " '.
[[nodiscard]] std::string xml_escape(std::string_view already_escaped);

[[nodiscard]] std::string write_junit(std::span<const CiFile> files, std::string_view tool);

}  // namespace stguard::cli
