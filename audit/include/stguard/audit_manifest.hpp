// Digest manifests: a JSON record of a file's SHA-256 and of every tensor's
// (name, dtype, shape, size, digest), written by `st-audit --manifest` and
// checked by `st-audit --verify`.
//
//   {"manifest": "stguard-digests", "version": 1, "algorithm": "sha256",
//    "file": {"size": 1234, "sha256": "<64 hex>"},
//    "tensors": [{"name": "w", "dtype": "F32", "shape": [2, 3],
//                 "offset": 128, "size": 24, "sha256": "<64 hex>"}, ...]}
//
// A manifest to verify against is untrusted input like any model file: the
// parser bounds its size, its counts and its nesting, rejects unknown and
// repeated keys, and accepts only plain integers and exact hex digests.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stguard/audit_digest.hpp"
#include "stguard/error.hpp"

namespace stguard::audit {

struct ManifestLimits {
  // Bytes of the manifest file: ~200 bytes per tensor, so 256 MiB covers a
  // million tensors with long names.
  std::uint64_t max_bytes = 256ULL << 20U;
  std::uint64_t max_tensors = 10'000'000;
  std::uint64_t max_name_bytes = 65'536;
  std::uint64_t max_rank = 1024;
};

// Pretty-printed JSON with a final newline; names escaped per RFC 8259.
[[nodiscard]] std::string serialize_manifest(const FileDigests& digests);

// Parses a manifest. Errors: invalid_argument with a message saying what is
// wrong (and the byte offset for JSON syntax errors).
[[nodiscard]] Result<FileDigests> parse_manifest(std::span<const std::uint8_t> json,
                                                 const ManifestLimits& limits = {}) noexcept;

// Reads and parses the manifest at `path` (io_* errors for the file itself).
[[nodiscard]] Result<FileDigests> read_manifest(const std::string& path, const ManifestLimits& limits = {}) noexcept;

struct TensorDifference {
  enum class Kind : std::uint8_t {
    bytes_changed,   // same name, different digest or size
    layout_changed,  // same bytes, different dtype or shape (a moved tensor is not a change)
    missing,         // in the manifest, not in the file
    extra,           // in the file, not in the manifest
  };
  Kind kind = Kind::bytes_changed;
  std::string tensor;  // raw
  std::string detail;  // escaped for display
};

[[nodiscard]] std::string_view difference_kind_name(TensorDifference::Kind kind) noexcept;

struct VerifyResult {
  bool file_size_matches = false;
  bool file_digest_matches = false;
  std::vector<TensorDifference> differences;  // sorted by tensor name

  [[nodiscard]] bool ok() const noexcept { return file_size_matches && file_digest_matches && differences.empty(); }
};

// Compares what a file holds now (`actual`) with a manifest (`expected`):
// every tensor whose bytes, dtype or shape differ, and every tensor
// missing from or added to the file. Linear after sorting by name.
[[nodiscard]] VerifyResult compare_digests(const FileDigests& expected, const FileDigests& actual);

}  // namespace stguard::audit
