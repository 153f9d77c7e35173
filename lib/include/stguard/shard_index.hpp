// Sharded checkpoints: the index file (model.safetensors.index.json) and the
// check that a whole set of shards is what the index says.
//
//   {"metadata": {"total_size": <sum of tensor byte sizes>},
//    "weight_map": {"<tensor>": "<shard file name>", ...}}
//
// Two layers, as everywhere in stguard:
//   * parse_shard_index: hermetic (bytes in, ShardIndex or Error out; no I/O),
//     for untrusted JSON: strict RFC 8259, strict UTF-8, bounded depth and
//     counts, duplicate keys rejected after unescaping, shard names that are
//     plain file names in the index's own folder (a name can never reach
//     another folder, a URL or a device). A fuzz target drives it.
//   * check_shard_index: opens the index and every shard beside it, validates
//     each shard, and cross-checks: every tensor of the map is in the shard
//     named and in no other, no shard holds a tensor the map does not list,
//     and total_size, when present, equals the sum of the tensors' byte
//     sizes. st-shard check and st-audit both take an index's verdict from
//     this call, with the same ShardCheckOptions.
// Unknown top-level keys and unknown "metadata" keys (e.g. total_parameters)
// are accepted and ignored, as every loader ignores them; duplicates of any
// key at those levels are rejected.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

struct ShardIndexLimits {
  // Distinct shard files (index_too_many_shards). 100,000 shards of even 1 MB
  // is a 100 GB model split absurdly fine; more is an attack on the checker.
  std::uint64_t max_shards = 100'000;
  // weight_map entries (limit_tensor_count): ten strict-maximum shards' worth.
  std::uint64_t max_tensors = 10'000'000;
  // Bytes of one tensor name (limit_name_bytes), as strict's max_name_bytes.
  std::uint64_t max_name_bytes = 4096;
  // Bytes of one shard file name: NAME_MAX on every mainstream filesystem.
  std::uint64_t max_shard_name_bytes = 255;
  // JSON nesting, top-level object = 1 (limit_depth). The schema needs 2;
  // ignored values may nest a little.
  std::uint64_t max_depth = 32;
  // Bytes of the index file read by check_shard_index (index_invalid_json).
  std::uint64_t max_index_bytes = 100'000'000;
};

struct ShardIndexEntry {
  std::string tensor;
  std::uint32_t shard = 0;  // index into ShardIndex::shards
};

struct ShardIndex {
  // metadata.total_size (nullopt when absent).
  std::optional<std::uint64_t> total_size;
  // Distinct shard file names, sorted bytewise.
  std::vector<std::string> shards;
  // weight_map sorted by tensor name (bytewise), names distinct.
  std::vector<ShardIndexEntry> weight_map;

  // Binary search; nullptr when the tensor is not in the map.
  [[nodiscard]] const ShardIndexEntry* find(std::string_view tensor) const noexcept;
};

// Parses and checks an index. Errors: index_invalid_json (syntax, UTF-8,
// schema, duplicate keys or tensors, a total_size that is not a plain integer
// <= 2^53-1), index_bad_shard_name, index_too_many_shards, limit_depth,
// limit_tensor_count, limit_name_bytes, invalid_tensor_name (strict's rules).
// Offsets are byte positions in `json`.
[[nodiscard]] Result<ShardIndex> parse_shard_index(std::span<const std::uint8_t> json,
                                                   const ShardIndexLimits& limits = {}) noexcept;

// The rule for shard names: not empty, at most `max_bytes`, valid UTF-8, no
// '/', '\\', "..", ':' (URLs, schemes, drive letters), no C0/C1 control
// characters or DEL. Returns why not (nullopt when acceptable).
[[nodiscard]] std::optional<std::string> shard_name_problem(std::string_view name,
                                                            std::uint64_t max_bytes = 255) noexcept;

// The index as the writer emits it: two-space indentation, keys sorted,
// a final newline (the layout transformers uses). `index` must be
// well-formed (what parse_shard_index returns); parse_shard_index of the
// result gives `index` back.
[[nodiscard]] Result<std::string> serialize_shard_index(const ShardIndex& index) noexcept;

struct ShardCheckOptions {
  ShardIndexLimits limits;
  // How each shard is judged.
  Options shard_options = Options::strict();
  // metadata.total_size, as transformers and huggingface_hub write it, is the
  // sum of the byte sizes of all tensors in all shards. A present one that
  // differs is always index_total_size_mismatch (a stale or tampered index).
  // A missing one is accepted by default: other exporters omit it and no
  // loader needs it; true makes it index_total_size_mismatch too.
  bool require_total_size = false;
};

struct CheckedShardSet {
  ShardIndex index;
  std::vector<Header> shard_headers;  // parallel to index.shards
  std::uint64_t total_size = 0;       // sum of all tensors' byte sizes (saturated at 2^64 - 1)
};

// Reads the index at `index_path`, validates every shard in the same folder
// and cross-checks them. Errors: io_* for the index file itself, the parse
// errors above, index_shard_invalid (missing or invalid shard; the message
// names the shard and the shard's own error), index_tensor_missing,
// index_tensor_unlisted, index_tensor_elsewhere, index_total_size_mismatch.
// Shards are checked in name order and tensors in data order, so the same set
// always gives the same first error.
[[nodiscard]] Result<CheckedShardSet> check_shard_index(const std::string& index_path,
                                                        const ShardCheckOptions& options = {}) noexcept;

}  // namespace stguard
