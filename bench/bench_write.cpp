// Writer benchmarks: GPT-2 small's 148 tensors (498 MB, in ordinary memory)
// saved by FileBuilder / StreamWriter to each destination, each beside the
// cheapest way the machine can move the same bytes there.
//
//   write/memcpy_prefaulted       memcpy of the whole file into a resident buffer
//   write/save_to_memory          FileBuilder::save() (a new vector: fresh pages)
//   write/save_to_fd_tmpfs        save_to_fd to a file on tmpfs (page cache only),
//   write/raw_write_tmpfs         ... and write(2) of the same bytes there
//   write/save_to_fd_tmpfs_overwrite  the same over an existing file of the same
//   write/raw_write_tmpfs_overwrite   size (no truncation): no page allocation,
//                                 only the copy into the page cache
//   write/save_to_path_tmpfs      save_to_path, durable = false: temporary file,
//                                 write, re-validation, rename
//   write/save_to_path_fsync_disk save_to_path, durable = true, on the disk
//   write/raw_write_fsync_disk    ... and write(2) + fsync of the same bytes there
//   write/stream_writer_pipe      StreamWriter over FdSink into a pipe a drain
//   write/save_to_fd_pipe         thread empties (read(2) into 1 MiB); and
//   write/raw_write_pipe          write(2) of the same bytes into the same pipe
// Every save is a full one: layout, header serialisation and its strict
// re-validation are inside the timing, as they are for a user.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include "bench_common.hpp"
#include "bench_files.hpp"
#include "stguard/atomic_file.hpp"
#include "stguard/reader.hpp"
#include "stguard/stream_writer.hpp"
#include "stguard/writer.hpp"

namespace stguard::bench {
namespace {

struct WriteFixture {
  std::vector<std::uint8_t> file;           // the whole file in anonymous memory
  std::unique_ptr<Reader> source;           // borrowed over `file`
  HeaderSpec spec;                          // in the file's data order
  std::vector<std::span<const std::uint8_t>> bytes;  // parallel to spec.tensors
  std::unique_ptr<FileBuilder> builder;     // borrowed spans, ready to save
  std::vector<std::uint8_t> target;         // resident, file-sized
};

WriteFixture* fixture(benchmark::State& state) {
  static std::unique_ptr<WriteFixture> shared;
  if (shared) return shared.get();
  auto made = std::make_unique<WriteFixture>();
  made->file = read_whole_file(corpus_path(kGpt2Name));
  auto reader = Reader::from_memory(made->file);
  if (!ok_or_skip(state, reader, "Reader::from_memory")) return nullptr;
  made->source = std::make_unique<Reader>(std::move(reader).value());
  made->builder = std::make_unique<FileBuilder>();
  for (const TensorView view : made->source->tensors()) {
    auto bytes = view.bytes();
    if (!ok_or_skip(state, bytes, "bytes")) return nullptr;
    made->spec.tensors.push_back(TensorSpec{view.name(), view.dtype(), {view.shape().begin(), view.shape().end()}});
    made->bytes.push_back(*bytes);
    if (!ok_or_skip(state, made->builder->add_tensor(view.name(), view.dtype(), made->spec.tensors.back().shape, *bytes),
                    "add_tensor")) {
      return nullptr;
    }
  }
  for (const MetadataEntry& entry : made->source->metadata()) {
    made->spec.metadata.push_back(entry);
    if (!ok_or_skip(state, made->builder->set_metadata(entry.key, entry.value), "set_metadata")) return nullptr;
  }
  made->target = prefaulted(made->file.size());
  shared = std::move(made);
  return shared.get();
}

void finish(benchmark::State& state, const WriteFixture& f) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(f.file.size()));
  state.counters["file_bytes"] = static_cast<double>(f.file.size());
}

bool write_fully(int fd, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), std::min<std::size_t>(bytes.size(), std::size_t{1} << 30U));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

// A pipe (enlarged to 1 MiB, the Linux default maximum) and a thread that
// reads it to the end: the consumer end of a stream.
class PipeDrain {
 public:
  PipeDrain() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    (void)::fcntl(write_fd_, F_SETPIPE_SZ, 1 << 20);
    thread_ = std::thread([this] {
      std::vector<std::uint8_t> buffer(std::size_t{1} << 20U);
      for (;;) {
        const ssize_t n = ::read(read_fd_, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        drained_ += static_cast<std::uint64_t>(n);
      }
    });
  }
  ~PipeDrain() { (void)finish(); }
  PipeDrain(const PipeDrain&) = delete;
  PipeDrain& operator=(const PipeDrain&) = delete;

