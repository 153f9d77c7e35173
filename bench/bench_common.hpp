// Shared plumbing of the stguard_bench executable: where the corpus lives,
// reading it, buffers whose pages are already resident, and registration
// hooks for each benchmark family (bench_*.cpp).
//
// Conventions every family follows, so bench/summarize.py can read the JSON
// without special cases:
//   * names are "<family>/<variant>/<file or size>";
//   * SetBytesProcessed counts the bytes that define the rate (header bytes
//     for parsing, data bytes for copies, file bytes for writes), so
//     bytes_per_second in the JSON is the GB/s of the tables;
//   * counters hold per-iteration constants (bytes, tensors) so the summary
//     can derive ns per tensor or bytes per CPU-second.
// A benchmark that cannot run (file missing, API error) calls SkipWithError,
// which shows in the JSON, rather than reporting a misleading time.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stguard/error.hpp"

namespace stguard::bench {

struct BenchEnv {
  std::string dir = "bench/work";  // the corpus (make_bench_files --dir)
  std::string tmpdir = "/dev/shm";  // page-cache-only target for the writer
  std::string disk_dir;             // a disk-backed folder for the fsync'd save (defaults to dir)
};

[[nodiscard]] const BenchEnv& env();
void set_env(BenchEnv value);

[[nodiscard]] std::string corpus_path(const std::string& name);
[[nodiscard]] bool file_exists(const std::string& path);
[[nodiscard]] std::uint64_t file_size(const std::string& path);

// The whole file, read with read(2) (aborts on failure: benchmark input).
[[nodiscard]] std::vector<std::uint8_t> read_whole_file(const std::string& path);
// The first 8 + N bytes, and the data size, of a corpus file.
struct HeaderBytes {
  std::vector<std::uint8_t> prefix;  // 8 + N bytes
  std::uint64_t data_size = 0;
  [[nodiscard]] std::span<const std::uint8_t> header() const { return std::span(prefix).subspan(8); }
};
[[nodiscard]] HeaderBytes read_header_bytes(const std::string& path);
// Reads the file once so the following benchmarks find it in the page cache.
void warm_page_cache(const std::string& path);

// A buffer of `size` bytes, every page written once, so a copy into it
// measures bandwidth and not page faults.
[[nodiscard]] std::vector<std::uint8_t> prefaulted(std::size_t size);

// A whole corpus file mapped read-only with every page touched once: the
// "same bytes, already in memory" source of the memcpy references.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return {data_, size_}; }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// Marks the benchmark as failed (SkipWithError) when `status` failed, so a
// broken benchmark never produces a number; the caller then leaves its loop.
bool ok_or_skip(benchmark::State& state, const Status& status, const char* what);
template <typename T>
bool ok_or_skip(benchmark::State& state, const Result<T>& result, const char* what) {
  if (result) return true;
  return ok_or_skip(state, Status(result.error()), what);
}

// Registration of each family; each returns silently when its files are absent.
void register_header_benchmarks();
void register_open_benchmarks();
void register_copy_benchmarks();
void register_write_benchmarks();
void register_audit_benchmarks();
void register_reference_benchmarks();

}  // namespace stguard::bench
