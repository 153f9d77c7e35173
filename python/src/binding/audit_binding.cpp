// stguard._stguard.audit_path / audit_bytes / audit_index: the audit layer's
// reports as plain Python values (stguard/_audit.py gives them their classes). The GIL
// is released for the whole audit (validation, value scan, hashing).
#include <nanobind/stl/string.h>

#include <optional>

#include "convert.hpp"
#include "audit_binding.hpp"
#include "header_binding.hpp"
#include "stguard/audit.hpp"

namespace stguard::python {

namespace {

nb::object optional_text(const std::string& text) { return text.empty() ? nb::none() : nb::object(to_py_str(text)); }

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

}  // namespace

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

nb::tuple digests_tuple(const audit::FileDigests& digests) {
  nb::list tensors;
  for (const audit::TensorDigest& tensor : digests.tensors) {
    nb::list shape;
    for (const std::uint64_t dimension : tensor.shape) shape.append(nb::int_(dimension));
    tensors.append(nb::make_tuple(to_py_str(tensor.name), to_py_str(dtype_name(tensor.dtype)), nb::tuple(shape),
                                  nb::int_(tensor.file_offset), nb::int_(tensor.byte_size),
                                  to_py_str(audit::to_hex(tensor.sha256))));
  }
  return nb::make_tuple(nb::int_(digests.file_size), to_py_str(audit::to_hex(digests.file_sha256)), tensors);
}

namespace {

audit::Sha256Digest digest_from(nb::handle hex) {
  const auto digest = audit::digest_from_hex(from_py_str(hex));
  if (!digest) throw nb::value_error("a SHA-256 digest must be 64 hex digits");
  return *digest;
}

}  // namespace

audit::FileDigests digests_from_tuple(nb::handle fields) {
  const nb::tuple parts = nb::cast<nb::tuple>(fields);
  if (parts.size() != 3) throw nb::value_error("digests are (file size, file sha256, tensors)");
  audit::FileDigests digests;
  digests.file_size = nb::cast<std::uint64_t>(parts[0]);
  digests.file_sha256 = digest_from(parts[1]);
  for (nb::handle entry : parts[2]) {
    const nb::tuple tensor_fields = nb::cast<nb::tuple>(entry);
    if (tensor_fields.size() != 6) throw nb::value_error("a tensor digest is (name, dtype, shape, offset, size, sha256)");
    audit::TensorDigest tensor;
    tensor.name = from_py_str(tensor_fields[0]);
    const auto dtype = dtype_from_name(from_py_str(tensor_fields[1]));
    if (!dtype) throw nb::value_error("unknown dtype in a tensor digest");
    tensor.dtype = *dtype;
    for (nb::handle dimension : tensor_fields[2]) tensor.shape.push_back(nb::cast<std::uint64_t>(dimension));
    tensor.file_offset = nb::cast<std::uint64_t>(tensor_fields[3]);
    tensor.byte_size = nb::cast<std::uint64_t>(tensor_fields[4]);
    tensor.sha256 = digest_from(tensor_fields[5]);
    digests.tensors.push_back(std::move(tensor));
  }
  return digests;
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
  out["manifest"] = report.digests ? nb::object(digests_tuple(*report.digests)) : nb::none();
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

audit::AuditReport report_or_raise(Result<audit::AuditReport>&& result) {
  if (!result.ok()) throw CoreFailure{std::move(result).error()};
  return std::move(result).value();
}

namespace {

nb::dict finish(Result<audit::AuditReport>&& result) { return report_dict(report_or_raise(std::move(result))); }

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
  module.def(
      "audit_index",
      [](const std::string& index_path, const std::string& profile, nb::handle limits, bool values, bool digests,
         unsigned threads, bool require_total_size) {
        audit::AuditOptions options = audit_options(profile, limits, values, digests, threads);
        options.require_total_size = require_total_size;
        std::optional<Result<std::vector<audit::AuditReport>>> result;
        {
          nb::gil_scoped_release unlocked;
          result.emplace(audit::audit_index(index_path, options));
        }
        if (!result->ok()) throw CoreFailure{std::move(*result).error()};
        nb::list reports;
        for (const audit::AuditReport& report : result->value()) reports.append(report_dict(report));
        return reports;
      },
      nb::arg("index_path"), nb::arg("profile"), nb::arg("limits").none(), nb::arg("values"), nb::arg("digests"),
      nb::arg("threads"), nb::arg("require_total_size"));
}

}  // namespace stguard::python
