// profile_relation: the two profiles over the same file (the input) keep
// their documented relation (docs/profiles.md#relation):
//   * strict ⊂ compat: whatever strict accepts, compat accepts with the same
//     tensors (names, dtypes, shapes, offsets, element counts), the same
//     metadata, the same header length and data size, and records no strict
//     violation (it would be a rule strict did not apply);
//   * compat's violation list is complete: when compat accepts and records
//     nothing (and did not truncate the list), strict accepts the same file;
//     when it records something, strict rejects, with one of the recorded
//     codes (strict stops at its first violation; compat's messages for the
//     limit rules differ, so only the code is compared).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "stguard/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fz = stguard::fuzz;
  const std::span<const std::uint8_t> file(data, size);
  const auto strict = stguard::validate_file(file, stguard::Options::strict());
  const auto compat = stguard::validate_file(file, stguard::Options::compat());
  const std::string both = "strict " + fz::describe(strict) + ", compat " + fz::describe(compat);

  if (strict) {
    FUZZ_CHECK_MSG(compat.ok(), both);
    FUZZ_CHECK_MSG(fz::same_content(*strict, *compat), both);
    FUZZ_CHECK(strict->header_length() == compat->header_length());
    FUZZ_CHECK(strict->data_size() == compat->data_size());
    FUZZ_CHECK_MSG(compat->strict_violations().empty() && !compat->violations_truncated(), both);
    return 0;
  }
  if (!compat) return 0;  // both reject: nothing relates their reasons

  const auto violations = compat->strict_violations();
  FUZZ_CHECK_MSG(!violations.empty() || compat->violations_truncated(), both);
  if (!compat->violations_truncated()) {
    const stguard::ErrorCode code = strict.error().code;
    FUZZ_CHECK_MSG(std::any_of(violations.begin(), violations.end(),
                               [code](const stguard::Error& v) { return v.code == code; }),
                   both);
  }
  return 0;
}
