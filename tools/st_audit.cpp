// st-audit: findings about safetensors files for people, programs, CI systems
// and code-scanning dashboards, plus integrity manifests. Thin: it parses
// flags, collects the targets (directory operands walked), calls
// stguard::audit, and prints (text, JSON, SARIF, GitHub annotations, JUnit).
// The exit status is the contract CI relies on: 0 nothing at or above
// --fail-on, 1 a finding at or above it or an invalid file (or a manifest
// mismatch), 2 usage or I/O.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "audit_output/audit_report.hpp"
#include "audit_output/remote_audit.hpp"
#include "audit_output/sarif_writer.hpp"
#include "audit_output/suppression.hpp"
#include "common/artifact_path.hpp"
#include "common/ci_formats.hpp"
#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/json_writer.hpp"
#include "common/progress_bar.hpp"
#include "common/remote_operand.hpp"
#include "common/repository_walk.hpp"
#include "common/report.hpp"
#include "common/terminal.hpp"
#include "common/text_file.hpp"
#include "common/walk_flags.hpp"
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
                         "a file, manifest or baseline could not be read or written (for a URL: an\n"
                         "     unreachable server, an HTTP error, any NETWORK_* error)") +
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

An argument ending in .index.json (or such a file found in a folder) is a sharded checkpoint: the index and every
shard it names are audited, and the index is cross-checked against the shards.
The index's verdict is the one st-shard check gives (same profile): INVALID for
a missing or inconsistent shard or a wrong metadata.total_size; a missing
total_size is an info finding, INVALID with --require-total-size.
Shards an index names are audited with it, never again as loose files.

