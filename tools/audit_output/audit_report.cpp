// Text and JSON output of audit results.
#include "audit_output/audit_report.hpp"

#include <array>

#include "common/report.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {
namespace {

using audit::Finding;
using audit::Severity;

Style severity_style(Severity severity) {
  switch (severity) {
    case Severity::high: return Style::bold_red;
    case Severity::medium: return Style::yellow;
    case Severity::low: return Style::cyan;
    case Severity::info: return Style::dim;
  }
  return Style::none;
}

std::string padded(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string finding_location(const Finding& finding) {
  std::string where;
  if (finding.has_offset()) where += "at byte " + std::to_string(finding.offset);
  if (!finding.tensor.empty()) {
    where += (where.empty() ? "" : ", ") + std::string("tensor \"") + escape_for_display(finding.tensor) + "\"";
  }
  if (!finding.metadata_key.empty()) {
    where += (where.empty() ? "" : ", ") + std::string("metadata key \"") + escape_for_display(finding.metadata_key) +
             "\"";
  }
  if (!finding.json_path.empty()) {
    where += (where.empty() ? "" : ", ") + std::string("at ") + guard_escaped_for_display(finding.json_path);
  }
  return where.empty() ? where : " (" + where + ")";
}

using SeverityCounts = std::array<std::uint64_t, 4>;

// Counts the findings that are not suppressed; returns how many are.
std::uint64_t count_findings(const AuditedFile& file, SeverityCounts& counts) {
  std::uint64_t suppressed = 0;
  for (std::size_t i = 0; i < file.report->findings.size(); ++i) {
    if (file.suppression(i) != nullptr) {
      ++suppressed;
    } else {
      ++counts[static_cast<std::size_t>(file.report->findings[i].severity)];
    }
  }
  return suppressed;
}

void write_nullable_string(JsonWriter& json, std::string_view key, const std::string& value) {
  json.key(key);
  if (value.empty()) {
    json.null();
  } else {
    json.string(value);
  }
}

}  // namespace

std::string_view audited_status(const AuditedFile& file) {
  if (!file.report) return "unreadable";
  return audit::verdict_name(file.report->verdict);
}

bool audited_fails(const AuditedFile& file, Severity fail_on) {
  if (!file.report) return false;  // unreadable: exit 2, decided by the caller
  if (file.report->verdict == audit::Verdict::invalid) return true;
  for (std::size_t i = 0; i < file.report->findings.size(); ++i) {
    if (file.report->findings[i].severity >= fail_on && file.suppression(i) == nullptr) return true;
  }
  return false;
}

std::string format_audit_text(std::span<const AuditedFile> files, Severity fail_on, const Palette& palette) {
  std::string out;
  SeverityCounts totals{};
  std::uint64_t suppressed = 0;
  std::array<std::size_t, 4> statuses{};  // valid, compat-only, invalid, unreadable
  for (const AuditedFile& file : files) {
    const std::string path = escape_for_display(file.path);
    if (!file.report) {
      ++statuses[3];
      out += path + ": " + palette.paint(Style::bold_red, "ERROR") + " " + cli::format_error(*file.unreadable) + "\n";
      continue;
    }
    const audit::AuditReport& report = *file.report;
    suppressed += count_findings(file, totals);
    ++statuses[static_cast<std::size_t>(report.verdict)];
    out += path + ": ";
    if (report.verdict == audit::Verdict::invalid) {
      out += palette.paint(Style::bold_red, "INVALID") + " " + cli::format_error(*report.error);
    } else {
      out += palette.paint(report.verdict == audit::Verdict::strict_valid ? Style::green : Style::yellow,
                           audit::verdict_name(report.verdict));
      if (report.header) out += ", " + count_of(report.header->tensor_count(), "tensor");
    }
    out += ", " + count_of(report.findings.size(), "finding");
    if (report.values_scanned) out += ", values scanned";
    out += "\n";
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      const Finding& finding = report.findings[i];
      const FindingSuppression* suppression = file.suppression(i);
      // Messages and evidence quote untrusted text already escaped; the guard
      // keeps those escapes and stops anything raw.
      out += "  " + palette.paint(severity_style(finding.severity), padded(audit::severity_name(finding.severity), 6)) +
             "  " + palette.paint(Style::bold, padded(audit::rule_id(finding.rule), 14)) + " " +
             guard_escaped_for_display(finding.message) + finding_location(finding) +
             (suppression != nullptr
                  ? palette.paint(Style::dim,
                                  " [suppressed: " + guard_escaped_for_display(suppression->justification) + "]")
                  : std::string()) +
             "\n";
      if (!finding.evidence.empty()) {
        out += "          " + palette.paint(Style::dim, "evidence: " + guard_escaped_for_display(finding.evidence)) + "\n";
      }
    }
    if (report.suppressed_findings > 0) {
      out += "  ... and " + count_of(report.suppressed_findings, "more finding") + " not listed (max per rule reached)\n";
    }
    if (report.digests) out += "  sha256 " + audit::to_hex(report.digests->file_sha256) + "\n";
  }
  bool failing = false;
  for (const AuditedFile& file : files) failing = failing || audited_fails(file, fail_on) || !file.report;
  out += count_of(files.size(), "file") + ": " + std::to_string(statuses[0]) +
         " valid, " + std::to_string(statuses[1]) + " compat-only, " + std::to_string(statuses[2]) + " invalid, " +
         std::to_string(statuses[3]) + " unreadable; findings: " + std::to_string(totals[3]) + " high, " +
         std::to_string(totals[2]) + " medium, " + std::to_string(totals[1]) + " low, " + std::to_string(totals[0]) +
         " info" + (suppressed > 0 ? ", " + std::to_string(suppressed) + " suppressed" : std::string()) + "; --fail-on " + std::string(audit::severity_name(fail_on)) + ": " +
         (failing ? palette.paint(Style::bold_red, "FAIL") : palette.paint(Style::green, "PASS")) + "\n";
  return out;
}

