// audit_bytes: the audit engine over a whole file held in memory (the input),
// with the value scan and digests on, as a scanner embedding stguard runs it.
// Checks that it never fails on readable bytes, that its verdict agrees with
// the validators (invalid exactly when compat rejects; compat-only exactly
// when compat accepts and strict rejects), that every finding's offset lies
// inside the file, that digests describe exactly the tensors compat sees, and
// that a second run gives the same report (no dependence on thread timing).
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "stguard/audit.hpp"
#include "stguard/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> file(data, size);
  stguard::audit::AuditOptions options;
  options.scan_values = true;
  options.compute_digests = true;
  options.threads = 2;
  const auto report = stguard::audit::audit_bytes(file, options);
  FUZZ_CHECK(report.ok());  // in memory there is nothing that cannot be read

  const auto strict = stguard::validate_file(file, stguard::Options::strict());
  const auto compat = stguard::validate_file(file, stguard::Options::compat());
  using stguard::audit::Verdict;
  if (!compat) {
    FUZZ_CHECK(report->verdict == Verdict::invalid);
    FUZZ_CHECK(report->error.has_value() && report->error->code == compat.error().code);
  } else {
    FUZZ_CHECK(report->verdict == (strict ? Verdict::strict_valid : Verdict::compat_only));
    FUZZ_CHECK(report->digests.has_value());
    FUZZ_CHECK(report->digests->file_size == size);
    FUZZ_CHECK(report->digests->tensors.size() == compat->tensor_count());
    for (std::size_t i = 0; i < compat->tensor_count(); ++i) {
      const auto& digest = report->digests->tensors[i];
      const auto& tensor = compat->tensors()[i];
      FUZZ_CHECK(digest.name == tensor.name && digest.byte_size == tensor.byte_size());
      FUZZ_CHECK(digest.file_offset == compat->data_offset() + tensor.begin);
    }
  }
  for (const auto& finding : report->findings) {
    FUZZ_CHECK(!finding.has_offset() || finding.offset <= size);
  }

  const auto again = stguard::audit::audit_bytes(file, options);
  FUZZ_CHECK(again.ok() && again->findings.size() == report->findings.size());
  for (std::size_t i = 0; i < report->findings.size(); ++i) {
    FUZZ_CHECK(again->findings[i].rule == report->findings[i].rule);
    FUZZ_CHECK(again->findings[i].message == report->findings[i].message);
  }
  return 0;
}
