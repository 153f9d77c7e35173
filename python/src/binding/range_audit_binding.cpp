// stguard._stguard range audits for stguard.scan: the audit's data pass over
// a slice of a file's tensors, the whole-file digest alone, and the value
// findings computed from every slice's outcomes, so that one large file is
// several tasks on several machines and still gives exactly the report
// audit_path gives (same digests, same findings in the same order).
//
// The audit library keeps its data pass and value rules private
// (audit/src); this file reuses them as they are (python/CMakeLists.txt adds
// that folder to the include path for the extension only) rather than
// writing a second value scanner or a second SHA-256 loop.
#include <nanobind/stl/string.h>

#include <optional>
#include <vector>

#include "audit_binding.hpp"
#include "byte_source.hpp"
#include "convert.hpp"
#include "data_pass.hpp"
#include "finding_sink.hpp"
#include "rule_passes.hpp"

namespace stguard::python {
namespace {

using audit::detail::TensorOutcome;
using audit::detail::TensorTask;
using audit::detail::ValueStats;

// The compat parse the audit itself makes (header rules are not the point
// here: it is cheap next to reading the tensors, and it is the same parse).
Result<Header> parse_for_range(const std::string& path, const audit::AuditOptions& gate) {
  audit::AuditOptions header_only = gate;
  header_only.scan_values = false;
  header_only.compute_digests = false;
  auto report = audit::audit_path(path, header_only);
  if (!report) return std::move(report).error();
  if (!report->header) {
    return report->error ? *report->error : make_error(ErrorCode::internal_error, "the audit kept no header");
  }
  return std::move(*report->header);
}

std::vector<TensorTask> tasks_for(const Header& header, bool values, bool digests) {
  const auto tensors = header.tensors();
  const std::vector<bool> ties = values ? audit::detail::tensors_needing_hash_for_ties(header)
                                        : std::vector<bool>(tensors.size(), false);
  std::vector<TensorTask> tasks;
  tasks.reserve(tensors.size());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    TensorTask task;
    task.file_offset = header.data_offset() + tensors[i].begin;
    task.byte_size = tensors[i].byte_size();
    task.dtype = tensors[i].dtype;
    task.hash = digests || ties[i];
    task.scan = values;
    tasks.push_back(task);
  }
  return tasks;
}

nb::object optional_index(std::uint64_t index) {
  return index == audit::detail::kNoIndex ? nb::none() : nb::object(nb::int_(index));
}

std::uint64_t index_or_none(nb::handle value) {
  return value.is_none() ? audit::detail::kNoIndex : nb::cast<std::uint64_t>(value);
}

// (sha256 hex or None, nan, inf, bad bool, first nan byte, first inf byte,
// first bad bool byte, any nonzero): plain values that pickle, so a slice's
// outcome travels from one worker to the task that combines them.
nb::tuple outcome_tuple(const TensorOutcome& outcome) {
  const ValueStats& stats = outcome.stats;
  return nb::make_tuple(outcome.sha256 ? nb::object(to_py_str(audit::to_hex(*outcome.sha256))) : nb::none(),
                        nb::int_(stats.nan_count), nb::int_(stats.inf_count), nb::int_(stats.bad_bool_count),
                        optional_index(stats.first_nan_byte), optional_index(stats.first_inf_byte),
                        optional_index(stats.first_bad_bool_byte), nb::bool_(stats.any_nonzero));
}

TensorOutcome outcome_from(nb::handle fields) {
  const nb::tuple parts = nb::cast<nb::tuple>(fields);
  if (parts.size() != 8) throw nb::value_error("a tensor outcome has 8 fields");
  TensorOutcome outcome;
  if (!parts[0].is_none()) {
    const auto digest = audit::digest_from_hex(from_py_str(parts[0]));
    if (!digest) throw nb::value_error("a SHA-256 digest must be 64 hex digits");
    outcome.sha256 = *digest;
  }
  outcome.stats.nan_count = nb::cast<std::uint64_t>(parts[1]);
  outcome.stats.inf_count = nb::cast<std::uint64_t>(parts[2]);
  outcome.stats.bad_bool_count = nb::cast<std::uint64_t>(parts[3]);
  outcome.stats.first_nan_byte = index_or_none(parts[4]);
  outcome.stats.first_inf_byte = index_or_none(parts[5]);
  outcome.stats.first_bad_bool_byte = index_or_none(parts[6]);
  outcome.stats.any_nonzero = nb::cast<bool>(parts[7]);
  return outcome;
}

Header header_or_raise(Result<Header>&& header, std::size_t expected_tensors) {
  if (!header) throw CoreFailure{std::move(header).error()};
  if (header->tensor_count() != expected_tensors) {
    throw CoreFailure{make_error(ErrorCode::io_file_changed, "the file's header changed during the scan")};
  }
  return std::move(header).value();
}

}  // namespace

