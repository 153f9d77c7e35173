// Replay main: the `main` every fuzz target gets in a normal build (engine
// "replay"), so that targets compile and run in every build and never rot.
//
// Runs each file named on the command line, and each regular file directly
// inside each directory named (sorted by name, names starting with '.' are
// skipped: .gitkeep), through LLVMFuzzerTestOneInput. Subdirectories are not
// entered, so tests/regressions/open/<target>/ style folders stay out. Each
// input is copied into a heap buffer of exactly its size, as the engines do,
// so a sanitizer build catches a read one byte past the end. A property
// violation aborts, which CTest reports as a failure; a missing path, an
// unreadable file, or no input at all is an error too (a test that ran
// nothing must not pass). When an input crashes, its path is printed (from a
// signal handler, or the sanitizers' death callback) so that the CTest log
// names the reproducer.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
// Present when linked with a sanitizer runtime; called before it exits on a report.
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash report (written before each input).
char g_current[4096] = "";

void print_current() {
  static const char kPrefix[] = "\nreplay: crashed on input ";
  (void)!write(STDERR_FILENO, kPrefix, sizeof(kPrefix) - 1);
  (void)!write(STDERR_FILENO, g_current, std::strlen(g_current));
  (void)!write(STDERR_FILENO, "\n", 1);
}

extern "C" void on_fatal_signal(int signal_number) {
  print_current();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void install_crash_reporting() {
  for (const int signal_number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(signal_number, on_fatal_signal);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(print_current);
}

bool read_file(const fs::path& path, std::vector<char>& out) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.resize(static_cast<std::size_t>(size));
  return size == 0 || static_cast<bool>(in.read(out.data(), static_cast<std::streamsize>(size)));
}

bool run_one(const fs::path& path) {
  const std::string name = path.string();
  const std::size_t length = std::min(name.size(), sizeof(g_current) - 1);
  std::memcpy(g_current, name.data(), length);
  g_current[length] = '\0';
  std::vector<char> contents;
  if (!read_file(path, contents)) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  // Exactly-sized allocation (a zero-byte input gets a non-null pointer).
  const std::size_t size = contents.size();
  std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[size == 0 ? 1 : size]);
  std::copy(contents.begin(), contents.end(), buffer.get());
  (void)LLVMFuzzerTestOneInput(buffer.get(), size);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  install_crash_reporting();
  if (LLVMFuzzerInitialize != nullptr) (void)LLVMFuzzerInitialize(&argc, &argv);
  std::size_t ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(arg, ec)) {
        if (entry.is_regular_file(ec) && entry.path().filename().string().rfind('.', 0) != 0) {
          files.push_back(entry.path());
        }
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        ok = run_one(file) && ok;
        ++ran;
      }
    } else if (fs::is_regular_file(arg, ec)) {
      ok = run_one(arg) && ok;
      ++ran;
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      ok = false;
    }
  }
  std::printf("replay: %zu inputs ran through %s\n", ran, argc > 0 ? argv[0] : "the target");
  if (ran == 0) {
    std::fprintf(stderr, "replay: no inputs (usage: %s FILE_OR_DIR...)\n", argc > 0 ? argv[0] : "target");
    return 1;
  }
  return ok ? 0 : 1;
}
