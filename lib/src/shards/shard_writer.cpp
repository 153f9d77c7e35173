// Sharded writing and joining (shard_writer.hpp). Writing is two-phase so a
// failure never leaves a mixed set: (1) plan and validate every shard and the
// index; (2) write each to a temporary file beside its target, verify it on
// disk, sync and close it; (3) only then rename the shards into place and the
// index last. Any failure before (3) removes every temporary file; a failure
// during (3) with replace_existing off also removes the shards this call
// already renamed (they did not exist before: the rename refused to replace).
#include "stguard/shard_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <new>
#include <string>

#include "io/writer_io.hpp"
#include "shards/shard_internal.hpp"
#include "stguard/escape.hpp"
#include "stguard/stream_writer.hpp"
#include "writer/writer_internal.hpp"

namespace stguard {
namespace {

std::string index_file_name(const std::string& base_name) { return base_name + ".safetensors.index.json"; }

struct PlannedShard {
  std::string name;
  HeaderSpec spec;
  std::vector<detail::TensorSource> sources;
  SerializedHeader header;
};

// Temporary and published files of one save_sharded call, removed on failure.
class ShardCleanup {
 public:
  explicit ShardCleanup(int dir_fd) noexcept : dir_fd_(dir_fd) {}
  ShardCleanup(const ShardCleanup&) = delete;
  ShardCleanup& operator=(const ShardCleanup&) = delete;
  ~ShardCleanup() {
    if (done_) return;
    for (const std::string& name : temporaries_) detail::writer_io::remove_quietly(dir_fd_, name);
    for (const std::string& name : published_) detail::writer_io::remove_quietly(dir_fd_, name);
  }
  void add_temporary(const std::string& name) { temporaries_.push_back(name); }
  // `temp` became `target`: only remove it on failure if it is ours alone.
  void published(const std::string& temp, const std::string& target, bool ours) {
    const auto it = std::find(temporaries_.begin(), temporaries_.end(), temp);
    if (it != temporaries_.end()) temporaries_.erase(it);
    if (ours) published_.push_back(target);
  }
  void keep() noexcept { done_ = true; }

 private:
  int dir_fd_;
  std::vector<std::string> temporaries_;
  std::vector<std::string> published_;
  bool done_ = false;
};

Status write_temporary(int dir_fd, const std::string& target, ShardCleanup& cleanup, bool durable,
                       const std::function<Status(ByteSink&, int)>& fill, std::string& temp_name) {
  auto temp = detail::writer_io::create_temp_file(dir_fd, target);
  if (!temp) return std::move(temp).error();
  temp_name = temp->name;
  cleanup.add_temporary(temp_name);
  FdSink sink(temp->fd.get());
  if (Status status = fill(sink, temp->fd.get()); !status) return status;
  return detail::writer_io::sync_and_close(temp->fd, durable);
}

Status check_shard_options(const ShardWriteOptions& options) {
  if (options.max_shard_bytes == 0) return make_error(ErrorCode::invalid_argument, "max_shard_bytes must be at least 1");
  // The longest name this call can make: base + "-NNNNNN-of-NNNNNN.safetensors".
  if (auto problem = shard_name_problem(options.base_name + "-000000-of-000000.safetensors")) {
    return make_error(ErrorCode::invalid_argument, "base_name " + quote_for_display(options.base_name) + ": " + *problem);
  }
  return {};
}

// Phase 1: every tensor's size (and every per-tensor rule), then the greedy
// split in insertion order, as transformers splits a state dict.
Result<std::vector<std::vector<std::size_t>>> split_into_groups(const detail::ResolvedFile& all,
                                                                const FileBuilder& builder,
                                                                const ShardWriteOptions& options,
                                                                std::vector<std::uint64_t>& sizes) {
  sizes.assign(all.spec.tensors.size(), 0);
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    auto size = checked_tensor_byte_size(all.spec.tensors[i], builder.options());
    if (!size) return std::move(size).error();
    sizes[i] = *size;
  }
  std::vector<std::vector<std::size_t>> groups;
  std::uint64_t group_bytes = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    std::uint64_t grown = 0;
    const bool overflow = __builtin_add_overflow(group_bytes, sizes[i], &grown);
    if (groups.empty() || (!groups.back().empty() && (overflow || grown > options.max_shard_bytes))) {
      groups.emplace_back();
      grown = sizes[i];
    }
    groups.back().push_back(i);
    group_bytes = grown;
  }
  const ShardIndexLimits index_limits;
  if (groups.size() > index_limits.max_shards) {
    return make_error(ErrorCode::invalid_argument, "the split needs " + std::to_string(groups.size()) +
                                                       " shards, more than a checker accepts (" +
                                                       std::to_string(index_limits.max_shards) +
                                                       "); raise max_shard_bytes");
  }
  return groups;
}

struct ShardSetPlan {
  std::vector<PlannedShard> shards;
  ShardIndex index;
  std::string index_json;
};

