// The audit's orchestration: read the framing and the header once, parse
// them with compat (and strict when that is the gate), run the rule passes
// in a fixed order, and run the data pass when values or digests are asked
// for. Files, buffers and range readers share every step through ByteSource.
#include "stguard/audit.hpp"

#include <algorithm>
#include <new>

#include "byte_source.hpp"
#include "data_pass.hpp"
#include "finding_sink.hpp"
#include "rule_passes.hpp"
#include "stguard/validate.hpp"

namespace stguard::audit {
namespace {

using detail::ByteSource;
using detail::FindingSink;

constexpr std::size_t kLengthBytes = 8;

// The audit always parses as the reference reader does, keeping the limits
// that apply to both profiles; strict's own limits show up as strict
// violations (or as the strict parse's error).
Options compat_parse_options(const Options& gate) {
  if (gate.profile == Profile::compat) return gate;
  Options options = Options::compat();
  options.limits.max_header_bytes = gate.limits.max_header_bytes;
  options.limits.max_depth = gate.limits.max_depth;
  options.max_recorded_violations = std::max<std::uint32_t>(gate.max_recorded_violations, 256);
  return options;
}

struct ParsedHeader {
  std::vector<std::uint8_t> prefix_scratch;
  std::span<const std::uint8_t> prefix;  // the first 8 + N bytes
  std::optional<Header> compat;
  std::optional<Error> compat_error;
  std::optional<Error> strict_error;
};

// Reads the framing and the header (N checked against the limits and the
// file size before anything is read or allocated) and parses them. The
// leading bytes (more than the 8 of N) let a failed framing say what the file
// is instead (NOT_SAFETENSORS_*), as validate_file does.
Status parse_file_header(const ByteSource& source, const Options& gate, std::span<const std::uint8_t> leading_bytes,
                         ParsedHeader& parsed) {
  const Options compat_options = compat_parse_options(gate);
  auto header_length = read_header_length(leading_bytes, source.size(), compat_options);
  if (!header_length) {
    parsed.compat_error = std::move(header_length).error();
    return {};
  }
  auto prefix = source.view(0, static_cast<std::size_t>(kLengthBytes + *header_length), parsed.prefix_scratch);
  if (!prefix) return prefix.error();
  parsed.prefix = *prefix;
  auto compat = validate_prefix(parsed.prefix, source.size(), compat_options);
  if (!compat) {
    if (compat.error().error_class() == ErrorClass::io || compat.error().error_class() == ErrorClass::internal) {
      return compat.error();
    }
    parsed.compat_error = std::move(compat).error();
    return {};
  }
  parsed.compat = std::move(compat).value();
  // The compat parse records every strict rule the file breaks, including
  // strict's default limits on integers, names and rank; only a limit the
  // caller changed, or the tensor count, needs the strict parse itself.
  if (gate.profile == Profile::strict &&
      (gate.limits != Limits::strict_defaults() ||
       parsed.compat->tensor_count() > gate.limits.max_tensors)) {
    auto strict = validate_prefix(parsed.prefix, source.size(), gate);
    if (!strict) parsed.strict_error = std::move(strict).error();
  }
  return {};
}

Status run_data_rules(const ByteSource& source, const Header& header, const AuditOptions& options, FindingSink& sink,
                      AuditReport& report) {
  const auto tensors = header.tensors();
  const std::vector<bool> tie_candidates =
      options.scan_values ? detail::tensors_needing_hash_for_ties(header) : std::vector<bool>(tensors.size(), false);
  detail::DataPassRequest request;
  request.source = &source;
  request.file_digest = options.compute_digests;
  request.threads = options.threads;
  request.progress = &options.progress;
  request.tasks.reserve(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    detail::TensorTask task;
    task.file_offset = header.data_offset() + tensors[i].begin;
    task.byte_size = tensors[i].byte_size();
    task.dtype = tensors[i].dtype;
    task.hash = options.compute_digests || tie_candidates[i];
    task.scan = options.scan_values;
    request.tasks.push_back(task);
  }
  auto pass = detail::run_data_pass(request);
  if (!pass) return pass.error();
  if (options.scan_values) {
    detail::check_values(header, request.tasks, pass->tensors, sink);
    report.values_scanned = true;
  }
  if (options.compute_digests) {
    FileDigests digests;
    digests.file_size = source.size();
    digests.file_sha256 = pass->file_sha256.value_or(Sha256Digest{});
    digests.tensors.reserve(tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      TensorDigest digest;
      digest.name = tensors[i].name;
      digest.dtype = tensors[i].dtype;
      digest.shape = tensors[i].shape;
      digest.byte_size = tensors[i].byte_size();
      digest.file_offset = request.tasks[i].file_offset;
      digest.sha256 = pass->tensors[i].sha256.value_or(Sha256Digest{});
      digests.tensors.push_back(std::move(digest));
    }
    report.digests = std::move(digests);
  }
  return {};
}

Result<AuditReport> run_audit(const ByteSource& source, std::string path, const AuditOptions& options) {
  AuditReport report;
  report.path = std::move(path);
  report.file_size = source.size();
  FindingSink sink(options.max_findings_per_rule);

  std::vector<std::uint8_t> leading_scratch;
  auto leading = source.view(
      0, static_cast<std::size_t>(std::min<std::uint64_t>(source.size(), detail::kLeadingWindow)), leading_scratch);
  if (!leading) return leading.error();
  // Looked at even when the file is invalid: a renamed archive or pickle is.
  detail::check_leading_bytes(*leading, source.size(), sink);

  ParsedHeader parsed;
  if (Status status = parse_file_header(source, options.validation, *leading, parsed); !status) {
    return status.error();
  }
  const Header* header = parsed.compat ? &*parsed.compat : nullptr;
  if (header == nullptr) {
    report.verdict = Verdict::invalid;
    report.error = std::move(parsed.compat_error);
  } else {
    const bool strict_ok = header->strict_violations().empty() && !header->violations_truncated() &&
                           !parsed.strict_error.has_value();
    report.verdict = strict_ok ? Verdict::strict_valid : Verdict::compat_only;
    detail::check_strictness(*header, parsed.strict_error, options.validation.profile, sink);
    detail::check_header_and_layout(*header, parsed.prefix.subspan(kLengthBytes), sink);
    detail::check_names(*header, sink);
    detail::check_metadata(*header, sink);
    detail::check_configs(*header, sink);
  }
  if (Status status = detail::check_signatures(source, header, sink); !status) return status.error();
  if (header != nullptr && (options.scan_values || options.compute_digests)) {
    if (Status status = run_data_rules(source, *header, options, sink, report); !status) return status.error();
  }
  report.findings = sink.take_findings();
  report.suppressed_findings = sink.suppressed();
  if (parsed.compat) report.header = std::move(parsed.compat);
  return report;
}

template <typename Audit>
Result<AuditReport> guarded(Audit&& audit) noexcept {
  try {
    return audit();
  } catch (const std::bad_alloc&) {
    return out_of_memory_error();
  } catch (...) {
    return make_error(ErrorCode::internal_error, "unexpected exception during the audit");
  }
}

}  // namespace

std::string_view verdict_name(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::strict_valid: return "valid";
    case Verdict::compat_only: return "compat-only";
    case Verdict::invalid: return "invalid";
  }
  return "unknown";
}