void bind_range_audit(nb::module_& module) {
  // The data pass over tensors [first, first + count) (data order); one
  // outcome tuple per tensor.
  module.def(
      "audit_tensor_range",
      [](const std::string& path, const std::string& profile, nb::handle limits, std::size_t tensor_count,
         std::size_t first, std::size_t count, bool values, bool digests, unsigned threads) {
        const audit::AuditOptions gate = audit_options(profile, limits, values, digests, threads);
        std::optional<Result<audit::detail::DataPassResult>> pass;
        {
          nb::gil_scoped_release unlocked;
          pass.emplace([&]() -> Result<audit::detail::DataPassResult> {
            auto header = parse_for_range(path, gate);
            if (!header) return std::move(header).error();
            if (header->tensor_count() != tensor_count || first > tensor_count || count > tensor_count - first) {
              return make_error(ErrorCode::io_file_changed, "the file's header changed during the scan");
            }
            auto source = audit::detail::ByteSource::open(path);
            if (!source) return std::move(source).error();
            if (source->size() != header->file_size()) {
              return make_error(ErrorCode::io_file_changed, "the file changed size during the scan");
            }
            std::vector<TensorTask> tasks = tasks_for(*header, values, digests);
            audit::detail::DataPassRequest request;
            request.source = &*source;
            request.tasks.assign(tasks.begin() + static_cast<std::ptrdiff_t>(first),
                                 tasks.begin() + static_cast<std::ptrdiff_t>(first + count));
            request.threads = threads;
            return audit::detail::run_data_pass(request);
          }());
        }
        if (!pass->ok()) throw CoreFailure{std::move(*pass).error()};
        nb::list outcomes;
        for (const TensorOutcome& outcome : pass->value().tensors) outcomes.append(outcome_tuple(outcome));
        return outcomes;
      },
      nb::arg("path"), nb::arg("profile"), nb::arg("limits").none(), nb::arg("tensor_count"), nb::arg("first"),
      nb::arg("count"), nb::arg("values"), nb::arg("digests"), nb::arg("threads"));

  // How to split a file's data pass: consecutive tensors (data order) in
  // runs of about `split_bytes` (a tensor is never split: its digest is one
  // chain). Returns the tensors as (name, dtype, shape, file offset, size)
  // and the runs as (first, count).
  module.def(
      "plan_tensor_ranges",
      [](const std::string& path, const std::string& profile, nb::handle limits, std::uint64_t split_bytes) {
        const audit::AuditOptions gate = audit_options(profile, limits, false, false, 1);
        std::optional<Result<Header>> parsed;
        {
          nb::gil_scoped_release unlocked;
          parsed.emplace(parse_for_range(path, gate));
        }
        if (!parsed->ok()) throw CoreFailure{std::move(*parsed).error()};
        const Header& header = parsed->value();
        nb::list tensors;
        nb::list ranges;
        std::size_t first = 0;
        std::uint64_t run_bytes = 0;
        const auto infos = header.tensors();
        for (std::size_t i = 0; i < infos.size(); ++i) {
          nb::list shape;
          for (const std::uint64_t dimension : infos[i].shape) shape.append(nb::int_(dimension));
          tensors.append(nb::make_tuple(to_py_str(infos[i].name), to_py_str(dtype_name(infos[i].dtype)),
                                        nb::tuple(shape), nb::int_(header.data_offset() + infos[i].begin),
                                        nb::int_(infos[i].byte_size())));
          run_bytes += infos[i].byte_size();  // at most the file size: no overflow
          if (run_bytes >= split_bytes || i + 1 == infos.size()) {
            ranges.append(nb::make_tuple(nb::int_(first), nb::int_(i + 1 - first)));
            first = i + 1;
            run_bytes = 0;
          }
        }
        return nb::make_tuple(tensors, ranges);
      },
      nb::arg("path"), nb::arg("profile"), nb::arg("limits").none(), nb::arg("split_bytes"));

  // SHA-256 of the whole file (one chain: it cannot be split), as hex.
  module.def(
      "file_sha256",
      [](const std::string& path) {
        std::optional<Result<audit::detail::DataPassResult>> pass;
        {
          nb::gil_scoped_release unlocked;
          pass.emplace([&]() -> Result<audit::detail::DataPassResult> {
            auto source = audit::detail::ByteSource::open(path);
            if (!source) return std::move(source).error();
            audit::detail::DataPassRequest request;
            request.source = &*source;
            request.file_digest = true;
            request.threads = 1;
            return audit::detail::run_data_pass(request);
          }());
        }
        if (!pass->ok()) throw CoreFailure{std::move(*pass).error()};
        return to_py_str(audit::to_hex(pass->value().file_sha256.value_or(audit::Sha256Digest{})));
      },
      nb::arg("path"));

  // The value findings (STG-VAL-*) of the whole file from every tensor's
  // outcome: (findings, suppressed count), as audit_path(values=True) adds them.
  module.def(
      "value_findings",
      [](const std::string& path, const std::string& profile, nb::handle limits, nb::handle outcome_list) {
        const audit::AuditOptions gate = audit_options(profile, limits, true, false, 1);
        std::vector<TensorOutcome> outcomes;
        for (nb::handle fields : outcome_list) outcomes.push_back(outcome_from(fields));
        std::optional<Result<Header>> parsed;
        {
          nb::gil_scoped_release unlocked;
          parsed.emplace(parse_for_range(path, gate));
        }
        const Header header = header_or_raise(std::move(*parsed), outcomes.size());
        const std::vector<TensorTask> tasks = tasks_for(header, true, false);
        audit::detail::FindingSink sink(gate.max_findings_per_rule);
        audit::detail::check_values(header, tasks, outcomes, sink);
        nb::list findings;
        for (const audit::Finding& finding : sink.take_findings()) findings.append(finding_dict(finding));
        return nb::make_tuple(findings, nb::int_(sink.suppressed()));
      },
      nb::arg("path"), nb::arg("profile"), nb::arg("limits").none(), nb::arg("outcomes"));
}

}  // namespace stguard::python