// Phase 2: every shard's header serialised and validated, and the index,
// read back as written. Nothing touches the filesystem yet.
Result<ShardSetPlan> plan_shard_set(const detail::ResolvedFile& all, const FileBuilder& builder,
                                    const ShardWriteOptions& options,
                                    const std::vector<std::vector<std::size_t>>& groups,
                                    const std::vector<std::uint64_t>& sizes) {
  ShardSetPlan plan;
  plan.shards.resize(groups.size());
  std::uint64_t total = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    PlannedShard& shard = plan.shards[g];
    shard.name = shard_file_name(options.base_name, g + 1, groups.size());
    shard.spec.metadata = all.spec.metadata;
    for (const std::size_t i : groups[g]) {
      shard.spec.tensors.push_back(all.spec.tensors[i]);
      shard.sources.push_back(all.sources[i]);
      plan.index.weight_map.push_back(ShardIndexEntry{all.spec.tensors[i].name, static_cast<std::uint32_t>(g)});
      if (__builtin_add_overflow(total, sizes[i], &total) || total > kMaxSafeInteger) {
        return make_error(ErrorCode::invalid_argument, "the checkpoint holds more than 2^53 - 1 bytes of tensors");
      }
    }
    auto header = serialize_header(shard.spec, builder.options());
    if (!header) return std::move(header).error();
    shard.header = std::move(header).value();
    plan.index.shards.push_back(shard.name);
  }
  plan.index.total_size = total;
  std::sort(plan.index.weight_map.begin(), plan.index.weight_map.end(),
            [](const ShardIndexEntry& a, const ShardIndexEntry& b) { return a.tensor < b.tensor; });
  auto index_json = serialize_shard_index(plan.index);
  if (!index_json) return std::move(index_json).error();
  plan.index_json = std::move(index_json).value();
  // Defence in depth: the index must read back as written.
  auto reread = parse_shard_index(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(plan.index_json.data()), plan.index_json.size()));
  if (!reread || reread->shards != plan.index.shards || reread->weight_map.size() != plan.index.weight_map.size() ||
      reread->total_size != plan.index.total_size) {
    return make_error(ErrorCode::internal_error, "the writer's index does not read back as written");
  }
  return plan;
}

// Phase 3 (replace_existing off): an early, friendly refusal of names that
// exist; the rename enforces it again without a race.
Status refuse_existing(int dir_fd, const std::string& index_name, const std::vector<PlannedShard>& shards) {
  const auto exists = [dir_fd](const std::string& name) {
    struct stat info {};
    return ::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
  };
  if (exists(index_name)) {
    return make_error(ErrorCode::io_write_failed, quote_for_display(index_name) + " already exists (not replacing it)");
  }
  for (const PlannedShard& shard : shards) {
    if (exists(shard.name)) {
      return make_error(ErrorCode::io_write_failed, quote_for_display(shard.name) + " already exists (not replacing it)");
    }
  }
  return {};
}

// Phase 4: every shard, then the index, complete in a temporary file beside
// its target (each shard re-validated on disk), synced and closed.
Status write_temporaries(int dir_fd, ShardSetPlan& plan, const std::string& index_name, const ShardWriteOptions& options,
                         ShardCleanup& cleanup, std::vector<std::string>& temp_names, std::string& index_temp) {
  temp_names.assign(plan.shards.size(), {});
  for (std::size_t g = 0; g < plan.shards.size(); ++g) {
    PlannedShard& shard = plan.shards[g];
    const Header planned = shard.header.header;
    const auto fill = [&](ByteSink& sink, int fd) -> Status {
      if (Status status = detail::write_file(sink, shard.spec, std::move(shard.header), shard.sources); !status) {
        return status;
      }
      return detail::verify_written_file(fd, planned);
    };
    if (Status status = write_temporary(dir_fd, shard.name, cleanup, options.durable, fill, temp_names[g]); !status) {
      Error error = status.error();
      error.message = "shard " + quote_for_display(shard.name) + ": " + error.message;
      return error;
    }
  }
  const auto fill_index = [&](ByteSink& sink, int) -> Status {
    return sink.write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(plan.index_json.data()),
                                                    plan.index_json.size()));
  };
  return write_temporary(dir_fd, index_name, cleanup, options.durable, fill_index, index_temp);
}

// Phase 5: the shards renamed into place, the index last.
Status publish_all(int dir_fd, const ShardSetPlan& plan, const std::vector<std::string>& temp_names,
                   const std::string& index_temp, const std::string& index_name, const ShardWriteOptions& options,
                   ShardCleanup& cleanup) {
  for (std::size_t g = 0; g < plan.shards.size(); ++g) {
    const std::string& name = plan.shards[g].name;
    if (Status status = detail::writer_io::publish_file(dir_fd, temp_names[g], name, options.replace_existing);
        !status) {
      Error error = status.error();
      error.message = "shard " + quote_for_display(name) + ": " + error.message;
      return error;
    }
    cleanup.published(temp_names[g], name, !options.replace_existing);
  }
  return detail::writer_io::publish_file(dir_fd, index_temp, index_name, options.replace_existing);
}

