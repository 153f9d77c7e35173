// Open + validate as the data region grows (1 MB .. 8 GB, sparse files with
// the same 288-tensor header): validate_path, and Reader::open in mapped and
// pread mode (open, validate, set up the source, close). Validation reads
// 8 + N bytes and the size, so the time must be flat in the data size; the
// snapshot mode, which copies the file by design, is left out.
#include "bench_common.hpp"
#include "bench_files.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/reader.hpp"

namespace stguard::bench {
namespace {

void set_counters(benchmark::State& state, const std::string& path) {
  const std::uint64_t size = file_size(path);
  state.counters["file_bytes"] = static_cast<double>(size);
}

void bench_validate_path(benchmark::State& state, const std::string& path) {
  for (auto _ : state) {
    auto header = validate_path(path);
    if (!ok_or_skip(state, header, "validate_path")) break;
    benchmark::DoNotOptimize(header);
  }
  set_counters(state, path);
}

void bench_reader_open(benchmark::State& state, const std::string& path, ReaderMode mode) {
  ReaderOptions options;
  options.mode = mode;
  for (auto _ : state) {
    auto reader = Reader::open(path, options);
    if (!ok_or_skip(state, reader, "Reader::open")) break;
    benchmark::DoNotOptimize(reader);
  }
  set_counters(state, path);
}

}  // namespace

void register_open_benchmarks() {
  std::vector<std::pair<std::string, std::string>> subjects;  // label, file
  for (const std::uint64_t size : growing_sizes()) subjects.emplace_back(size_label(size), growing_name(size));
  subjects.emplace_back("llama-7b-13.5GB", kLlamaName);
  for (const auto& [label, file] : subjects) {
    const std::string path = corpus_path(file);
    if (!file_exists(path)) continue;
    benchmark::RegisterBenchmark(("open/validate_path/" + label).c_str(),
                                 [path](benchmark::State& state) { bench_validate_path(state, path); })
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("open/reader_mapped/" + label).c_str(),
                                 [path](benchmark::State& state) { bench_reader_open(state, path, ReaderMode::mapped); })
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("open/reader_pread/" + label).c_str(),
                                 [path](benchmark::State& state) { bench_reader_open(state, path, ReaderMode::pread); })
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace stguard::bench