  [[nodiscard]] int write_fd() const noexcept { return write_fd_; }
  // Closes the write end, waits for the reader, returns the bytes it saw.
  std::uint64_t finish() {
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = -1;
    if (thread_.joinable()) thread_.join();
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = -1;
    return drained_;
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::uint64_t drained_ = 0;
  std::thread thread_;
};

void bench_memcpy(benchmark::State& state) {
  WriteFixture* f = fixture(state);
  if (f == nullptr) return;
  for (auto _ : state) {
    std::memcpy(f->target.data(), f->file.data(), f->file.size());
    benchmark::ClobberMemory();
  }
  finish(state, *f);
}

void bench_save_to_memory(benchmark::State& state) {
  WriteFixture* f = fixture(state);
  if (f == nullptr) return;
  for (auto _ : state) {
    auto bytes = f->builder->save();
    if (!ok_or_skip(state, bytes, "save")) return;
    benchmark::DoNotOptimize(bytes->data());
  }
  finish(state, *f);
}

// save_to_fd (library) or write(2) (raw) into a truncated file, or over the
// pages of the previous iteration's file (`overwrite`); with `sync` the file
// is fsync'd before close, inside the timing.
void bench_to_file(benchmark::State& state, const std::string& folder, bool library, bool sync,
                   bool overwrite = false) {
  WriteFixture* f = fixture(state);
  if (f == nullptr) return;
  const std::string path = folder + "/stguard-bench-write.safetensors";
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? 0 : O_TRUNC);
  if (overwrite) {
    // Allocate every page of the target once, outside the timing.
    const int fd = ::open(path.c_str(), flags | O_TRUNC, 0644);
    const bool ready = fd >= 0 && write_fully(fd, f->file);
    if (fd >= 0) ::close(fd);
    if (!ready) {
      state.SkipWithError("cannot prepare the output file");
      return;
    }
  }
  for (auto _ : state) {
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
      state.SkipWithError("cannot create the output file");
      return;
    }
    const bool written = library ? f->builder->save_to_fd(fd).ok() : write_fully(fd, f->file);
    const bool synced = !sync || ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) {
      state.SkipWithError("write failed");
      break;
    }
  }
  ::unlink(path.c_str());
  finish(state, *f);
}

void bench_save_to_path(benchmark::State& state, const std::string& folder, bool durable) {
  WriteFixture* f = fixture(state);
  if (f == nullptr) return;
  const std::string path = folder + "/stguard-bench-atomic.safetensors";
  AtomicWriteOptions atomic;
  atomic.durable = durable;
  for (auto _ : state) {
    if (!ok_or_skip(state, f->builder->save_to_path(path, atomic), "save_to_path")) break;
  }
  ::unlink(path.c_str());
  finish(state, *f);
}

enum class PipeWriter { stream_writer, save_to_fd, raw };

void bench_pipe(benchmark::State& state, PipeWriter how) {
  WriteFixture* f = fixture(state);
  if (f == nullptr) return;
  for (auto _ : state) {
    PipeDrain drain;
    bool written = false;
    if (how == PipeWriter::raw) {
      written = write_fully(drain.write_fd(), f->file);
    } else if (how == PipeWriter::save_to_fd) {
      written = f->builder->save_to_fd(drain.write_fd()).ok();
    } else {
      FdSink sink(drain.write_fd());
      auto stream = StreamWriter::begin(sink, f->spec);
      written = stream.ok();
      if (written) {
        for (const std::size_t index : stream->layout()) {
          written = stream->begin_tensor(f->spec.tensors[index].name).ok() && stream->write(f->bytes[index]).ok();
          if (!written) break;
        }
        written = written && stream->finish().ok();
      }
    }
    if (!written || drain.finish() != f->file.size()) {
      state.SkipWithError("pipe write failed or the drain saw a different size");
      break;
    }
  }
  finish(state, *f);
}

}  // namespace

void register_write_benchmarks() {
  if (!file_exists(corpus_path(kGpt2Name))) return;
  const std::string suffix = std::string("/") + kGpt2Name;
  const std::string tmp = env().tmpdir;
  const std::string disk = env().disk_dir;
  const auto add = [&](const std::string& name, auto function) {
    return benchmark::RegisterBenchmark((name + suffix).c_str(), function)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  };
  add("write/memcpy_prefaulted", bench_memcpy);
  add("write/save_to_memory", bench_save_to_memory);
  add("write/save_to_fd_tmpfs", [tmp](benchmark::State& s) { bench_to_file(s, tmp, true, false); });
  add("write/raw_write_tmpfs", [tmp](benchmark::State& s) { bench_to_file(s, tmp, false, false); });
  add("write/save_to_fd_tmpfs_overwrite", [tmp](benchmark::State& s) { bench_to_file(s, tmp, true, false, true); });
  add("write/raw_write_tmpfs_overwrite", [tmp](benchmark::State& s) { bench_to_file(s, tmp, false, false, true); });
  add("write/save_to_path_tmpfs", [tmp](benchmark::State& s) { bench_save_to_path(s, tmp, false); });
  add("write/stream_writer_pipe", [](benchmark::State& s) { bench_pipe(s, PipeWriter::stream_writer); });
  add("write/save_to_fd_pipe", [](benchmark::State& s) { bench_pipe(s, PipeWriter::save_to_fd); });
  add("write/raw_write_pipe", [](benchmark::State& s) { bench_pipe(s, PipeWriter::raw); });
  // Disk writes are slow and wear on a shared machine: three single saves.
  add("write/save_to_path_fsync_disk", [disk](benchmark::State& s) { bench_save_to_path(s, disk, true); })
      ->Iterations(1)
      ->Repetitions(3);
  add("write/raw_write_fsync_disk", [disk](benchmark::State& s) { bench_to_file(s, disk, false, true); })
      ->Iterations(1)
      ->Repetitions(3);
}

}  // namespace stguard::bench