std::vector<CiFile> audit_ci_files(std::span<const AuditedFile> files, Severity fail_on) {
  std::vector<CiFile> out;
  for (const AuditedFile& file : files) {
    CiFile ci;
    ci.path = file.path;
    ci.status = audited_status(file);
    ci.fails = audited_fails(file, fail_on);
    if (!file.report) {
      ci.error = file.unreadable;
      out.push_back(std::move(ci));
      continue;
    }
    const audit::AuditReport& report = *file.report;
    if (report.verdict == audit::Verdict::invalid) ci.error = report.error;
    if (report.header) ci.detail = std::string(audit::verdict_name(report.verdict)) + ", " + count_of(report.header->tensor_count(), "tensor");
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      if (file.suppression(i) != nullptr) continue;
      const Finding& finding = report.findings[i];
      const bool fails = finding.severity >= fail_on;
      const AnnotationLevel level = fails                                       ? AnnotationLevel::error
                                    : finding.severity == Severity::medium ? AnnotationLevel::warning
                                                                           : AnnotationLevel::notice;
      ci.findings.push_back({std::string(audit::rule_id(finding.rule)), std::string(audit::severity_name(finding.severity)),
                             finding.message + finding_location(finding), fails, level});
    }
    out.push_back(std::move(ci));
  }
  return out;
}

void write_audit_json(JsonWriter& json, std::span<const AuditedFile> files, std::string_view profile,
                      Severity fail_on) {
  SeverityCounts totals{};
  std::uint64_t suppressed = 0;
  std::array<std::uint64_t, 4> statuses{};
  bool failing = false;
  json.begin_object();
  json.key("tool").string("st-audit");
  json.key("profile").string(profile);
  json.key("fail_on").string(audit::severity_name(fail_on));
  json.key("files").begin_array();
  for (const AuditedFile& file : files) {
    failing = failing || !file.report || audited_fails(file, fail_on);
    json.begin_object();
    json.key("path").string(file.path);
    json.key("status").string(audited_status(file));
    if (!file.report) {
      ++statuses[3];
      json.key("error");
      write_error_json(json, *file.unreadable);
      json.key("findings").begin_array().end_array();
      json.end_object();
      continue;
    }
    const audit::AuditReport& report = *file.report;
    ++statuses[static_cast<std::size_t>(report.verdict)];
    suppressed += count_findings(file, totals);
    json.key("file_bytes").number(report.file_size);
    json.key("tensor_count");
    if (report.header) {
      json.number(report.header->tensor_count());
    } else {
      json.null();
    }
    json.key("error");
    if (report.error) {
      write_error_json(json, *report.error);
    } else {
      json.null();
    }
    json.key("values_scanned").boolean(report.values_scanned);
    json.key("sha256");
    if (report.digests) {
      json.string(audit::to_hex(report.digests->file_sha256));
    } else {
      json.null();
    }
    json.key("findings").begin_array();
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      const Finding& finding = report.findings[i];
      const audit::RuleInfo& info = audit::rule_info(finding.rule);
      json.begin_object();
      json.key("rule").string(info.id);
      json.key("name").string(info.name);
      json.key("severity").string(audit::severity_name(finding.severity));
      json.key("message").string(finding.message);
      json.key("evidence").string(finding.evidence);
      write_nullable_string(json, "tensor", finding.tensor);
      write_nullable_string(json, "metadata_key", finding.metadata_key);
      write_nullable_string(json, "json_path", finding.json_path);
      json.key("offset");
      if (finding.has_offset()) {
        json.number(finding.offset);
      } else {
        json.null();
      }
      if (i < file.fingerprints.size()) json.key("fingerprint").string(file.fingerprints[i]);
      const FindingSuppression* suppression = file.suppression(i);
      json.key("suppressed").boolean(suppression != nullptr);
      json.key("suppression");
      if (suppression != nullptr) {
        json.begin_object();
        json.key("kind").string(suppression->kind);
        json.key("reason").string(suppression->justification);
        json.end_object();
      } else {
        json.null();
      }
      json.end_object();
    }
    json.end_array();
    json.key("suppressed_findings").number(report.suppressed_findings);
    json.end_object();
  }
  json.end_array();
  json.key("summary").begin_object();
  json.key("files").number(files.size());
  json.key("valid").number(statuses[0]);
  json.key("compat_only").number(statuses[1]);
  json.key("invalid").number(statuses[2]);
  json.key("unreadable").number(statuses[3]);
  json.key("findings").begin_object();
  for (const Severity severity : {Severity::high, Severity::medium, Severity::low, Severity::info}) {
    json.key(audit::severity_name(severity)).number(totals[static_cast<std::size_t>(severity)]);
  }
  json.end_object();
  json.key("suppressed").number(suppressed);
  json.key("failing").boolean(failing);
  json.end_object();
  json.end_object();
}

}  // namespace stguard::cli
