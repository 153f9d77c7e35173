// stguard._stguard manifest functions: the audit library's digest manifests
// (the JSON `st-audit --manifest` writes) and their comparison, on the digest
// tuples of audit_binding.hpp.
#include <nanobind/stl/string.h>

#include <optional>

#include "audit_binding.hpp"
#include "convert.hpp"
#include "stguard/audit_manifest.hpp"

namespace stguard::python {

void bind_manifest(nb::module_& module) {
  module.def(
      "manifest_json", [](nb::handle digests) { return to_py_str(audit::serialize_manifest(digests_from_tuple(digests))); },
      nb::arg("digests"));
  module.def(
      "parse_manifest",
      [](nb::handle data) {
        const BufferView buffer(data);
        std::optional<Result<audit::FileDigests>> result;
        {
          nb::gil_scoped_release unlocked;
          result.emplace(audit::parse_manifest(buffer.bytes()));
        }
        if (!result->ok()) throw CoreFailure{std::move(*result).error()};
        return digests_tuple(result->value());
      },
      nb::arg("data"));
  module.def(
      "compare_digests",
      [](nb::handle expected, nb::handle actual) {
        const audit::VerifyResult result = audit::compare_digests(digests_from_tuple(expected), digests_from_tuple(actual));
        nb::list differences;
        for (const audit::TensorDifference& difference : result.differences) {
          differences.append(nb::make_tuple(to_py_str(audit::difference_kind_name(difference.kind)),
                                            to_py_str(difference.tensor), to_py_str(difference.detail)));
        }
        return nb::make_tuple(nb::bool_(result.file_size_matches), nb::bool_(result.file_digest_matches), differences);
      },
      nb::arg("expected"), nb::arg("actual"));
}

}  // namespace stguard::python
