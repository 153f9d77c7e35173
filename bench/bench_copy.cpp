// Copy-out benchmarks on GPT-2 small (148 tensors, 498 MB, in the page
// cache): every tensor's bytes copied out of a Reader, against memcpy of the
// same data region from the same resident file.
//
//   copy/memcpy_prefaulted    the reference: one memcpy of the data region
//                             from a populated mapping into a resident buffer
//   copy/memcpy_per_tensor    the same bytes as one memcpy per tensor: glibc
//                             switches to non-temporal stores only for copies
//                             larger than ~3/4 of the L3, so most tensors
//                             (2-10 MB) are copied with ordinary stores, which
//                             also read the destination; this is the fair
//                             reference for any per-tensor copy
//   copy/new_vector_each      std::vector(first, last) of each tensor, freed
//   copy/new_vectors_held     at once / all held until the end: what an owned
//                             copy costs with no zero-filling first, the
//                             floors of copy_bytes and copy_all
//   copy/read_mapped|pread    TensorView::read of each tensor into that same
//                             resident buffer (no allocation): the reader's
//                             own overhead
//   copy/copy_bytes_mapped    TensorView::copy_bytes of each tensor (a new
//                             std::vector per tensor, freed at once)
//   copy/copy_all_mapped|pread  Reader::copy_all (a TensorMap of owned
//                             tensors, destroyed each iteration)
//   copy/load_file            load_file: open, validate, pread, copy_all
// Everything that allocates pays for fresh pages (zeroing and page faults);
// ref/memcpy_fresh measures that floor on its own.
#include <cstring>
#include <memory>

#include "bench_common.hpp"
#include "bench_files.hpp"
#include "stguard/reader.hpp"

namespace stguard::bench {
namespace {

struct CopyFixture {
  std::string path;
  std::unique_ptr<MappedFile> file;
  std::unique_ptr<Reader> mapped;
  std::unique_ptr<Reader> pread;
  std::vector<std::uint8_t> target;
  std::uint64_t data_offset = 0;
  std::uint64_t data_size = 0;
};

// Built on first use (498 MB resident), kept for the process.
CopyFixture* fixture(benchmark::State& state) {
  static std::unique_ptr<CopyFixture> shared;
  if (shared) return shared.get();
  auto made = std::make_unique<CopyFixture>();
  made->path = corpus_path(kGpt2Name);
  warm_page_cache(made->path);
  made->file = std::make_unique<MappedFile>(made->path);
  for (const ReaderMode mode : {ReaderMode::mapped, ReaderMode::pread}) {
    ReaderOptions options;
    options.mode = mode;
    auto reader = Reader::open(made->path, options);
    if (!ok_or_skip(state, reader, "Reader::open")) return nullptr;
    (mode == ReaderMode::mapped ? made->mapped : made->pread) = std::make_unique<Reader>(std::move(reader).value());
  }
  made->data_offset = made->mapped->header().data_offset();
  made->data_size = made->mapped->header().data_size();
  made->target = prefaulted(static_cast<std::size_t>(made->data_size));
  // Touch every page of the reader's mapping once, so the first timed
  // iteration does not pay the mapping's page faults.
  for (const TensorView view : made->mapped->tensors()) {
    if (!ok_or_skip(state, view.read(0, std::span(made->target).subspan(view.data_begin(), view.byte_size())),
                    "read")) {
      return nullptr;
    }
  }
  shared = std::move(made);
  return shared.get();
}

void finish(benchmark::State& state, const CopyFixture& f) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(f.data_size));
  state.counters["data_bytes"] = static_cast<double>(f.data_size);
}

void bench_memcpy(benchmark::State& state) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  const auto source = f->file->bytes().subspan(f->data_offset, f->data_size);
  for (auto _ : state) {
    std::memcpy(f->target.data(), source.data(), source.size());
    benchmark::ClobberMemory();
  }
  finish(state, *f);
}