std::optional<Severity> AuditReport::max_severity() const noexcept {
  std::optional<Severity> highest;
  for (const Finding& finding : findings) {
    if (!highest || finding.severity > *highest) highest = finding.severity;
  }
  return highest;
}

std::size_t AuditReport::count_at_least(Severity threshold) const noexcept {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [&](const Finding& finding) { return finding.severity >= threshold; }));
}

Result<AuditReport> audit_path(const std::string& path, const AuditOptions& options) noexcept {
  return guarded([&]() -> Result<AuditReport> {
    auto source = ByteSource::open(path);
    if (!source) return source.error();
    return run_audit(*source, path, options);
  });
}

Result<AuditReport> audit_bytes(std::span<const std::uint8_t> file, const AuditOptions& options) noexcept {
  return guarded([&]() -> Result<AuditReport> {
    const ByteSource source = ByteSource::from_memory(file);
    return run_audit(source, "<memory>", options);
  });
}

Result<AuditReport> audit_reader(const RangeReader& reader, std::string name, const AuditOptions& options) noexcept {
  return guarded([&]() -> Result<AuditReport> {
    const ByteSource source = ByteSource::from_reader(reader);
    return run_audit(source, std::move(name), options);
  });
}

bool looks_like_index_path(std::string_view path) noexcept {
  constexpr std::string_view kSuffix = ".index.json";
  return path.size() > kSuffix.size() && path.substr(path.size() - kSuffix.size()) == kSuffix;
}

}  // namespace stguard::audit
