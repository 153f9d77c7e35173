// audit_bytes: the audit engine over a whole file held in memory (the input),
// with the value scan and digests on, as a scanner embedding stguard runs it.
// Checks that it never fails on readable bytes, that its verdict agrees with
// the validators (invalid exactly when compat rejects; compat-only exactly
// when compat accepts and strict rejects), that every finding's offset lies
// inside the file, that digests describe exactly the tensors compat sees, and
// that a second run, through audit_reader over a RangeReader of the same
// bytes (what st-audit URL uses), gives the same report (no dependence on
// thread timing or on where the bytes come from).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "fuzz_support.hpp"
#include "stguard/audit.hpp"
#include "stguard/validate.hpp"

namespace {

// The input as a RangeReader, as the remote layer serves a file.
class MemoryRangeReader final : public stguard::audit::RangeReader {
 public:
  explicit MemoryRangeReader(std::span<const std::uint8_t> bytes) noexcept : bytes_(bytes) {}
  [[nodiscard]] std::uint64_t size() const noexcept override { return bytes_.size(); }
  [[nodiscard]] stguard::Status read(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept override {
    FUZZ_CHECK(offset <= bytes_.size() && out.size() <= bytes_.size() - offset);  // the audit stays inside
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return {};
  }

 private:
  std::span<const std::uint8_t> bytes_;
};

}  // namespace

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

  const MemoryRangeReader reader(file);
  const auto again = stguard::audit::audit_reader(reader, "<memory>", options);
  FUZZ_CHECK(again.ok() && again->findings.size() == report->findings.size());
  FUZZ_CHECK(again->verdict == report->verdict && again->suppressed_findings == report->suppressed_findings);
  FUZZ_CHECK(again->digests.has_value() == report->digests.has_value());
  if (report->digests) {
    FUZZ_CHECK(again->digests->file_sha256 == report->digests->file_sha256);
    for (std::size_t i = 0; i < report->digests->tensors.size(); ++i) {
      FUZZ_CHECK(again->digests->tensors[i].sha256 == report->digests->tensors[i].sha256);
    }
  }
  for (std::size_t i = 0; i < report->findings.size(); ++i) {
    FUZZ_CHECK(again->findings[i].rule == report->findings[i].rule);
    FUZZ_CHECK(again->findings[i].message == report->findings[i].message);
  }
  return 0;
}
