// check_shard_index_url (remote.hpp): a sharded checkpoint behind a URL. The
// index is fetched whole (at most max_index_bytes), every shard it names is
// resolved against the index URL and validated with RemoteFile::open on a
// bounded number of connections at once, and the verdicts are judged in
// shard order by the same ShardSetJudge as local sets, so a remote set and
// the same files on disk give the same first error.
#include <algorithm>
#include <atomic>
#include <new>
#include <optional>
#include <system_error>
#include <thread>

#include "remote/transport.hpp"
#include "shards/shard_internal.hpp"
#include "stguard/escape.hpp"
#include "stguard/remote.hpp"

namespace stguard::remote {
namespace {

using detail::Clock;

// Keeps every byte of the answer (the parser bounds them by the budget).
class WholeCollector final : public detail::BodyConsumer {
 public:
  explicit WholeCollector(std::vector<std::uint8_t>& bytes) : bytes_(bytes) {}
  bool take(std::uint64_t offset, std::span<const std::uint8_t> chunk, std::optional<std::uint64_t>) override {
    if (offset != bytes_.size()) throw detail::BodyRefused{};
    bytes_.insert(bytes_.end(), chunk.begin(), chunk.end());
    return true;
  }

 private:
  std::vector<std::uint8_t>& bytes_;
};

Result<std::vector<std::uint8_t>> fetch_index(const std::string& url, std::uint64_t max_index_bytes,
                                              const RemoteOptions& remote) {
  auto connection = detail::Connection::create(url, remote);
  if (!connection) return std::move(connection).error();
  const std::uint64_t limit = std::min(max_index_bytes, remote.max_bytes);
  detail::RangeRequest request;
  request.first = 0;
  request.last = limit;  // one byte more than allowed: a larger index shows it
  request.whole_body_allowed = true;
  request.body_budget = limit + 1;
  std::vector<std::uint8_t> bytes;
  WholeCollector collector(bytes);
  TransferStats stats;
  auto answer = (*connection)->get(request, collector, Clock::now() + remote.total_timeout, stats);
  if (!answer) {
    // A whole-body answer larger than the budget is an index that is too large.
    if (answer.error().code != ErrorCode::network_body_too_large || limit != max_index_bytes) {
      return std::move(answer).error();
    }
  }
  if (!answer || answer->file_size > max_index_bytes) {
    return make_error(ErrorCode::index_invalid_json,
                      "the index is more than max_index_bytes (" + std::to_string(max_index_bytes) + ") bytes");
  }
  return bytes;
}

}  // namespace

Result<CheckedShardSet> check_shard_index_url(const std::string& index_url, const ShardCheckOptions& options,
                                              const RemoteOptions& remote, unsigned connections) noexcept {
  return detail::guarded_entry([&]() -> Result<CheckedShardSet> {
    auto json = fetch_index(index_url, options.limits.max_index_bytes, remote);
    if (!json) return std::move(json).error();
    auto parsed = parse_shard_index(*json, options.limits);
    if (!parsed) return std::move(parsed).error();
    CheckedShardSet set;
    set.index = std::move(parsed).value();
    const std::vector<std::string>& shards = set.index.shards;

    std::vector<std::string> urls;
    urls.reserve(shards.size());
    for (const std::string& shard : shards) {
      auto url = detail::resolve_file_name(index_url, shard);
      if (!url) return std::move(url).error();
      urls.push_back(std::move(url).value());
    }
    // Workers take the next shard until none is left; results stay in shard order.
    std::vector<std::optional<Result<Header>>> verdicts(shards.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> out_of_memory{false};
    const auto work = [&]() noexcept {
      for (std::size_t s = next++; s < urls.size(); s = next++) {
        try {
          verdicts[s].emplace(validate_url(urls[s], options.shard_options, remote));
        } catch (...) {
          out_of_memory = true;  // storing the verdict failed
        }
      }
    };
    const auto workers = static_cast<unsigned>(
        std::min<std::size_t>(std::max(1u, connections), std::max<std::size_t>(1, shards.size())));
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (unsigned w = 1; w < workers; ++w) {
      try {
        pool.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // fewer threads than asked: the ones running (and this one) share the shards
      }
    }
    work();
    for (std::thread& thread : pool) thread.join();
    if (out_of_memory) return out_of_memory_error();

    stguard::detail::ShardSetJudge judge(set, options);
    for (std::size_t s = 0; s < shards.size(); ++s) {
      Result<Header>& verdict = *verdicts[s];
      // Could not fetch: a network error of its own (exit 2), not an invalid set.
      if (!verdict.ok() && (verdict.error().error_class() == ErrorClass::network ||
                            verdict.error().code == ErrorCode::invalid_argument)) {
        const Error& cause = verdict.error();
        return make_error(cause.code, "shard " + quote_for_display(shards[s]) + ": " + cause.message);
      }
      if (Status status = judge.add(std::move(verdict)); !status) return status.error();
    }
    if (Status status = judge.finish(); !status) return status.error();
    return set;
  });
}

}  // namespace stguard::remote