void bench_memcpy_per_tensor(benchmark::State& state) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  const auto source = f->file->bytes().subspan(f->data_offset, f->data_size);
  for (auto _ : state) {
    for (const TensorView view : f->mapped->tensors()) {
      std::memcpy(f->target.data() + view.data_begin(), source.data() + view.data_begin(), view.byte_size());
    }
    benchmark::ClobberMemory();
  }
  finish(state, *f);
}

void bench_new_vectors(benchmark::State& state, bool hold) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  const auto source = f->file->bytes().subspan(f->data_offset, f->data_size);
  std::vector<std::vector<std::uint8_t>> held;
  held.reserve(f->mapped->tensor_count());
  for (auto _ : state) {
    for (const TensorView view : f->mapped->tensors()) {
      const auto bytes = source.subspan(view.data_begin(), view.byte_size());
      std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
      benchmark::DoNotOptimize(copy.data());
      if (hold) held.push_back(std::move(copy));
    }
    held.clear();
  }
  finish(state, *f);
}

void bench_read_into(benchmark::State& state, bool mapped) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  const Reader& reader = mapped ? *f->mapped : *f->pread;
  const std::span<std::uint8_t> target(f->target);
  for (auto _ : state) {
    for (const TensorView view : reader.tensors()) {
      if (!ok_or_skip(state, view.read(0, target.subspan(view.data_begin(), view.byte_size())), "read")) return;
    }
    benchmark::ClobberMemory();
  }
  finish(state, *f);
}

void bench_copy_bytes(benchmark::State& state) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  for (auto _ : state) {
    for (const TensorView view : f->mapped->tensors()) {
      auto bytes = view.copy_bytes();
      if (!ok_or_skip(state, bytes, "copy_bytes")) return;
      benchmark::DoNotOptimize(bytes->data());
    }
  }
  finish(state, *f);
}

void bench_copy_all(benchmark::State& state, bool mapped) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  const Reader& reader = mapped ? *f->mapped : *f->pread;
  for (auto _ : state) {
    auto tensors = reader.copy_all();
    if (!ok_or_skip(state, tensors, "copy_all")) return;
    benchmark::DoNotOptimize(tensors->size());
  }
  finish(state, *f);
}

void bench_load_file(benchmark::State& state) {
  CopyFixture* f = fixture(state);
  if (f == nullptr) return;
  for (auto _ : state) {
    auto tensors = load_file(f->path);
    if (!ok_or_skip(state, tensors, "load_file")) return;
    benchmark::DoNotOptimize(tensors->size());
  }
  finish(state, *f);
}

}  // namespace

void register_copy_benchmarks() {
  if (!file_exists(corpus_path(kGpt2Name))) return;
  const std::string suffix = std::string("/") + kGpt2Name;
  const auto add = [&](const std::string& name, auto function) {
    benchmark::RegisterBenchmark((name + suffix).c_str(), function)->Unit(benchmark::kMillisecond)->UseRealTime();
  };
  add("copy/memcpy_prefaulted", bench_memcpy);
  add("copy/memcpy_per_tensor", bench_memcpy_per_tensor);
  add("copy/new_vector_each", [](benchmark::State& state) { bench_new_vectors(state, false); });
  add("copy/new_vectors_held", [](benchmark::State& state) { bench_new_vectors(state, true); });
  add("copy/read_mapped", [](benchmark::State& state) { bench_read_into(state, true); });
  add("copy/read_pread", [](benchmark::State& state) { bench_read_into(state, false); });
  add("copy/copy_bytes_mapped", bench_copy_bytes);
  add("copy/copy_all_mapped", [](benchmark::State& state) { bench_copy_all(state, true); });
  add("copy/copy_all_pread", [](benchmark::State& state) { bench_copy_all(state, false); });
  add("copy/load_file", bench_load_file);
}

}  // namespace stguard::bench
