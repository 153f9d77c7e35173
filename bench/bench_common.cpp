// The helpers declared in bench_common.hpp: corpus paths, whole-file and
// header reads, page-cache warming, resident buffers, mapped corpus files.
// Failures here abort the run: a benchmark without its input has no number.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench_common.hpp"

namespace stguard::bench {
namespace {

BenchEnv g_env;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "stguard_bench: %s\n", what.c_str());
  std::exit(1);
}

void read_exact(int fd, std::uint8_t* out, std::size_t length, const std::string& path) {
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::read(fd, out + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("read " + path + ": " + (n == 0 ? std::string("short file") : std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

const BenchEnv& env() { return g_env; }
void set_env(BenchEnv value) { g_env = std::move(value); }

std::string corpus_path(const std::string& name) { return g_env.dir + "/" + name; }

bool file_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::uint64_t file_size(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) die("stat " + path + ": " + std::strerror(errno));
  return static_cast<std::uint64_t>(info.st_size);
}

std::vector<std::uint8_t> read_whole_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(file_size(path)));
  read_exact(fd, bytes.data(), bytes.size(), path);
  ::close(fd);
  return bytes;
}

HeaderBytes read_header_bytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  HeaderBytes out;
  out.prefix.resize(8);
  read_exact(fd, out.prefix.data(), 8, path);
  std::uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8U) | out.prefix[static_cast<std::size_t>(i)];
  const std::uint64_t size = file_size(path);
  if (length > 100'000'000 || 8 + length > size) die(path + ": bad header length");
  out.prefix.resize(static_cast<std::size_t>(8 + length));
  read_exact(fd, out.prefix.data() + 8, static_cast<std::size_t>(length), path);
  out.data_size = size - 8 - length;
  ::close(fd);
  return out;
}

void warm_page_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  std::vector<std::uint8_t> chunk(std::size_t{1} << 20U);
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
  }
  ::close(fd);
}

std::vector<std::uint8_t> prefaulted(std::size_t size) {
  // Value-initialisation writes every byte, so every page is resident.
  std::vector<std::uint8_t> buffer(size, std::uint8_t{1});
  benchmark::DoNotOptimize(buffer.data());
  return buffer;
}

MappedFile::MappedFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  size_ = static_cast<std::size_t>(file_size(path));
  void* base = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (base == MAP_FAILED) die("mmap " + path + ": " + std::strerror(errno));
  data_ = static_cast<const std::uint8_t*>(base);
  // MAP_POPULATE maps the pages; touching one byte per page makes sure.
  std::uint64_t sum = 0;
  for (std::size_t at = 0; at < size_; at += 4096) sum += data_[at];
  benchmark::DoNotOptimize(sum);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

bool ok_or_skip(benchmark::State& state, const Status& status, const char* what) {
  if (status) return true;
  const std::string message = std::string(what) + ": " + status.error().message;
  state.SkipWithError(message.c_str());
  return false;
}

}  // namespace stguard::bench