FILE may be an http:// or https:// URL: the header is read with the requests
st-validate URL makes (at most two), then the audit's other reads (the end of
the file for signatures; the data for --values, --manifest and --verify, 1 MiB
per request) are range requests pinned to the version first seen, so a file
replaced meanwhile is NETWORK_OBJECT_CHANGED (exit 2), never audited from two
versions. The findings are those of st-audit on the same bytes on disk; the
output names the URL with credentials and token-like query values redacted.
An index URL is refused: check a remote sharded checkpoint with st-shard check
INDEX-URL (docs/remote.md).

)" + stguard::cli::directory_operands_help() + R"(

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

// A file operand's audit: a URL through the remote layer, a path from disk.
stguard::Result<audit::AuditReport> audit_operand(const std::string& operand, const audit::AuditOptions& options,
                                                  const stguard::cli::RemoteFlags& remote) {
  if (stguard::cli::is_url_operand(operand)) return stguard::cli::audit_url_operand(operand, options, remote);
  return audit::audit_path(operand, options);
}

// --verify: digests of FILE against MANIFEST; prints the differences
// (nothing with format "quiet").
int run_verify(const std::string& manifest_path, const std::string& path, audit::AuditOptions options,
               const stguard::cli::RemoteFlags& remote, const std::string& format) {
  const bool json_output = format == "json";
  std::ostringstream out;
  auto manifest = audit::read_manifest(manifest_path);
  if (!manifest) {
    std::cerr << "st-audit: cannot use manifest " << stguard::escape_for_display(manifest_path) << ": "
              << stguard::cli::format_error(manifest.error()) << '\n';
    return stguard::cli::kExitUsageOrIo;
  }
  options.compute_digests = true;
  auto report = audit_operand(path, options, remote);
  stguard::cli::JsonWriter json;
  json.begin_object();
  json.key("tool").string(kToolName);
  json.key("mode").string("verify");
  json.key("path").string(stguard::cli::json_operand(path));
  json.key("manifest").string(manifest_path);
  const std::string shown = stguard::cli::display_operand(path);
  if (!report || report->verdict == audit::Verdict::invalid) {
    const Error& error = report ? *report->error : report.error();
    json.key("status").string(report ? "invalid" : "unreadable");
    json.key("error");
    stguard::cli::write_error_json(json, error);
    json.end_object();
    if (json_output) {
      out << json.str() << '\n';
    } else {
      out << shown << (report ? ": INVALID " : ": ERROR ") << stguard::cli::format_error(error) << '\n';
    }
    if (format != "quiet") std::cout << out.str();
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
    out << json.str() << '\n';
  } else {
    out << shown << ": " << (result.ok() ? "OK" : "MISMATCH") << " against "
              << stguard::escape_for_display(manifest_path) << " ("
              << stguard::cli::count_of(report->digests->tensors.size(), "tensor") << ")\n";
    if (!result.file_digest_matches) {
      out << "  file     sha256 " << audit::to_hex(report->digests->file_sha256) << ", manifest has "
                << audit::to_hex(manifest->file_sha256)
                << (result.file_size_matches ? "" : " (the size differs too)") << '\n';
    }
    for (const audit::TensorDifference& difference : result.differences) {
      std::string kind(audit::difference_kind_name(difference.kind));
      kind.resize(14, ' ');
      out << "  " << kind << " \"" << stguard::escape_for_display(difference.tensor)
                << "\": " << stguard::guard_escaped_for_display(difference.detail)
                << '\n';
    }
  }
  if (format != "quiet") std::cout << out.str();
  return result.ok() ? stguard::cli::kExitOk : stguard::cli::kExitInvalid;
}


struct Settings {
  stguard::cli::ProfileFlags profile;
  stguard::cli::WalkFlags walk;
  stguard::cli::WalkOptions walk_options;
  bool scan_values = false;
  std::string format = "text";
  std::string fail_on = "high";
  std::string manifest_out;
  std::string verify_manifest;
  unsigned threads = 0;
  bool no_progress = false;
  bool quiet = false;
  std::vector<std::string> ignore_values;
  std::vector<std::string> severity_values;
  std::string baseline_in;
  std::string baseline_out;
  bool require_total_size = false;
  stguard::cli::RemoteFlags remote;
  std::vector<std::string> paths;
};

void build_app(CLI::App& app, Settings& settings) {
  app.footer(help_footer());
  app.set_version_flag("--version", std::string(kToolName) + " " + std::string(kToolVersion));
  settings.profile.add_to(app);
  app.add_flag("--values", settings.scan_values,
               "Also read tensor data: NaN/Inf, BOOL bytes, all-zero and identical tensors");
  app.add_option("--format", settings.format,
                 "Output: text, json, sarif (SARIF 2.1.0), github (workflow-command annotations) or junit (JUnit XML)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "junit"}))
      ->capture_default_str();
  app.add_option("--fail-on", settings.fail_on,
                 "Exit 1 when a finding that is not suppressed has this severity or higher: info, low, medium, high")
      ->check(CLI::IsMember({"info", "low", "medium", "high"}))
      ->capture_default_str();
  app.add_flag("-q,--quiet", settings.quiet, "Print nothing on standard output; report through the exit status only");
  app.add_option("--manifest", settings.manifest_out,
                 "Write a SHA-256 manifest of FILE (whole file and every tensor) to OUT.json")
      ->type_name("OUT.json");
  app.add_option("--verify", settings.verify_manifest, "Check FILE against a manifest; name every tensor that differs")
      ->type_name("MANIFEST.json");
  app.add_option("--threads", settings.threads, "Threads for reading data (default: one per core)");
  app.add_flag("--no-progress", settings.no_progress,
               "Never draw the progress bar (it is only drawn on a terminal anyway)");
  app.add_option("--ignore", settings.ignore_values, "Suppress the findings of these rules (comma-separated, repeatable)")
      ->type_name("RULE[,RULE]");
  app.add_option("--severity", settings.severity_values,
                 "Give a rule another severity, e.g. STG-VAL-002=info (repeatable)")
      ->type_name("RULE=LEVEL");
  app.add_option("--baseline", settings.baseline_in, "Suppress the findings recorded in this baseline file")
      ->type_name("FILE");
  app.add_option("--write-baseline", settings.baseline_out, "Record every finding not ignored in this baseline file")
      ->type_name("FILE");
  app.add_flag("--require-total-size", settings.require_total_size,
               "An index without metadata.total_size is invalid, as with st-shard check --require-total-size");
  settings.walk.add_to(app);
  settings.remote.add_to(app);
  app.add_option("FILE", settings.paths,
                 "safetensors files, *.index.json indexes of sharded checkpoints, folders to walk, or\n"
                 "http:// or https:// URLs of safetensors files")
      ->required();
}

int usage_error(const std::string& message) {
  std::cerr << "st-audit: " << message << "\nTry 'st-audit --help' for more information.\n";
  return stguard::cli::kExitUsageOrIo;
}

bool is_directory(const std::string& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error);
}

// The combinations of flags that make no sense; an exit status when one is given.
std::optional<int> check_usage(Settings& settings, stguard::cli::SuppressionPolicy& suppression) {
  // Auditing reads a file several times (header, signatures, values, digests).
  if (auto refused = stguard::cli::check_stdin_operands("st-audit", settings.paths, false)) return refused;
  if (auto refused = stguard::cli::check_stdin_operands("st-audit --verify", {settings.verify_manifest}, false)) {
    return refused;
  }
  if (settings.manifest_out == "-") {
    std::cerr << "st-audit: --manifest '-': standard output carries the report; give a file\n";
    return stguard::cli::kExitUsageOrIo;
  }
  const bool digest_mode = !settings.manifest_out.empty() || !settings.verify_manifest.empty();
  if (!settings.manifest_out.empty() && !settings.verify_manifest.empty()) {
    return usage_error("--manifest and --verify exclude each other");
  }
  if (digest_mode && settings.paths.size() != 1) return usage_error("--manifest and --verify take exactly one FILE");
  if (digest_mode && (audit::looks_like_index_path(settings.paths.front()) || is_directory(settings.paths.front()))) {
    return usage_error("--manifest and --verify work on one safetensors file, not an index or a folder");
  }
  if (!settings.verify_manifest.empty() && settings.format != "text" && settings.format != "json") {
    return usage_error("--verify prints text or json, not " + settings.format);
  }
  if (auto error = settings.walk.patterns(settings.walk_options)) return usage_error(*error);
  if (auto error = stguard::cli::add_ignored_rules(settings.ignore_values, suppression)) return usage_error(*error);
  if (auto error = stguard::cli::add_severity_overrides(settings.severity_values, suppression)) {
    return usage_error(*error);
  }
  if (!settings.baseline_in.empty()) {
    if (auto error = stguard::cli::load_baseline(settings.baseline_in, suppression)) return usage_error(*error);
  }
  return std::nullopt;
}

audit::AuditOptions audit_options(const Settings& settings, stguard::cli::ProgressBar& progress) {
  audit::AuditOptions options;
  options.validation = settings.profile.options();
  options.scan_values = settings.scan_values;
  options.require_total_size = settings.require_total_size;
  options.compute_digests = !settings.manifest_out.empty();
  options.threads = settings.threads;
  if (progress.enabled() && !settings.no_progress) {
    options.progress = [&progress](const audit::Progress& step) { progress.update(step.bytes_done, step.bytes_total); };
  }
  return options;
}

std::vector<AuditedFile> audit_targets(const stguard::cli::TargetList& targets, const audit::AuditOptions& options,
                                       const stguard::cli::RemoteFlags& remote, stguard::cli::ProgressBar& progress) {
  using stguard::cli::Target;
  std::vector<AuditedFile> files;
  for (const Target& target : targets.targets) {
    if (target.kind == Target::Kind::unreadable) {
      files.push_back({target.path, std::nullopt, target.error});
      continue;
    }
    progress.start(stguard::cli::json_operand(target.path));  // a URL is shown redacted
    if (stguard::cli::is_url_operand(target.path)) {
      auto report = stguard::cli::audit_url_operand(target.path, options, remote);
      if (!report) {
        files.push_back({stguard::cli::json_operand(target.path), std::nullopt, report.error()});
      } else {
        files.push_back({stguard::cli::json_operand(target.path), std::move(report).value(), std::nullopt});
      }
      progress.finish();
      continue;
    }
    if (target.kind == Target::Kind::index) {
      auto reports = audit::audit_index(target.path, options);
      if (!reports) {
        files.push_back({target.path, std::nullopt, reports.error()});
      } else {
        for (audit::AuditReport& report : *reports) {
          std::string report_path = report.path;
          files.push_back({std::move(report_path), std::move(report), std::nullopt});
        }
      }
    } else {
      auto report = audit::audit_path(target.path, options);
      if (!report) {
        files.push_back({target.path, std::nullopt, report.error()});
      } else {
        files.push_back({target.path, std::move(report).value(), std::nullopt});
      }
    }
    progress.finish();
  }
  return files;
}

// --write-baseline and --manifest; false when one could not be written.
// An error message when the baseline just written cannot be read back.
bool write_records(const Settings& settings, stguard::cli::SuppressionPolicy& suppression,
                   std::vector<AuditedFile>& files, std::optional<std::string>& usage_problem) {
  bool written = true;
  if (!settings.baseline_out.empty()) {
    if (stguard::Status status =
            stguard::cli::write_text_file(settings.baseline_out, stguard::cli::baseline_text(files));
        !status) {
      std::cerr << "st-audit: cannot write the baseline " << stguard::escape_for_display(settings.baseline_out) << ": "
                << stguard::cli::format_error(status.error()) << '\n';
      written = false;
    } else {
      // What was just recorded is the baseline from now on.
      usage_problem = stguard::cli::load_baseline(settings.baseline_out, suppression);
      if (usage_problem) return written;
      stguard::cli::apply_suppression(suppression, files);
    }
  }
  if (!settings.manifest_out.empty() && !files.empty()) {
    const AuditedFile& file = files.front();
    if (file.report && file.report->digests) {
      if (stguard::Status status = write_manifest(settings.manifest_out, *file.report->digests); !status) {
        std::cerr << "st-audit: cannot write the manifest " << stguard::escape_for_display(settings.manifest_out)
                  << ": " << stguard::cli::format_error(status.error()) << '\n';
        written = false;
      }
    } else if (file.report) {
      std::cerr << "st-audit: no manifest written: the file is invalid\n";
    }
  }
  return written;
}

std::string report(const Settings& settings, const stguard::cli::TargetList& targets,
                   const std::vector<AuditedFile>& files, audit::Severity threshold, const std::string& profile) {
  if (settings.format == "json") {
    stguard::cli::JsonWriter json;
    stguard::cli::write_audit_json(json, files, profile, threshold);
    return json.str() + "\n";
  }
  const stguard::cli::ArtifactBase base(settings.walk.base);
  if (settings.format == "sarif") return stguard::cli::write_sarif(files, kToolName, kToolVersion, base);
  if (settings.format == "junit") {
    return stguard::cli::write_junit(stguard::cli::audit_ci_files(files, threshold), kToolName);
  }
  const std::string nothing_found = files.empty() && targets.directories_walked > 0
                                        ? stguard::cli::nothing_found_message(settings.paths, settings.walk_options)
                                        : std::string();
  const bool colour = settings.format == "text" && stguard::cli::colour_enabled(STDOUT_FILENO);
  std::string text = stguard::cli::format_audit_text(files, threshold, stguard::cli::Palette(colour));
  if (settings.format == "github") {
    // The text form's last line is the summary; GitHub shows it in the log.
    text.pop_back();
    std::string summary = text.substr(text.rfind('\n') + 1);
    if (!nothing_found.empty()) summary += " (" + nothing_found + ")";
    return stguard::cli::write_github_annotations(stguard::cli::audit_ci_files(files, threshold), kToolName, base,
                                                  summary);
  }
  return nothing_found.empty() ? text : text + nothing_found + "\n";
}

int exit_status(const std::vector<AuditedFile>& files, bool records_written, audit::Severity threshold) {
  if (!records_written) return stguard::cli::kExitUsageOrIo;
  for (const AuditedFile& file : files) {
    if (!file.report) return stguard::cli::kExitUsageOrIo;
  }
  for (const AuditedFile& file : files) {
    if (stguard::cli::audited_fails(file, threshold)) return stguard::cli::kExitInvalid;
  }
  return stguard::cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-audit: findings about safetensors files (polyglots, parser differentials, deceptive names,\n"
               "odd metadata, configs in metadata that run code (Hydra _target_, OmegaConf resolvers),\n"
               "NaN/Inf and other value problems) and SHA-256 integrity manifests. FILE may be a folder\n"
               "(walked for models) or an http:// or https:// URL.\n\n"
               "The header is always read; tensor data only with --values, --manifest or --verify.",
               std::string(kToolName)};
  Settings settings;
  build_app(app, settings);
  if (auto exit_now = stguard::cli::parse_command_line(app, argc, argv)) return *exit_now;
  stguard::cli::SuppressionPolicy suppression;
  if (auto exit_now = check_usage(settings, suppression)) return *exit_now;

  stguard::cli::ProgressBar progress(STDERR_FILENO);
  const audit::AuditOptions options = audit_options(settings, progress);
  const audit::Severity threshold = *audit::severity_from_name(settings.fail_on);
  if (!settings.verify_manifest.empty()) {
    progress.start(stguard::cli::json_operand(settings.paths.front()));
    const int status = run_verify(settings.verify_manifest, settings.paths.front(), options, settings.remote,
                                  settings.quiet ? std::string("quiet") : settings.format);
    progress.finish();
    return status;
  }

  const stguard::cli::TargetList targets = stguard::cli::collect_targets(settings.paths, settings.walk_options);
  std::vector<AuditedFile> files = audit_targets(targets, options, settings.remote, progress);
  stguard::cli::apply_suppression(suppression, files);
  std::optional<std::string> baseline_problem;
  const bool records_written = write_records(settings, suppression, files, baseline_problem);
  if (baseline_problem) return usage_error(*baseline_problem);

  const std::string profile(stguard::profile_name(options.validation.profile));
  if (!settings.quiet) std::cout << report(settings, targets, files, threshold, profile);
  std::cout.flush();
  return exit_status(files, records_written, threshold);
}
