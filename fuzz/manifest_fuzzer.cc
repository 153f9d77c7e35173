// manifest: the digest-manifest parser (st-audit --verify reads manifests
// that may come from anywhere). Checks that no input crashes it, that every
// error is invalid_argument, and that an accepted manifest survives
// serialize -> parse unchanged (names, dtypes, shapes, sizes, digests).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_support.hpp"
#include "stguard/audit_manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stguard::audit::ManifestLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_tensors = 10'000;
  const auto parsed = stguard::audit::parse_manifest(std::span<const std::uint8_t>(data, size), limits);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == stguard::ErrorCode::invalid_argument ||
               parsed.error().code == stguard::ErrorCode::out_of_memory);
    return 0;
  }
  const std::string text = stguard::audit::serialize_manifest(*parsed);
  const auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  const auto again = stguard::audit::parse_manifest(bytes, limits);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->file_size == parsed->file_size && again->file_sha256 == parsed->file_sha256);
  FUZZ_CHECK(again->tensors.size() == parsed->tensors.size());
  for (std::size_t i = 0; i < parsed->tensors.size(); ++i) {
    const auto& a = parsed->tensors[i];
    const auto& b = again->tensors[i];
    FUZZ_CHECK(a.name == b.name && a.dtype == b.dtype && a.shape == b.shape && a.byte_size == b.byte_size &&
               a.file_offset == b.file_offset && a.sha256 == b.sha256);
  }
  return 0;
}
