// Writing and joining sharded checkpoints.
//
// save_sharded splits a FileBuilder's tensors into shards of at most
// max_shard_bytes of tensor data each (in the order the tensors were added; a
// tensor larger than the maximum gets a shard of its own), and writes
//   <base>-00001-of-0000N.safetensors ... and <base>.safetensors.index.json
// Every shard is planned and validated before anything is written; all shards
// are written to temporary files first and only renamed into place once every
// one of them is complete; the index is renamed last. With replace_existing
// off (the default) nothing is ever overwritten, and a failure at any point
// removes everything this call created, so the folder is as it was.
//
// join_shards does the reverse: check_shard_index, then one canonical file
// with every tensor, streamed shard by shard from descriptors opened (and
// validated) once, in constant memory.
#pragma once

#include <cstdint>
#include <string>

#include "stguard/atomic_file.hpp"
#include "stguard/error.hpp"
#include "stguard/shard_index.hpp"
#include "stguard/writer.hpp"

namespace stguard {

struct ShardWriteOptions {
  // Most tensor data bytes in one shard (headers not counted, as transformers
  // counts). Must be at least 1.
  std::uint64_t max_shard_bytes = 5'000'000'000;
  // File names: <base_name>-0000i-of-0000n.safetensors and
  // <base_name>.safetensors.index.json; base_name must be a plain file name.
  std::string base_name = "model";
  // Off: refuse (io_write_failed) if any of the names already exists.
  // On: existing files of the same names are replaced one by one (each
  // atomically, the index last); a reader in between may see new shards with
  // the old index, which check_shard_index reports as inconsistent.
  bool replace_existing = false;
  // fsync each file and the folder.
  bool durable = true;
};

struct ShardedCheckpoint {
  ShardIndex index;
  std::string index_file;  // name of the index inside the folder
};

// Shard file name for shard `number` (1-based) of `count`: five digits at
// least, as transformers names them.
[[nodiscard]] std::string shard_file_name(const std::string& base_name, std::uint64_t number,
                                          std::uint64_t count);

// Writes `builder`'s tensors as a sharded checkpoint into `directory` (which
// must exist). Each shard carries the builder's metadata.
[[nodiscard]] Result<ShardedCheckpoint> save_sharded(const FileBuilder& builder, const std::string& directory,
                                                     const ShardWriteOptions& options = {}) noexcept;

// Joins the checkpoint described by `index_path` into one file at
// `output_path` (atomically). Shard metadata is merged: a key given different
// values by two shards is invalid_argument.
[[nodiscard]] Status join_shards(const std::string& index_path, const std::string& output_path,
                                 const ShardCheckOptions& check = {}, const AtomicWriteOptions& atomic = {}) noexcept;
// Same, streamed to a descriptor (stdout, a pipe).
[[nodiscard]] Status join_shards_to_fd(const std::string& index_path, int fd,
                                       const ShardCheckOptions& check = {}) noexcept;

}  // namespace stguard
