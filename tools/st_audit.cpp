// st-audit: findings about safetensors files for people, programs and
// code-scanning dashboards, plus integrity manifests. Thin: it parses flags,
// calls stguard::audit, and prints (text, JSON or SARIF). The exit status is
// the contract CI relies on: 0 nothing at or above --fail-on, 1 a finding at
// or above it or an invalid file (or a manifest mismatch), 2 usage or I/O.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "audit_output/audit_report.hpp"
#include "audit_output/sarif_writer.hpp"
#include "audit_output/suppression.hpp"
#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/json_writer.hpp"
#include "common/progress_bar.hpp"
#include "common/report.hpp"
#include "common/terminal.hpp"
#include "common/text_file.hpp"
#include "stguard/audit.hpp"
#include "stguard/audit_manifest.hpp"
#include "stguard/escape.hpp"

namespace {

using stguard::Error;
using stguard::cli::AuditedFile;
namespace audit = stguard::audit;

constexpr std::string_view kToolName = "st-audit";
constexpr std::string_view kToolVersion = "0.1.0";

std::string help_footer() {
  std::string text = stguard::cli::exit_status_help(
                         "no finding at or above --fail-on, every file valid (or compat-only with\n"
                         "     --profile compat)",
                         "a finding at or above --fail-on, an invalid file, or (--verify) a mismatch",
                         "a file, manifest or baseline could not be read or written") +
                     R"(
--fail-on defaults to high: findings that mean a polyglot, a parser differential
or a loader that can be steered fail the run; medium, low and info findings are
reported without failing it. Use --fail-on low in gates that want clean files.

Suppression: --ignore RULE[,RULE] and --baseline FILE keep findings in the output,
marked suppressed (JSON "suppressed": true, SARIF "suppressions"), but they no
longer count towards --fail-on. --severity RULE=LEVEL changes a rule's severity
before --fail-on is applied. --write-baseline FILE records every finding not
ignored (one fingerprint per line) and then treats them as baselined; a later
run with --baseline FILE fails only on findings that are not in it. Invalid and
unreadable files are never suppressed.

An argument ending in .index.json is a sharded checkpoint: the index and every
shard it names are audited, and the index is cross-checked against the shards.
The index's verdict is the one st-shard check gives (same profile): INVALID for
a missing or inconsistent shard or a wrong metadata.total_size; a missing
total_size is an info finding, INVALID with --require-total-size.

Rules (docs/audit-rules.md explains each):
)";
  for (const audit::RuleInfo& rule : audit::all_rules()) {
    std::string id(rule.id);
    id.resize(15, ' ');
    std::string severity(audit::severity_name(rule.severity));
    severity.resize(7, ' ');
    text += "  " + id + severity + std::string(rule.summary) + "\n";
  }
  // Not profiles_help_text(): the audit's profiles mean findings, not verdicts.
  return text + R"(
Profiles (the audit always parses as the reference reader does, then):
  strict   (default) every reason strict rejects the file is a high STG-STRICT-001 finding
  compat   the same reasons are low findings; --max-* limits apply to the compat parse
A file the reference reader refuses is INVALID (exit 1), reported with its error code
(docs/errors.md); polyglot signatures are still looked for in it.
)";
}

stguard::Status write_manifest(const std::string& path, const audit::FileDigests& digests) {
  return stguard::cli::write_text_file(path, audit::serialize_manifest(digests));
}

