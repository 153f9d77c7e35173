// The audit's values as plain Python values, shared by the whole-file audit,
// the tensor-range audit (stguard.scan) and the manifest functions.
#pragma once

#include <nanobind/nanobind.h>

#include <string>

#include "stguard/audit.hpp"
#include "stguard/audit_digest.hpp"

namespace stguard::python {

// {"rule", "severity", "message", "offset", "tensor", "metadata_key", "json_path", "evidence"}.
[[nodiscard]] nanobind::dict finding_dict(const audit::Finding& finding);
// (file size, file sha256 hex, [(name, dtype, shape, offset, size, sha256 hex), ...] in data order):
// stguard/_manifest.py's Manifest.
[[nodiscard]] nanobind::tuple digests_tuple(const audit::FileDigests& digests);
// The inverse; ValueError for a digest that is not 64 hex digits or an unknown dtype.
[[nodiscard]] audit::FileDigests digests_from_tuple(nanobind::handle fields);
// The report's fields (stguard/_audit.py gives them their classes).
[[nodiscard]] nanobind::dict report_dict(const audit::AuditReport& report);
// The gate's profile and limits, and what the data pass does.
[[nodiscard]] audit::AuditOptions audit_options(const std::string& profile, nanobind::handle limits, bool values,
                                                bool digests, unsigned threads);
// The report, or the CoreFailure exception for an error (the file could not be read).
[[nodiscard]] audit::AuditReport report_or_raise(Result<audit::AuditReport>&& result);

}  // namespace stguard::python
