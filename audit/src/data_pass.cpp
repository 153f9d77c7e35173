// The parallel data pass (see data_pass.hpp for the plan).
#include "data_pass.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#include "sha256.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::chrono_literals;

// Shared state of one pass. Workers only touch atomics, their own outcome
// slot, and the first-error slot under its mutex.
class PassState {
 public:
  PassState(const DataPassRequest& request, DataPassResult& result) : request_(request), result_(result) {}

  [[nodiscard]] bool stopped() const noexcept { return stop_.load(std::memory_order_relaxed); }

  void fail(Error error) {
    const std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(error);
    stop_.store(true, std::memory_order_relaxed);
  }

  void worker_done() {
    const std::lock_guard lock(mutex_);
    ++finished_;
    changed_.notify_all();
  }

  // Waits for `workers` to finish, reporting progress meanwhile (the
  // callback runs on this, the calling, thread only).
  void wait_for_workers(std::size_t workers, std::uint64_t total) {
    std::unique_lock lock(mutex_);
    for (;;) {
      const bool all_done = changed_.wait_for(lock, 100ms, [&] { return finished_ == workers; });
      if (report_progress_ && request_.progress != nullptr && *request_.progress) {
        const Progress progress{done_.load(std::memory_order_relaxed), total};
        lock.unlock();
        try {
          (*request_.progress)(progress);
        } catch (...) {
          report_progress_ = false;  // a throwing callback must not take the pass (or the process) down
        }
        lock.lock();
      }
      if (all_done) return;
    }
  }

  // A worker's body: what it throws (out of memory) stops the pass as its error.
  template <typename Body>
  void guarded(Body&& body) noexcept {
    const Status status = stguard::detail::without_exceptions([&]() -> Status {
      body();
      return {};
    });
    if (!status) fail(status.error());
  }

  void hash_file() noexcept {
    guarded([&] {
      Sha256 hasher;
      std::vector<std::uint8_t> scratch;
      const std::uint64_t size = request_.source->size();
      for (std::uint64_t position = 0; position < size && !stopped();) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, size - position));
        auto bytes = request_.source->view(position, length, scratch);
        if (!bytes) return fail(bytes.error());
        hasher.update(*bytes);
        position += length;
        done_.fetch_add(length, std::memory_order_relaxed);
      }
      if (stopped()) return;
      result_.file_sha256 = hasher.finish();
      if (!result_.file_sha256) fail(make_error(ErrorCode::internal_error, "SHA-256 of the file failed in libcrypto"));
    });
  }

  void process_tensors() noexcept {
    guarded([&] {
      std::vector<std::uint8_t> scratch;
      for (;;) {
        const std::size_t index = next_task_.fetch_add(1, std::memory_order_relaxed);
        if (index >= request_.tasks.size() || stopped()) return;
        process(request_.tasks[index], result_.tensors[index], scratch);
      }
    });
  }

  std::optional<Error> take_error() {
    const std::lock_guard lock(mutex_);
    return std::move(error_);
  }

 private:
  void process(const TensorTask& task, TensorOutcome& outcome, std::vector<std::uint8_t>& scratch) {
    std::optional<Sha256> hasher;
    if (task.hash) hasher.emplace();
    for (std::uint64_t position = 0; position < task.byte_size && !stopped();) {
      const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, task.byte_size - position));
      // The header was validated against the file size, so this cannot wrap.
      auto bytes = request_.source->view(task.file_offset + position, length, scratch);
      if (!bytes) return fail(bytes.error());
      if (hasher) hasher->update(*bytes);
      if (task.scan) scan_values(task.dtype, *bytes, position, outcome.stats);
      position += length;
      done_.fetch_add(length, std::memory_order_relaxed);
    }
    if (hasher && !stopped()) {
      outcome.sha256 = hasher->finish();
      if (!outcome.sha256) fail(make_error(ErrorCode::internal_error, "SHA-256 of a tensor failed in libcrypto"));
    }
  }

  const DataPassRequest& request_;
  DataPassResult& result_;
  std::atomic<std::size_t> next_task_{0};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t finished_ = 0;
  std::optional<Error> error_;
  bool report_progress_ = true;  // only the calling thread touches it
};

}  // namespace

Result<DataPassResult> run_data_pass(const DataPassRequest& request) noexcept {
  return stguard::detail::without_exceptions([&]() -> Result<DataPassResult> {
    DataPassResult result;
    result.tensors.resize(request.tasks.size());
    std::uint64_t total = request.file_digest ? request.source->size() : 0;
    bool any_tensor_work = false;
    for (const TensorTask& task : request.tasks) {
      // Tensor ranges lie inside the file, so their sum is at most the file size.
      if (task.hash || task.scan) total += task.byte_size;
      any_tensor_work = any_tensor_work || task.hash || task.scan;
    }

    const unsigned hardware = std::max(1U, std::thread::hardware_concurrency());
    const unsigned budget = request.threads != 0 ? request.threads : hardware;
    // The file digest gets a thread of its own; the tensors share the rest
    // (at least one), never more threads than tensors.
    std::size_t tensor_workers = 0;
    if (any_tensor_work) {
      const unsigned for_tensors = request.file_digest && budget > 1 ? budget - 1 : budget;
      tensor_workers = std::min<std::size_t>(std::max(1U, for_tensors), request.tasks.size());
    }

    PassState state(request, result);
    std::vector<std::thread> threads;
    threads.reserve(tensor_workers + 1);
    std::size_t started = 0;
    try {
      if (request.file_digest) {
        threads.emplace_back([&state] {
          state.hash_file();
          state.worker_done();
        });
        ++started;
      }
      for (std::size_t i = 0; i < tensor_workers; ++i) {
        threads.emplace_back([&state] {
          state.process_tensors();
          state.worker_done();
        });
        ++started;
      }
    } catch (const std::system_error&) {
      state.fail(make_error(ErrorCode::internal_error, "cannot start the audit's worker threads"));
    } catch (...) {
      // Out of memory while starting a thread: the started ones must stop and
      // be joined here (a joinable std::thread destroyed would end the process).
      state.fail(stguard::detail::error_for_current_exception());
    }
    state.wait_for_workers(started, total);
    for (std::thread& thread : threads) thread.join();
    if (auto error = state.take_error()) return *std::move(error);
    return result;
  });
}

}  // namespace stguard::audit::detail
