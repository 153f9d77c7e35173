// stguard._stguard.audit_path / audit_bytes: the audit layer's report as
// plain Python values (stguard/_audit.py gives them their classes). The GIL
// is released for the whole audit (validation, value scan, hashing).
#include <nanobind/stl/string.h>

#include <optional>

#include "convert.hpp"
#include "header_binding.hpp"
#include "stguard/audit.hpp"

namespace stguard::python {

namespace {

nb::object optional_text(const std::string& text) { return text.empty() ? nb::none() : nb::object(to_py_str(text)); }

nb::dict finding_dict(const audit::Finding& finding) {
  nb::dict out;
  out["rule"] = to_py_str(audit::rule_id(finding.rule));
  out["severity"] = to_py_str(audit::severity_name(finding.severity));
  out["message"] = to_py_str(finding.message);
  out["offset"] = finding.has_offset() ? nb::object(nb::int_(finding.offset)) : nb::none();
  out["tensor"] = optional_text(finding.tensor);
  out["metadata_key"] = optional_text(finding.metadata_key);
  out["json_path"] = optional_text(finding.json_path);
  out["evidence"] = optional_text(finding.evidence);
  return out;
}

nb::object digests_dict(const std::optional<audit::FileDigests>& digests) {
  if (!digests) return nb::none();
  nb::dict tensors;
  for (const audit::TensorDigest& tensor : digests->tensors) {
    tensors[to_py_str(tensor.name)] = to_py_str(audit::to_hex(tensor.sha256));
  }
  nb::dict out;
  out["file"] = to_py_str(audit::to_hex(digests->file_sha256));
  out["tensors"] = tensors;
  return out;
}

nb::dict report_dict(const audit::AuditReport& report) {
  nb::list findings;
  for (const audit::Finding& finding : report.findings) findings.append(finding_dict(finding));
  nb::dict out;
  out["path"] = to_py_str(report.path);
  out["file_size"] = nb::int_(report.file_size);
  out["verdict"] = to_py_str(audit::verdict_name(report.verdict));
  out["error"] = report.error ? nb::object(error_tuple(*report.error)) : nb::none();
  out["findings"] = findings;
  out["suppressed_findings"] = nb::int_(report.suppressed_findings);
  out["values_scanned"] = nb::bool_(report.values_scanned);
  out["digests"] = digests_dict(report.digests);
  out["tensor_count"] = report.header ? nb::object(nb::int_(report.header->tensor_count())) : nb::none();
  return out;
}

audit::AuditOptions audit_options(const std::string& profile, nb::handle limits, bool values, bool digests,
                                  unsigned threads) {
  audit::AuditOptions options;
  options.validation = options_from(profile, limits);
  options.scan_values = values;
  options.compute_digests = digests;
  options.threads = threads;
  return options;
}

nb::dict finish(Result<audit::AuditReport>&& result) {
  if (!result.ok()) throw CoreFailure{std::move(result).error()};
  return report_dict(result.value());
}

}  // namespace

void bind_audit(nb::module_& module) {
  module.def(
      "audit_path",
      [](const std::string& path, const std::string& profile, nb::handle limits, bool values, bool digests,
         unsigned threads) {
        const audit::AuditOptions options = audit_options(profile, limits, values, digests, threads);
        std::optional<Result<audit::AuditReport>> result;
        {
          nb::gil_scoped_release unlocked;
          result.emplace(audit::audit_path(path, options));
        }
        return finish(std::move(*result));
      },
      nb::arg("path"), nb::arg("profile"), nb::arg("limits").none(), nb::arg("values"), nb::arg("digests"),
      nb::arg("threads"));
  module.def(
      "audit_bytes",
      [](nb::handle data, const std::string& profile, nb::handle limits, bool values, bool digests,
         unsigned threads) {
        const audit::AuditOptions options = audit_options(profile, limits, values, digests, threads);
        const BufferView buffer(data);
        std::optional<Result<audit::AuditReport>> result;
        {
          nb::gil_scoped_release unlocked;
          result.emplace(audit::audit_bytes(buffer.bytes(), options));
        }
        return finish(std::move(*result));
      },
      nb::arg("data"), nb::arg("profile"), nb::arg("limits").none(), nb::arg("values"), nb::arg("digests"),
      nb::arg("threads"));
}

}  // namespace stguard::python
