// Integrity digests: SHA-256 of a whole file (equal to `sha256sum`) and of
// each tensor's bytes, as the audit's data pass computes them.
//
// These are plain values; computing them is an option of the audit
// (AuditOptions::compute_digests), so one pass over the data serves digests,
// value checks and the tied-weight rule together. audit_manifest.hpp turns
// them into a manifest file and compares two of them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/dtype.hpp"

namespace stguard::audit {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Lowercase hex, 64 characters (the form sha256sum prints).
[[nodiscard]] std::string to_hex(const Sha256Digest& digest);
// Exactly 64 hex digits (either case); nullopt otherwise.
[[nodiscard]] std::optional<Sha256Digest> digest_from_hex(std::string_view hex) noexcept;
// One-shot SHA-256 of a buffer (for tests and small inputs); nullopt only if
// libcrypto fails.
[[nodiscard]] std::optional<Sha256Digest> sha256(std::span<const std::uint8_t> bytes) noexcept;

struct TensorDigest {
  std::string name;                  // raw (escape before display)
  Dtype dtype = Dtype::U8;
  std::vector<std::uint64_t> shape;
  std::uint64_t byte_size = 0;
  std::uint64_t file_offset = 0;     // 8 + N + begin
  Sha256Digest sha256{};
};

struct FileDigests {
  std::uint64_t file_size = 0;
  Sha256Digest file_sha256{};
  // In the file's data order (by offset, ties by name).
  std::vector<TensorDigest> tensors;
};

}  // namespace stguard::audit
