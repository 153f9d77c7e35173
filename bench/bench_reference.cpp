// Physical references measured in the same harness as the library: what the
// machine itself does with the same number of bytes, so every library number
// can be stated as a ratio.
//
//   ref/memcpy_prefaulted/S   memcpy between two resident buffers: memory
//                             bandwidth for a copy (S = 8 MiB stays in L3,
//                             512 MiB does not)
//   ref/memcpy_fresh/512MiB   allocate, memcpy, free: the same plus the page
//                             faults of a new buffer, the floor for any copy
//                             that hands out freshly owned memory
//   ref/pread_pagecache/F     pread of the whole file F (in the page cache)
//                             into a 1 MiB buffer: the kernel's copy-out
//   ref/pread_into_prefaulted/F  pread of F's data region into one resident
//                             buffer of its size: page cache -> user memory
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "bench_common.hpp"
#include "bench_files.hpp"
#include "stguard/validate.hpp"

namespace stguard::bench {
namespace {

void bench_memcpy_prefaulted(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> source = prefaulted(size);
  std::vector<std::uint8_t> target = prefaulted(size);
  for (auto _ : state) {
    std::memcpy(target.data(), source.data(), size);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(size));
}

void bench_memcpy_fresh(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> source = prefaulted(size);
  for (auto _ : state) {
    // new[] without initialisation: glibc maps fresh pages, faulted in by the copy.
    std::unique_ptr<std::uint8_t[]> target(new std::uint8_t[size]);
    std::memcpy(target.get(), source.data(), size);
    benchmark::DoNotOptimize(target.get());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(size));
}

bool pread_all(int fd, std::uint8_t* out, std::size_t length, std::uint64_t offset, std::size_t chunk, bool advance) {
  std::size_t done = 0;
  while (done < length) {
    const std::size_t want = std::min(chunk, length - done);
    const ssize_t n = ::pread(fd, advance ? out + done : out, want, static_cast<off_t>(offset + done));
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void bench_pread_pagecache(benchmark::State& state, const std::string& path) {
  warm_page_cache(path);
  const std::size_t size = static_cast<std::size_t>(file_size(path));
  constexpr std::size_t kChunk = std::size_t{1} << 20U;
  std::vector<std::uint8_t> buffer = prefaulted(kChunk);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  for (auto _ : state) {
    if (fd < 0 || !pread_all(fd, buffer.data(), size, 0, kChunk, false)) {
      state.SkipWithError("pread failed");
      break;
    }
    benchmark::ClobberMemory();
  }
  if (fd >= 0) ::close(fd);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(size));
}

void bench_pread_into_prefaulted(benchmark::State& state, const std::string& path) {
  warm_page_cache(path);
  const HeaderBytes header = read_header_bytes(path);
  const auto size = static_cast<std::size_t>(header.data_size);
  std::vector<std::uint8_t> target = prefaulted(size);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  constexpr std::size_t kChunk = std::size_t{1} << 30U;  // whole tensors in one call, as the pread reader does
  for (auto _ : state) {
    if (fd < 0 || !pread_all(fd, target.data(), size, header.prefix.size(), kChunk, true)) {
      state.SkipWithError("pread failed");
      break;
    }
    benchmark::ClobberMemory();
  }
  if (fd >= 0) ::close(fd);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(size));
}

}  // namespace

void register_reference_benchmarks() {
  benchmark::RegisterBenchmark("ref/memcpy_prefaulted", bench_memcpy_prefaulted)
      ->Arg(8 << 20)
      ->Arg(512 << 20)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("ref/memcpy_fresh", bench_memcpy_fresh)
      ->Arg(512 << 20)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  const std::string gpt2 = corpus_path(kGpt2Name);
  if (file_exists(gpt2)) {
    benchmark::RegisterBenchmark((std::string("ref/pread_pagecache/") + kGpt2Name).c_str(),
                                 [gpt2](benchmark::State& state) { bench_pread_pagecache(state, gpt2); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("ref/pread_into_prefaulted/") + kGpt2Name).c_str(),
                                 [gpt2](benchmark::State& state) { bench_pread_into_prefaulted(state, gpt2); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace stguard::bench