Result<ShardedCheckpoint> save(const FileBuilder& builder, const std::string& directory,
                               const ShardWriteOptions& options) {
  if (Status status = check_shard_options(options); !status) return status.error();
  auto resolved = detail::FileBuilderAccess::resolve(builder);
  if (!resolved) return std::move(resolved).error();
  const detail::ResolvedFile& all = resolved.value();
  if (all.spec.tensors.empty()) return make_error(ErrorCode::invalid_argument, "nothing to shard: no tensors");

  std::vector<std::uint64_t> sizes;
  auto groups = split_into_groups(all, builder, options, sizes);
  if (!groups) return std::move(groups).error();
  auto plan = plan_shard_set(all, builder, options, *groups, sizes);
  if (!plan) return std::move(plan).error();

  auto dir = detail::writer_io::open_directory(directory);
  if (!dir) return std::move(dir).error();
  const std::string index_name = index_file_name(options.base_name);
  if (!options.replace_existing) {
    if (Status status = refuse_existing(dir->get(), index_name, plan->shards); !status) return status.error();
  }

  ShardCleanup cleanup(dir->get());
  std::vector<std::string> temp_names;
  std::string index_temp;
  if (Status status = write_temporaries(dir->get(), *plan, index_name, options, cleanup, temp_names, index_temp);
      !status) {
    return status.error();
  }
  if (Status status = publish_all(dir->get(), *plan, temp_names, index_temp, index_name, options, cleanup); !status) {
    return status.error();
  }
  cleanup.keep();
  if (options.durable) {
    if (Status status = detail::writer_io::sync_directory(dir->get()); !status) return status.error();
  }
  ShardedCheckpoint result;
  result.index = std::move(plan->index);
  result.index_file = index_name;
  return result;
}

// Opens and checks the set, then builds one FileBuilder whose producers read
// each tensor from the descriptor that was validated.
Status join(const std::string& index_path, const ShardCheckOptions& check,
            const std::function<Status(const FileBuilder&)>& save) {
  std::vector<UniqueFd> fds;
  auto set = detail::check_shard_set(index_path, check, &fds);
  if (!set) return std::move(set).error();
  std::map<std::string, std::pair<std::string, std::size_t>> metadata;  // key -> (value, first shard)
  for (std::size_t s = 0; s < set->shard_headers.size(); ++s) {
    for (const MetadataEntry& entry : set->shard_headers[s].metadata()) {
      const auto [it, inserted] = metadata.try_emplace(entry.key, entry.value, s);
      if (!inserted && it->second.first != entry.value) {
        return make_error(ErrorCode::invalid_argument,
                          "metadata key " + quote_for_display(entry.key) + " differs between shards " +
                              quote_for_display(set->index.shards[it->second.second]) + " and " + quote_for_display(set->index.shards[s]));
      }
    }
  }
  FileBuilder builder;
  for (const auto& [key, value] : metadata) {
    if (Status status = builder.set_metadata(key, value.first); !status) return status;
  }
  for (std::size_t s = 0; s < set->shard_headers.size(); ++s) {
    const Header& header = set->shard_headers[s];
    for (const TensorInfo& tensor : header.tensors()) {
      Status status = builder.add_tensor(tensor.name, tensor.dtype, tensor.shape,
                                         file_region_producer(fds[s].get(), header.data_offset() + tensor.begin,
                                                              tensor.byte_size()));
      if (!status) return status;
    }
  }
  return save(builder);
}

}  // namespace

std::string shard_file_name(const std::string& base_name, std::uint64_t number, std::uint64_t count) {
  const std::string total = std::to_string(count);
  const std::size_t width = std::max<std::size_t>(5, total.size());
  const auto padded = [width](std::uint64_t value) {
    std::string digits = std::to_string(value);
    return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
  };
  return base_name + "-" + padded(number) + "-of-" + padded(count) + ".safetensors";
}

Result<ShardedCheckpoint> save_sharded(const FileBuilder& builder, const std::string& directory,
                                       const ShardWriteOptions& options) noexcept {
  return with_path(detail::without_exceptions([&]() -> Result<ShardedCheckpoint> {
    return save(builder, directory, options);
  }),
                   directory);
}

Status join_shards(const std::string& index_path, const std::string& output_path, const ShardCheckOptions& check,
                   const AtomicWriteOptions& atomic) noexcept {
  return with_path(detail::without_exceptions([&]() -> Status {
                     return join(index_path, check, [&](const FileBuilder& builder) -> Status {
                       Status saved = builder.save_to_path(output_path, atomic);
                       if (saved) return saved;
                       // Name the output, so a caller can tell its errors from the index's
                       // (its path is the context: with_path keeps a path already set).
                       Error error = saved.error();
                       error.message = "output " + quote_for_display(output_path) + ": " + std::string(error.text());
                       return error;
                     });
                   }),
                   index_path);
}

Status join_shards_to_fd(const std::string& index_path, int fd, const ShardCheckOptions& check) noexcept {
  return with_path(detail::without_exceptions([&]() -> Status {
                     return join(index_path, check, [&](const FileBuilder& builder) { return builder.save_to_fd(fd); });
                   }),
                   index_path);
}

}  // namespace stguard
