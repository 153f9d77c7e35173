// Shared by the shard checker and the joiner: the check that can hand back
// the shard descriptors it validated, so that joining reads exactly the files
// that were checked (no second open by name in between).
#pragma once

#include <string>
#include <vector>

#include "io/writer_io.hpp"
#include "stguard/shard_index.hpp"

namespace stguard::detail {

// check_shard_index; when `keep_open` is given, it receives one open
// descriptor per shard (parallel to index.shards) instead of closing them.
[[nodiscard]] Result<CheckedShardSet> check_shard_set(const std::string& index_path, const ShardCheckOptions& options,
                                                      std::vector<writer_io::UniqueFd>* keep_open) noexcept;

}  // namespace stguard::detail
