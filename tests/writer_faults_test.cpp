// Faults while replacing an existing file. In every case the target must be
// exactly the old file or exactly the complete new one, and nothing but the
// documented temporary file of a SIGKILLed writer (".<name>.stguard-tmp-<16
// hex>") may be left in the folder:
//   * SIGKILL at random points of a save, in a forked child, many times;
//   * a file-size limit (RLIMIT_FSIZE) hit mid-write: SIGXFSZ must not kill
//     the writer, EFBIG must come back as an error;
//   * a folder where no file can be created;
//   * a producer that fails half-way.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "stguard/atomic_file.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;

namespace {

std::vector<std::string> others_than(const fs::path& dir, const std::string& target_name) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != target_name) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Bulk read (the byte-by-byte helper is slow for multi-MB files in Debug).
Bytes slurp(const fs::path& path) {
  Bytes out(static_cast<std::size_t>(fs::file_size(path)));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const bool ok = stguard::pread_exact(fd, 0, out.data(), out.size()).ok();
  ::close(fd);
  return ok ? out : Bytes{};
}

stguard::FileBuilder small_builder(std::uint8_t fill) {
  static std::vector<Bytes> keep_alive;  // the builder borrows its bytes
  keep_alive.push_back(Bytes(4096, fill));
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("old.weight", Dtype::U8, {4096}, keep_alive.back()));
  return builder;
}

// A folder holding one file the writer saved, remembered byte for byte: a save
// that fails over it must leave that file as it was and nothing beside it.
struct SavedTarget {
  explicit SavedTarget(std::uint8_t fill) {
    REQUIRE(small_builder(fill).save_to_path(path.string()));
    old_bytes = slurp(path);
  }
  stguard::test::TempDir dir;
  const std::string name = "model.safetensors";
  const fs::path path = dir.path() / name;
  Bytes old_bytes;
};

void check_left_alone(const SavedTarget& target) {
  CHECK(slurp(target.path) == target.old_bytes);
  CHECK(others_than(target.dir.path(), target.name).empty());
}

// 4 MiB in 4 tensors, produced in 16 KiB chunks so that a kill can land
// between any two writes.
stguard::FileBuilder large_builder() {
  stguard::FileBuilder builder;
  for (int t = 0; t < 4; ++t) {
    const auto producer = [t](stguard::ByteSink& out) -> stguard::Status {
      Bytes chunk(16 << 10);
      for (std::size_t c = 0; c < 64; ++c) {
        std::fill(chunk.begin(), chunk.end(), static_cast<std::uint8_t>(c * 4 + static_cast<std::size_t>(t)));
        if (auto status = out.write(chunk); !status) return status;
      }
      return {};
    };
    REQUIRE(builder.add_tensor("layer." + std::to_string(t), Dtype::F32, {1 << 18}, producer));
  }
  return builder;
}

}  // namespace

