// Sharded checkpoints: the index is parsed by the library's hermetic index
// parser (shard_index.hpp), every shard it names gets a full audit of its
// own, and the cross-check reports EVERY inconsistency as a finding, where
// check_shard_index stops at the first: a scanner wants the whole list.
// Shard names are plain file names (the parser refuses anything else), so
// joining them to the index's folder cannot leave that folder.
#include <algorithm>
#include <new>

#include "byte_source.hpp"
#include "finding_sink.hpp"
#include "stguard/audit.hpp"
#include "stguard/escape.hpp"
#include "stguard/shard_index.hpp"
#include "text_scan.hpp"

namespace stguard::audit {
namespace {

using detail::FindingSink;

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string describe(const Error& error) {
  return "[" + std::string(error_code_name(error.code)) + "] " + std::string(error.text());
}

// Index-level rules: a parse error with an index_* code is also a finding.
void report_parse_error(const Error& error, FindingSink& sink) {
  if (const auto rule = rule_for_index_error(error.code)) {
    sink.add(*rule, "the index is invalid: " + describe(error), std::string(error_code_name(error.code)),
             error.offset, error.tensor);
  }
}

ShardCheckOptions shard_check_options(const AuditOptions& options) {
  ShardCheckOptions check;
  check.shard_options = options.validation;
  check.require_total_size = options.require_total_size;
  return check;
}

Result<std::vector<AuditReport>> audit_shard_set(const std::string& index_path, const AuditOptions& options) {
  const ShardIndexLimits limits;
  auto source = detail::ByteSource::open(index_path);
  if (!source) return source.error();

  std::vector<AuditReport> reports;
  AuditReport index_report;
  index_report.path = index_path;
  index_report.file_size = source->size();
  FindingSink sink(options.max_findings_per_rule);

  if (source->size() > limits.max_index_bytes) {
    index_report.verdict = Verdict::invalid;
    index_report.error = make_error(ErrorCode::index_invalid_json,
                                    "the index is " + std::to_string(source->size()) + " bytes, more than " +
                                        std::to_string(limits.max_index_bytes));
    report_parse_error(*index_report.error, sink);
    index_report.findings = sink.take_findings();
    reports.push_back(std::move(index_report));
    return reports;
  }
  std::vector<std::uint8_t> scratch;
  auto bytes = source->view(0, static_cast<std::size_t>(source->size()), scratch);
  if (!bytes) return bytes.error();
  auto parsed = parse_shard_index(*bytes, limits);
  if (!parsed) {
    if (parsed.error().error_class() == ErrorClass::internal) return parsed.error();
    index_report.verdict = Verdict::invalid;
    index_report.error = parsed.error();
    report_parse_error(parsed.error(), sink);
    index_report.findings = sink.take_findings();
    reports.push_back(std::move(index_report));
    return reports;
  }
  std::vector<std::uint8_t>().swap(scratch);
  const ShardIndex& index = *parsed;
  index_report.verdict = Verdict::strict_valid;
  reports.emplace_back();  // the index's own report goes first, filled in at the end

  const std::string folder = folder_of(index_path);
  std::vector<bool> shard_usable(index.shards.size(), false);
  std::vector<bool> found(index.weight_map.size(), false);
  std::uint64_t total = 0;
  bool total_overflowed = false;
  for (std::size_t s = 0; s < index.shards.size(); ++s) {
    const std::string& shard = index.shards[s];
    auto shard_report = audit_path(folder + "/" + shard, options);
    if (!shard_report) {
      sink.add(Rule::shard_invalid, "shard " + quote_for_display(shard) + " cannot be read: " + describe(shard_report.error()),
               std::string(error_code_name(shard_report.error().code)));
      continue;
    }
    if (shard_report->verdict == Verdict::invalid) {
      sink.add(Rule::shard_invalid, "shard " + quote_for_display(shard) + " is invalid: " + describe(*shard_report->error),
               std::string(error_code_name(shard_report->error->code)));
    } else {
      shard_usable[s] = true;
      for (const TensorInfo& tensor : shard_report->header->tensors()) {
        total_overflowed = total_overflowed || __builtin_add_overflow(total, tensor.byte_size(), &total);
        const ShardIndexEntry* entry = index.find(tensor.name);
        if (entry == nullptr) {
          sink.add(Rule::shard_tensor_unlisted,
                   "shard " + quote_for_display(shard) + " holds tensor " + quote_for_display(tensor.name) + ", which weight_map does not list",
                   "shard " + quote_for_display(shard), kNoOffset, tensor.name);
        } else if (entry->shard != s) {
          sink.add(Rule::shard_tensor_elsewhere,
                   "tensor " + quote_for_display(tensor.name) + " is in shard " + quote_for_display(shard) + ", but weight_map puts it in " +
                       quote_for_display(index.shards[entry->shard]),
                   "shard " + quote_for_display(shard), kNoOffset, tensor.name);
        } else {
          found[static_cast<std::size_t>(entry - index.weight_map.data())] = true;
        }
      }
    }
    reports.push_back(std::move(shard_report).value());
  }
  for (std::size_t k = 0; k < index.weight_map.size(); ++k) {
    const ShardIndexEntry& entry = index.weight_map[k];
    // A shard that could not be audited is one finding, not one per tensor.
    if (found[k] || !shard_usable[entry.shard]) continue;
    sink.add(Rule::shard_tensor_missing,
             "weight_map puts tensor " + quote_for_display(entry.tensor) + " in shard " + quote_for_display(index.shards[entry.shard]) +
                 ", which does not hold it",
             "shard " + quote_for_display(index.shards[entry.shard]), kNoOffset, entry.tensor);
  }
  const bool all_usable = std::all_of(shard_usable.begin(), shard_usable.end(), [](bool usable) { return usable; });
  if (!index.total_size) {
    // Absent is fine unless the caller requires it (then the verdict below is invalid).
    sink.add_with_severity(Rule::shard_total_size_mismatch,
                           options.require_total_size ? rule_info(Rule::shard_total_size_mismatch).severity
                                                      : Severity::info,
                           "the index has no metadata.total_size",
                           "the shards' tensors hold " + std::to_string(total) + " bytes");
  } else if (all_usable && (total_overflowed || *index.total_size != total)) {
    sink.add(Rule::shard_total_size_mismatch,
             "metadata.total_size is " + std::to_string(*index.total_size) + ", the shards' tensors hold " +
                 (total_overflowed ? std::string("more than 2^64") : std::to_string(total)) + " bytes",
             "total_size " + std::to_string(*index.total_size));
  }
  // The verdict is st-shard check's: the same library call, the same policy.
  if (auto checked = check_shard_index(index_path, shard_check_options(options)); !checked) {
    if (checked.error().error_class() == ErrorClass::internal) return checked.error();
    index_report.verdict = Verdict::invalid;
    index_report.error = checked.error();
  }
  index_report.findings = sink.take_findings();
  index_report.suppressed_findings = sink.suppressed();
  reports.front() = std::move(index_report);
  return reports;
}

}  // namespace

Result<std::vector<AuditReport>> audit_index(const std::string& index_path, const AuditOptions& options) noexcept {
  return stguard::detail::without_exceptions([&]() -> Result<std::vector<AuditReport>> {
    return audit_shard_set(index_path, options);
  });
}

}  // namespace stguard::audit
