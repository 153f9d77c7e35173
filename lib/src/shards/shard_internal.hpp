// Shared by the shard checker and the joiner: the check that can hand back
// the shard descriptors it validated, so that joining reads exactly the files
// that were checked (no second open by name in between).
#pragma once

#include <string>
#include <vector>

#include "io/writer_io.hpp"
#include "stguard/shard_index.hpp"

namespace stguard::detail {

// The cross-checks of a shard set, fed one shard verdict at a time in shard
// order (index.shards): a shard's own error, then a tensor the map does not
// list or puts elsewhere; finish() adds the tensors the map lists that no
// shard held, and total_size. Whoever fetches the shards (files here, URLs in
// lib/src/remote, in parallel) gets the same first error for the same set.
class ShardSetJudge {
 public:
  // `set.index` is the parsed index; shard headers are appended to `set`.
  ShardSetJudge(CheckedShardSet& set, const ShardCheckOptions& options);
  [[nodiscard]] Status add(Result<Header> shard_header);
  [[nodiscard]] Status finish();

 private:
  CheckedShardSet& set_;
  const ShardCheckOptions& options_;
  std::vector<bool> found_;  // parallel to index.weight_map
  std::uint64_t total_ = 0;
  bool total_overflowed_ = false;  // only a total_size that is present can be wrong
};

// check_shard_index; when `keep_open` is given, it receives one open
// descriptor per shard (parallel to index.shards) instead of closing them.
[[nodiscard]] Result<CheckedShardSet> check_shard_set(const std::string& index_path, const ShardCheckOptions& options,
                                                      std::vector<UniqueFd>* keep_open) noexcept;

}  // namespace stguard::detail
