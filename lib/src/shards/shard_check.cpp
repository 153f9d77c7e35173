// The shard set checker: reads the index (bounded), parses it hermetically,
// then opens each shard relative to the index's folder (openat on one folder
// descriptor, so no name is ever resolved against another folder), validates
// it, and cross-checks the tensors against the weight map. Lookups are binary
// searches over the sorted map; the walk is linear in the tensors.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>
#include <string>

#include "shards/shard_internal.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/shard_index.hpp"

namespace stguard {
namespace {

// Descriptors a join may hold at once: the soft limit less a margin for the
// output, the folder, standard streams and whatever the caller has open.
std::uint64_t descriptor_budget() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1u << 20;
  return limit.rlim_cur > 64 ? limit.rlim_cur - 64 : 0;
}

Result<std::vector<std::uint8_t>> read_index_file(int dir_fd, const std::string& name, std::uint64_t max_bytes) {
  const int raw = ::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (raw < 0) return make_error(ErrorCode::io_open_failed, detail::errno_message("cannot open the index", errno));
  UniqueFd fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return make_error(ErrorCode::io_read_failed, detail::errno_message("cannot stat the index", errno));
  }
  if (!S_ISREG(info.st_mode)) return make_error(ErrorCode::io_not_regular_file, "the index is not a regular file");
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > max_bytes) {
    return make_error(ErrorCode::index_invalid_json, "the index is " + std::to_string(size) +
                                                         " bytes, more than max_index_bytes (" +
                                                         std::to_string(max_bytes) + ")");
  }
  // The size is bounded by the limit now, so this allocation is too.
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  if (Status status = pread_exact(fd.get(), 0, bytes.data(), bytes.size()); !status) return status.error();
  return bytes;
}

Result<CheckedShardSet> check(const std::string& index_path, const ShardCheckOptions& options,
                              std::vector<UniqueFd>* keep_open) {
  auto split = detail::writer_io::split_path(index_path);
  if (!split) return std::move(split).error();
  auto dir = detail::writer_io::open_directory(split->directory);
  if (!dir) return std::move(dir).error();
  auto json = read_index_file(dir->get(), split->name, options.limits.max_index_bytes);
  if (!json) return std::move(json).error();
  auto parsed = parse_shard_index(json.value(), options.limits);
  if (!parsed) return std::move(parsed).error();
  std::vector<std::uint8_t>().swap(json.value());

  CheckedShardSet set;
  set.index = std::move(parsed).value();
  const ShardIndex& index = set.index;
  if (keep_open != nullptr && index.shards.size() > descriptor_budget()) {
    return make_error(ErrorCode::invalid_argument,
                      "joining needs all " + std::to_string(index.shards.size()) +
                          " shards open at once, more than the open-file limit allows (raise ulimit -n)");
  }
  detail::ShardSetJudge judge(set, options);
  for (std::size_t s = 0; s < index.shards.size(); ++s) {
    const std::string& shard = index.shards[s];
    const int raw = ::openat(dir->get(), shard.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (raw < 0) {
      return judge.add(make_error(ErrorCode::io_open_failed, detail::errno_message("cannot open", errno))).error();
    }
    UniqueFd fd(raw);
    if (Status status = judge.add(validate_fd(fd.get(), options.shard_options)); !status) return status.error();
    if (keep_open != nullptr) keep_open->push_back(std::move(fd));
  }
  if (Status status = judge.finish(); !status) return status.error();
  return set;
}

}  // namespace

namespace detail {

ShardSetJudge::ShardSetJudge(CheckedShardSet& set, const ShardCheckOptions& options)
    : set_(set), options_(options), found_(set.index.weight_map.size(), false) {
  set_.shard_headers.reserve(set_.index.shards.size());
}

Status ShardSetJudge::add(Result<Header> shard_header) {
  const ShardIndex& index = set_.index;
  const std::size_t s = set_.shard_headers.size();
  if (s >= index.shards.size()) return make_error(ErrorCode::internal_error, "more shard verdicts than shards");
  const std::string& shard = index.shards[s];
  if (!shard_header) {
    const Error& cause = shard_header.error();
    return make_error(ErrorCode::index_shard_invalid,
                      "shard " + quote_for_display(shard) + ": [" + std::string(error_code_name(cause.code)) + "] " +
                          cause.message,
                      cause.offset, cause.tensor);
  }
  for (const TensorInfo& tensor : shard_header->tensors()) {
    const ShardIndexEntry* entry = index.find(tensor.name);
    if (entry == nullptr) {
      return make_error(ErrorCode::index_tensor_unlisted,
                        "shard " + quote_for_display(shard) + " holds tensor " + quote_for_display(tensor.name) +
                            ", which weight_map does not list",
                        kNoOffset, tensor.name);
    }
    if (entry->shard != s) {
      return make_error(ErrorCode::index_tensor_elsewhere,
                        "tensor " + quote_for_display(tensor.name) + " is in shard " + quote_for_display(shard) +
                            ", but weight_map puts it in " + quote_for_display(index.shards[entry->shard]),
                        kNoOffset, tensor.name);
    }
    found_[static_cast<std::size_t>(entry - index.weight_map.data())] = true;
    total_overflowed_ = total_overflowed_ || __builtin_add_overflow(total_, tensor.byte_size(), &total_);
  }
  set_.shard_headers.push_back(std::move(shard_header).value());
  return {};
}

Status ShardSetJudge::finish() {
  const ShardIndex& index = set_.index;
  for (std::size_t k = 0; k < index.weight_map.size(); ++k) {
    if (found_[k]) continue;
    const ShardIndexEntry& entry = index.weight_map[k];
    return make_error(ErrorCode::index_tensor_missing,
                      "weight_map puts tensor " + quote_for_display(entry.tensor) + " in shard " +
                          quote_for_display(index.shards[entry.shard]) + ", which does not hold it",
                      kNoOffset, entry.tensor);
  }
  if (!index.total_size) {
    if (options_.require_total_size) {
      return make_error(ErrorCode::index_total_size_mismatch,
                        "the index has no metadata.total_size, and this check requires one");
    }
  } else if (total_overflowed_ || *index.total_size != total_) {
    return make_error(ErrorCode::index_total_size_mismatch,
                      "metadata.total_size is " + std::to_string(*index.total_size) + ", the shards' tensors hold " +
                          (total_overflowed_ ? std::string("more than 2^64") : std::to_string(total_)) + " bytes");
  }
  set_.total_size = total_overflowed_ ? ~std::uint64_t{0} : total_;  // saturated
  return {};
}

Result<CheckedShardSet> check_shard_set(const std::string& index_path, const ShardCheckOptions& options,
                                        std::vector<UniqueFd>* keep_open) noexcept {
  return detail::without_exceptions([&]() -> Result<CheckedShardSet> {
    return check(index_path, options, keep_open);
  });
}

}  // namespace detail

Result<CheckedShardSet> check_shard_index(const std::string& index_path, const ShardCheckOptions& options) noexcept {
  return with_path(detail::check_shard_set(index_path, options, nullptr), index_path);
}

}  // namespace stguard