TEST_CASE("SIGKILL at a random point leaves the old file or the complete new one", "[writer][faults]") {
  stguard::test::TempDir dir;
  const std::string name = "model.safetensors";
  const fs::path target = dir.path() / name;
  const auto old_builder = small_builder(0xAA);
  const auto new_builder = large_builder();
  const Bytes new_bytes = new_builder.save().value();
  REQUIRE(old_builder.save_to_path(target.string()));
  const Bytes old_bytes = slurp(target);
  const std::regex killed_temp(R"(^\.model\.safetensors\.stguard-tmp-[0-9a-f]{16}$)");

  const auto save_in_child = [&]() -> pid_t {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(new_builder.save_to_path(target.string()).ok() ? 0 : 1);
    return child;
  };

  // One undisturbed save sets the time scale for the kills.
  const auto started = std::chrono::steady_clock::now();
  const pid_t timing_child = save_in_child();
  REQUIRE(timing_child > 0);
  int status = 0;
  REQUIRE(::waitpid(timing_child, &status, 0) == timing_child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const auto full_save = std::chrono::steady_clock::now() - started;
  REQUIRE(slurp(target) == new_bytes);

  std::mt19937 random(20261123);  // fixed seed: reproducible, yet spread over the whole save
  const auto span_us = std::chrono::duration_cast<std::chrono::microseconds>(full_save).count() * 5 / 4 + 1;
  std::uniform_int_distribution<long long> delay_us(0, span_us);
  int saw_old = 0;
  int saw_new = 0;
  int temps_left = 0;
  for (int iteration = 0; iteration < 12; ++iteration) {
    REQUIRE(old_builder.save_to_path(target.string()));
    const pid_t child = save_in_child();
    REQUIRE(child > 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(child, SIGKILL);
    REQUIRE(::waitpid(child, &status, 0) == child);

    const Bytes now = slurp(target);
    const bool is_old = now == old_bytes;
    const bool is_new = now == new_bytes;
    INFO("iteration " << iteration << ", file of " << now.size() << " bytes");
    REQUIRE((is_old || is_new));
    CHECK(stguard::validate_path(target.string()).ok());
    saw_old += is_old ? 1 : 0;
    saw_new += is_new ? 1 : 0;
    for (const std::string& other : others_than(dir.path(), name)) {
      INFO("left in the folder: " << other);
      CHECK(std::regex_match(other, killed_temp));  // only the killed writer's own temporary file
      CHECK(WIFSIGNALED(status));
      fs::remove(dir.path() / other);
      ++temps_left;
    }
  }
  INFO("old " << saw_old << ", new " << saw_new << ", temporary files of killed writers " << temps_left);
  CHECK(saw_old + saw_new == 12);
}

TEST_CASE("a file-size limit hit mid-write is an error, not a dead writer", "[writer][faults]") {
  const SavedTarget target(0x55);
  const Bytes big(1 << 20, 7);
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("big", Dtype::U8, {big.size()}, big));

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Only plain checks and _exit here: the child must not run Catch2.
    const rlimit limit{256 << 10, 256 << 10};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(20);
    const auto saved = builder.save_to_path(target.path.string());
    if (saved.ok()) ::_exit(10);
    if (saved.error().code != ErrorCode::io_write_failed) ::_exit(11);
    if (saved.error().message.find("File too large") == std::string::npos) ::_exit(12);
    if (slurp(target.path) != target.old_bytes) ::_exit(13);
    if (!others_than(target.dir.path(), target.name).empty()) ::_exit(14);
    // The same limit on a plain descriptor (a stream to a file).
    const std::string stream_path = (target.dir.path() / "stream.out").string();
    const int fd = ::open(stream_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) ::_exit(21);
    const auto streamed = builder.save_to_fd(fd);
    ::close(fd);
    ::unlink(stream_path.c_str());
    if (streamed.ok() || streamed.error().message.find("File too large") == std::string::npos) ::_exit(15);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("child " << (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                        : "exit " + std::to_string(WEXITSTATUS(status))));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_left_alone(target);
}

TEST_CASE("a folder where no file can be created leaves the target alone", "[writer][faults]") {
  SECTION("a read-only folder (not as root)") {
    if (::geteuid() == 0) {
      WARN("running as root: permissions do not apply, read-only folder check skipped");
      return;
    }
    stguard::test::TempDir dir;
    const fs::path folder = dir.path() / "ro";
    fs::create_directory(folder);
    const fs::path target = folder / "model.safetensors";
    REQUIRE(small_builder(1).save_to_path(target.string()));
    const Bytes old_bytes = slurp(target);
    fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
    const auto status = small_builder(2).save_to_path(target.string());
    fs::permissions(folder, fs::perms::owner_all);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::io_open_failed);
    CHECK(slurp(target) == old_bytes);
    CHECK(others_than(folder, "model.safetensors").empty());
  }
  SECTION("a folder no one can create files in, even root (/proc/self)") {
    if (!fs::is_directory("/proc/self")) return;
    const auto status = small_builder(3).save_to_path("/proc/self/model.safetensors");
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::io_open_failed);
  }
}

TEST_CASE("a producer that fails half-way leaves the target alone", "[writer][faults]") {
  const SavedTarget target(9);
  const Bytes first(1 << 20, 1);
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("a.first", Dtype::F32, {first.size() / 4}, first));
  REQUIRE(builder.add_tensor("b.failing", Dtype::U8, {1 << 20}, [](stguard::ByteSink& out) -> stguard::Status {
    const Bytes half(1 << 19, 2);
    if (auto status = out.write(half); !status) return status;
    return stguard::make_error(ErrorCode::producer_failed, "upstream connection lost");
  }));
  const auto status = builder.save_to_path(target.path.string());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::producer_failed);
  CHECK(status.error().tensor == "b.failing");
  CHECK(status.error().message.find("upstream connection lost") != std::string::npos);
  check_left_alone(target);
}
