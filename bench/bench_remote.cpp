// bench_remote: remote validation on loopback (bench/remote_bench.sh starts
// the servers and makes the files). Not a test: timings on a shared machine
// are measurements, reported in docs/PERFORMANCE.md#8-remote-validation.
//
// Usage: bench_remote MODEL_URL INDEX_URL [RUNS]
//   MODEL_URL  a 7B-class file: requests, body bytes and milliseconds of
//              RemoteFile::open (median, min, max over RUNS)
//   INDEX_URL  a sharded checkpoint: check_shard_index_url with 8
//              connections, against the sum of validating each shard alone
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "stguard/remote.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Summary {
  double median = 0, min = 0, max = 0;
};

Summary summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples.front(), samples.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_remote MODEL_URL INDEX_URL [RUNS]\n");
    return 2;
  }
  const std::string model = argv[1];
  const std::string index = argv[2];
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 50;

  std::vector<double> open_ms;
  stguard::remote::TransferStats stats;
  std::uint64_t header_bytes = 0;
  std::size_t tensors = 0;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    auto file = stguard::remote::RemoteFile::open(model);
    open_ms.push_back(elapsed_ms(start));
    if (!file) {
      std::fprintf(stderr, "bench_remote: %s\n", file.error().message.c_str());
      return 1;
    }
    stats = file->stats();
    header_bytes = file->header().header_length();
    tensors = file->header().tensor_count();
  }
  const Summary one = summarize(open_ms);
  std::printf("7B-class file: %zu tensors, header %llu bytes; %u requests, %llu body bytes; "
              "open+validate median %.2f ms (min %.2f, max %.2f) over %d runs\n",
              tensors, static_cast<unsigned long long>(header_bytes), stats.requests,
              static_cast<unsigned long long>(stats.body_bytes), one.median, one.min, one.max, runs);

  // The sharded checkpoint: in parallel, and each shard alone, one after another.
  auto set = stguard::remote::check_shard_index_url(index);
  if (!set) {
    std::fprintf(stderr, "bench_remote: %s\n", set.error().message.c_str());
    return 1;
  }
  const std::size_t shard_count = set->index.shards.size();
  std::vector<double> parallel_ms, sequential_ms, sum_ms;
  const std::string base = index.substr(0, index.rfind('/') + 1);
  const int set_runs = std::max(1, runs / 5);
  for (int i = 0; i < set_runs; ++i) {
    auto start = Clock::now();
    if (!stguard::remote::check_shard_index_url(index, {}, {}, 8)) return 1;
    parallel_ms.push_back(elapsed_ms(start));
    start = Clock::now();
    if (!stguard::remote::check_shard_index_url(index, {}, {}, 1)) return 1;
    sequential_ms.push_back(elapsed_ms(start));
    double sum = 0;
    for (const std::string& shard : set->index.shards) {
      const auto one_start = Clock::now();
      if (!stguard::remote::validate_url(base + shard)) return 1;
      sum += elapsed_ms(one_start);
    }
    sum_ms.push_back(sum);
  }
  const Summary parallel = summarize(parallel_ms);
  const Summary sequential = summarize(sequential_ms);
  const Summary sum = summarize(sum_ms);
  std::printf("%zu-shard checkpoint: check with 8 connections median %.2f ms (min %.2f); with 1 connection "
              "%.2f ms; sum of the shards validated alone %.2f ms; over %d runs\n",
              shard_count, parallel.median, parallel.min, sequential.median, sum.median, set_runs);
  return 0;
}
