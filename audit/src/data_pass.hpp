// The data pass: the one part of the audit that reads tensor bytes. It
// computes, in parallel, the SHA-256 of whole tensors, their value
// statistics, and the SHA-256 of the whole file.
//
// Work is split by byte ranges: each tensor is one unit (a SHA-256 chain
// cannot be split without changing the digest), taken in data order from a
// shared counter by a pool of threads sized by hardware_concurrency, so the
// pool walks the file front to back and reads stay close together. The
// whole-file digest is one more chain: a dedicated thread streams the file
// once from start to end, in parallel with the tensor workers. Each thread
// reads through its own bounded buffer (kChunkBytes); nothing is sized from
// a tensor's length. Progress is reported from the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "byte_source.hpp"
#include "stguard/audit.hpp"
#include "stguard/dtype.hpp"
#include "value_scan.hpp"

namespace stguard::audit::detail {

// 1 MiB: a multiple of every element size, large enough that syscalls and
// hashing set-up vanish, small enough for a buffer per thread.
inline constexpr std::size_t kChunkBytes = std::size_t{1} << 20U;

struct TensorTask {
  std::uint64_t file_offset = 0;
  std::uint64_t byte_size = 0;
  Dtype dtype = Dtype::U8;
  bool hash = false;
  bool scan = false;
};

struct TensorOutcome {
  std::optional<Sha256Digest> sha256;
  ValueStats stats;
};

struct DataPassRequest {
  const ByteSource* source = nullptr;
  std::vector<TensorTask> tasks;
  bool file_digest = false;
  unsigned threads = 0;  // 0 = hardware_concurrency
  const std::function<void(const Progress&)>* progress = nullptr;
};

struct DataPassResult {
  std::vector<TensorOutcome> tensors;  // parallel to the tasks
  std::optional<Sha256Digest> file_sha256;
};

// An error when a read fails (the file changed or vanished), libcrypto fails,
// or memory runs out; never a partial result.
[[nodiscard]] Result<DataPassResult> run_data_pass(const DataPassRequest& request) noexcept;

}  // namespace stguard::audit::detail