// --verify: digests of FILE against MANIFEST; prints the differences.
int run_verify(const std::string& manifest_path, const std::string& path, audit::AuditOptions options,
               const std::string& format) {
  const bool json_output = format == "json";
  auto manifest = audit::read_manifest(manifest_path);
  if (!manifest) {
    std::cerr << "st-audit: cannot use manifest " << stguard::escape_for_display(manifest_path) << ": "
              << stguard::cli::format_error(manifest.error()) << '\n';
    return stguard::cli::kExitUsageOrIo;
  }
  options.compute_digests = true;
  auto report = audit::audit_path(path, options);
  stguard::cli::JsonWriter json;
  json.begin_object();
  json.key("tool").string(kToolName);
  json.key("mode").string("verify");
  json.key("path").string(path);
  json.key("manifest").string(manifest_path);
  const std::string shown = stguard::escape_for_display(path);
  if (!report || report->verdict == audit::Verdict::invalid) {
    const Error& error = report ? *report->error : report.error();
    json.key("status").string(report ? "invalid" : "unreadable");
    json.key("error");
    stguard::cli::write_error_json(json, error);
    json.end_object();
    if (json_output) {
      std::cout << json.str() << '\n';
    } else {
      std::cout << shown << (report ? ": INVALID " : ": ERROR ") << stguard::cli::format_error(error) << '\n';
    }
    return report ? stguard::cli::kExitInvalid : stguard::cli::kExitUsageOrIo;
  }
  const audit::VerifyResult result = audit::compare_digests(*manifest, *report->digests);
  json.key("status").string(result.ok() ? "match" : "mismatch");
  json.key("file").begin_object();
  json.key("size_matches").boolean(result.file_size_matches);
  json.key("sha256_matches").boolean(result.file_digest_matches);
  json.key("expected_sha256").string(audit::to_hex(manifest->file_sha256));
  json.key("actual_sha256").string(audit::to_hex(report->digests->file_sha256));
  json.end_object();
  json.key("differences").begin_array();
  for (const audit::TensorDifference& difference : result.differences) {
    json.begin_object();
    json.key("tensor").string(difference.tensor);
    json.key("kind").string(audit::difference_kind_name(difference.kind));
    json.key("detail").string(difference.detail);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  if (json_output) {
    std::cout << json.str() << '\n';
  } else {
    std::cout << shown << ": " << (result.ok() ? "OK" : "MISMATCH") << " against "
              << stguard::escape_for_display(manifest_path) << " ("
              << stguard::cli::count_of(report->digests->tensors.size(), "tensor") << ")\n";
    if (!result.file_digest_matches) {
      std::cout << "  file     sha256 " << audit::to_hex(report->digests->file_sha256) << ", manifest has "
                << audit::to_hex(manifest->file_sha256)
                << (result.file_size_matches ? "" : " (the size differs too)") << '\n';
    }
    for (const audit::TensorDifference& difference : result.differences) {
      std::string kind(audit::difference_kind_name(difference.kind));
      kind.resize(14, ' ');
      std::cout << "  " << kind << " \"" << stguard::escape_for_display(difference.tensor)
                << "\": " << stguard::guard_escaped_for_display(difference.detail)
                << '\n';
    }
  }
  return result.ok() ? stguard::cli::kExitOk : stguard::cli::kExitInvalid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-audit: findings about safetensors files (polyglots, parser differentials, deceptive names,\n"
               "odd metadata, configs in metadata that run code (Hydra _target_, OmegaConf resolvers),\n"
               "NaN/Inf and other value problems) and SHA-256 integrity manifests.\n\n"
               "The header is always read; tensor data only with --values, --manifest or --verify.",
               std::string(kToolName)};
  app.footer(help_footer());
  app.set_version_flag("--version", std::string(kToolName) + " " + std::string(kToolVersion));

  stguard::cli::ProfileFlags flags;
  flags.add_to(app);
  bool scan_values = false;
  app.add_flag("--values", scan_values, "Also read tensor data: NaN/Inf, BOOL bytes, all-zero and identical tensors");
  std::string format = "text";
  app.add_option("--format", format, "Output: text, json or sarif (SARIF 2.1.0)")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  std::string fail_on = "high";
  app.add_option("--fail-on", fail_on, "Exit 1 when a finding that is not suppressed has this severity or higher: info, low, medium, high")
      ->check(CLI::IsMember({"info", "low", "medium", "high"}))
      ->capture_default_str();
  std::string manifest_out;
  app.add_option("--manifest", manifest_out, "Write a SHA-256 manifest of FILE (whole file and every tensor) to OUT.json")
      ->type_name("OUT.json");
  std::string verify_manifest;
  app.add_option("--verify", verify_manifest, "Check FILE against a manifest; name every tensor that differs")
      ->type_name("MANIFEST.json");
  unsigned threads = 0;
  app.add_option("--threads", threads, "Threads for reading data (default: one per core)");
  bool no_progress = false;
  app.add_flag("--no-progress", no_progress, "Never draw the progress bar (it is only drawn on a terminal anyway)");
  std::vector<std::string> ignore_values;
  app.add_option("--ignore", ignore_values, "Suppress the findings of these rules (comma-separated, repeatable)")
      ->type_name("RULE[,RULE]");
  std::vector<std::string> severity_values;
  app.add_option("--severity", severity_values, "Give a rule another severity, e.g. STG-VAL-002=info (repeatable)")
      ->type_name("RULE=LEVEL");
  std::string baseline_in;
  app.add_option("--baseline", baseline_in, "Suppress the findings recorded in this baseline file")->type_name("FILE");
  std::string baseline_out;
  app.add_option("--write-baseline", baseline_out, "Record every finding not ignored in this baseline file")
      ->type_name("FILE");
  bool require_total_size = false;
  app.add_flag("--require-total-size", require_total_size,
               "An index without metadata.total_size is invalid, as with st-shard check --require-total-size");
  std::vector<std::string> paths;
  app.add_option("FILE", paths, "safetensors files, or *.index.json indexes of sharded checkpoints")->required();

  if (auto exit_now = stguard::cli::parse_command_line(app, argc, argv)) return *exit_now;
  // Auditing reads a file several times (header, signatures, values, digests).
  if (auto refused = stguard::cli::check_stdin_operands("st-audit", paths, false)) return *refused;
  if (auto refused = stguard::cli::check_stdin_operands("st-audit --verify", {verify_manifest}, false)) return *refused;
  if (manifest_out == "-") {
    std::cerr << "st-audit: --manifest '-': standard output carries the report; give a file\n";
    return stguard::cli::kExitUsageOrIo;
  }

  auto usage_error = [](const std::string& message) {
    std::cerr << "st-audit: " << message << "\nTry 'st-audit --help' for more information.\n";
    return stguard::cli::kExitUsageOrIo;
  };
  const bool digest_mode = !manifest_out.empty() || !verify_manifest.empty();
  if (!manifest_out.empty() && !verify_manifest.empty()) return usage_error("--manifest and --verify exclude each other");
  if (digest_mode && paths.size() != 1) return usage_error("--manifest and --verify take exactly one FILE");
  if (digest_mode && audit::looks_like_index_path(paths.front())) {
    return usage_error("--manifest and --verify work on one safetensors file, not an index");
  }
  if (!verify_manifest.empty() && format == "sarif") return usage_error("--verify prints text or json, not sarif");
  stguard::cli::SuppressionPolicy suppression;
  if (auto error = stguard::cli::add_ignored_rules(ignore_values, suppression)) return usage_error(*error);
  if (auto error = stguard::cli::add_severity_overrides(severity_values, suppression)) return usage_error(*error);
  if (!baseline_in.empty()) {
    if (auto error = stguard::cli::load_baseline(baseline_in, suppression)) return usage_error(*error);
  }

  audit::AuditOptions options;
  options.validation = flags.options();
  options.scan_values = scan_values;
  options.require_total_size = require_total_size;
  options.compute_digests = !manifest_out.empty();
  options.threads = threads;
  stguard::cli::ProgressBar progress(STDERR_FILENO);
  if (progress.enabled() && !no_progress) {
    options.progress = [&progress](const audit::Progress& step) { progress.update(step.bytes_done, step.bytes_total); };
  }
  const audit::Severity threshold = *audit::severity_from_name(fail_on);

  if (!verify_manifest.empty()) {
    progress.start(paths.front());
    const int status = run_verify(verify_manifest, paths.front(), options, format);
    progress.finish();
    return status;
  }

  std::vector<AuditedFile> files;
  bool io_failure = false;
  for (const std::string& path : paths) {
    progress.start(path);
    if (audit::looks_like_index_path(path)) {
      auto reports = audit::audit_index(path, options);
      if (!reports) {
        files.push_back({path, std::nullopt, reports.error()});
      } else {
        for (audit::AuditReport& report : *reports) {
          std::string report_path = report.path;
          files.push_back({std::move(report_path), std::move(report), std::nullopt});
        }
      }
    } else {
      auto report = audit::audit_path(path, options);
      if (!report) {
        files.push_back({path, std::nullopt, report.error()});
      } else {
        files.push_back({path, std::move(report).value(), std::nullopt});
      }
    }
    progress.finish();
  }

  for (const AuditedFile& file : files) io_failure = io_failure || !file.report;
  stguard::cli::apply_suppression(suppression, files);
  if (!baseline_out.empty()) {
    if (stguard::Status status = stguard::cli::write_text_file(baseline_out, stguard::cli::baseline_text(files));
        !status) {
      std::cerr << "st-audit: cannot write the baseline " << stguard::escape_for_display(baseline_out) << ": "
                << stguard::cli::format_error(status.error()) << '\n';
      io_failure = true;
    } else {
      // What was just recorded is the baseline from now on.
      if (auto error = stguard::cli::load_baseline(baseline_out, suppression)) return usage_error(*error);
      stguard::cli::apply_suppression(suppression, files);
    }
  }
  if (!manifest_out.empty()) {
    const AuditedFile& file = files.front();
    if (file.report && file.report->digests) {
      if (stguard::Status status = write_manifest(manifest_out, *file.report->digests); !status) {
        std::cerr << "st-audit: cannot write the manifest " << stguard::escape_for_display(manifest_out) << ": "
                  << stguard::cli::format_error(status.error()) << '\n';
        io_failure = true;
      }
    } else if (file.report) {
      std::cerr << "st-audit: no manifest written: the file is invalid\n";
    }
  }

  const std::string profile(stguard::profile_name(options.validation.profile));
  if (format == "json") {
    stguard::cli::JsonWriter json;
    stguard::cli::write_audit_json(json, files, profile, threshold);
    std::cout << json.str() << '\n';
  } else if (format == "sarif") {
    std::cout << stguard::cli::write_sarif(files, kToolName, kToolVersion);
  } else {
    const stguard::cli::Palette palette(stguard::cli::colour_enabled(STDOUT_FILENO));
    std::cout << stguard::cli::format_audit_text(files, threshold, palette);
  }
  std::cout.flush();

  if (io_failure) return stguard::cli::kExitUsageOrIo;
  for (const AuditedFile& file : files) {
    if (stguard::cli::audited_fails(file, threshold)) return stguard::cli::kExitInvalid;
  }
  return stguard::cli::kExitOk;
}
