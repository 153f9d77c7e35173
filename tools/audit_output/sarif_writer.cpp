// The SARIF 2.1.0 log of an audit run (see sarif_writer.hpp for the mapping).
#include "audit_output/sarif_writer.hpp"

#include "common/json_writer.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {
namespace {

using audit::Severity;

// GitHub code scanning ranks security results by this property (0.0-10.0).
std::string_view security_severity(Severity severity) {
  switch (severity) {
    case Severity::high: return "8.0";
    case Severity::medium: return "5.5";
    case Severity::low: return "3.0";
    case Severity::info: return "1.0";
  }
  return "1.0";
}

void write_rule(JsonWriter& json, std::string_view id, std::string_view name, std::string_view summary,
                std::string_view rationale, Severity severity) {
  json.begin_object();
  json.key("id").string(id);
  json.key("name").string(name);
  json.key("shortDescription").begin_object().key("text").string(summary).end_object();
  json.key("fullDescription").begin_object().key("text").string(std::string(summary) + ": " + std::string(rationale)).end_object();
  json.key("help").begin_object().key("text").string("See docs/audit-rules.md, rule " + std::string(id) + ".").end_object();
  json.key("defaultConfiguration").begin_object().key("level").string(sarif_level(severity)).end_object();
  json.key("properties").begin_object();
  json.key("tags").begin_array().string("security").end_array();
  json.key("security-severity").string(security_severity(severity));
  json.end_object();
  json.end_object();
}

void write_location(JsonWriter& json, std::string_view path, std::uint64_t offset) {
  json.key("locations").begin_array().begin_object();
  json.key("physicalLocation").begin_object();
  json.key("artifactLocation").begin_object().key("uri").string(sarif_uri(path)).end_object();
  if (offset != kNoOffset) json.key("region").begin_object().key("byteOffset").number(offset).end_object();
  json.end_object();
  json.end_object().end_array();
}

}  // namespace

std::string_view sarif_level(Severity severity) noexcept {
  switch (severity) {
    case Severity::high: return "error";
    case Severity::medium: return "warning";
    case Severity::low:
    case Severity::info: return "note";
  }
  return "note";
}

std::string sarif_uri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = !path.empty() && path.front() == '/' ? "file://" : "";
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                            byte == '~' || byte == '/';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4U];
      out += kHex[byte & 0xFU];
    }
  }
  return out;
}

std::string write_sarif(std::span<const AuditedFile> files, std::string_view tool_name, std::string_view tool_version) {
  JsonWriter json;
  json.begin_object();
  json.key("$schema").string(kSarifSchemaUri);
  json.key("version").string("2.1.0");
  json.key("runs").begin_array().begin_object();

  json.key("tool").begin_object().key("driver").begin_object();
  json.key("name").string(tool_name);
  json.key("version").string(tool_version);
  json.key("semanticVersion").string(tool_version);
  json.key("rules").begin_array();
  const auto rules = audit::all_rules();
  for (const audit::RuleInfo& rule : rules) {
    write_rule(json, rule.id, rule.name, rule.summary, rule.rationale, rule.severity);
  }
  write_rule(json, kInvalidFileRuleId, "FileInvalid", "the reference safetensors reader refuses the file",
             "the file is not loadable as safetensors; the result message carries the validation error", Severity::high);
  json.end_array();
  json.end_object().end_object();

  bool all_read = true;
  json.key("results").begin_array();
  for (const AuditedFile& file : files) {
    if (!file.report) {
      all_read = false;
      continue;
    }
    const audit::AuditReport& report = *file.report;
    if (report.verdict == audit::Verdict::invalid && report.error) {
      json.begin_object();
      json.key("ruleId").string(kInvalidFileRuleId);
      json.key("ruleIndex").number(rules.size());
      json.key("level").string("error");
      json.key("message").begin_object().key("text").string(
          "invalid safetensors file: [" + std::string(error_code_name(report.error->code)) + "] " + report.error->message).end_object();
      write_location(json, file.path, report.error->offset);
      json.end_object();
    }
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      const audit::Finding& finding = report.findings[i];
      json.begin_object();
      json.key("ruleId").string(audit::rule_id(finding.rule));
      json.key("ruleIndex").number(static_cast<std::uint64_t>(finding.rule));
      json.key("level").string(sarif_level(finding.severity));
      json.key("message").begin_object().key("text").string(finding.message).end_object();
      write_location(json, file.path, finding.offset);
      if (i < file.fingerprints.size()) {
        json.key("partialFingerprints").begin_object().key("stguardFinding/v1").string(file.fingerprints[i]).end_object();
      }
      if (const FindingSuppression* suppression = file.suppression(i)) {
        json.key("suppressions").begin_array().begin_object();
        json.key("kind").string(suppression->kind);
        json.key("justification").string(suppression->justification);
        json.end_object().end_array();
      }
      json.key("properties").begin_object();
      json.key("severity").string(audit::severity_name(finding.severity));
      if (!finding.evidence.empty()) json.key("evidence").string(finding.evidence);
      if (!finding.tensor.empty()) json.key("tensor").string(finding.tensor);
      if (!finding.metadata_key.empty()) json.key("metadataKey").string(finding.metadata_key);
      if (!finding.json_path.empty()) json.key("jsonPath").string(finding.json_path);
      json.end_object();
      json.end_object();
    }
  }
  json.end_array();

  json.key("invocations").begin_array().begin_object();
  json.key("executionSuccessful").boolean(all_read);
  json.key("toolExecutionNotifications").begin_array();
  for (const AuditedFile& file : files) {
    if (file.report) continue;
    json.begin_object();
    json.key("level").string("error");
    json.key("message").begin_object().key("text").string(
        "cannot read " + escape_for_display(file.path) + ": [" + std::string(error_code_name(file.unreadable->code)) + "] " +
        file.unreadable->message).end_object();
    write_location(json, file.path, kNoOffset);
    json.end_object();
  }
  json.end_array();
  json.end_object().end_array();

  json.end_object().end_array();
  json.end_object();
  return json.str() + "\n";
}

}  // namespace stguard::cli
