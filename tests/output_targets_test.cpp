// What every writer does with an output path that already exists and is not
// a regular file (atomic_file.hpp): a character device or FIFO is streamed
// to and is still a device or FIFO afterwards; a symlink stays a link; a
// folder, socket or block device is refused; no temporary file is ever left.
// Checked for the library (save_to_path, AtomicFile, save_sharded) and every
// writing tool (st-rewrite OUT, st-shard join, st-audit --manifest).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "stguard/atomic_file.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/shard_writer.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;
using stguard::test::run_tool;

namespace {

const Bytes& tensor_bytes() {
  static const Bytes data(16, 7);
  return data;
}

stguard::FileBuilder small_builder() {
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("w", Dtype::U8, {tensor_bytes().size()}, tensor_bytes()));
  return builder;
}

bool has_temp_file(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().find(stguard::kTempFileMarker) != std::string::npos) return true;
  }
  return false;
}

mode_t type_of(const fs::path& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info.st_mode & S_IFMT;
}

// A character device that discards writes (the numbers of /dev/null), or an
// empty path when this process may not create device nodes.
fs::path make_null_device(const fs::path& dir) {
  const fs::path node = dir / "null";
  if (::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
    WARN("mknod is not permitted here (" << std::strerror(errno) << "): device-node checks skipped");
    return {};
  }
  return node;
}

fs::path make_fifo(const fs::path& dir, const std::string& name) {
  const fs::path fifo = dir / name;
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  return fifo;
}

// Drains a FIFO on another thread while `write` runs; returns the bytes read.
// `write` must not throw (no REQUIRE), or the reader thread is never joined.
std::string through_fifo(const fs::path& fifo, const std::function<void()>& write) {
  std::string received;
  std::thread reader([&] {
    const int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
  });
  write();
  reader.join();
  return received;
}

// A bound Unix socket at `path` (closed again; the node stays).
void make_socket(const fs::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  REQUIRE(path.string().size() < sizeof address.sun_path);
  std::strcpy(address.sun_path, path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  ::close(fd);
}

}  // namespace

TEST_CASE("save_to_path streams to a character device and leaves it a device", "[writer][targets]") {
  stguard::test::TempDir dir;
  const fs::path node = make_null_device(dir.path());
  if (node.empty()) return;
  REQUIRE(small_builder().save_to_path(node.string()));
  CHECK(type_of(node) == S_IFCHR);
  CHECK_FALSE(has_temp_file(dir.path()));
  // Through a symlink too: the link stays a link to the device.
  const fs::path link = dir.path() / "link";
  fs::create_symlink(node, link);
  REQUIRE(small_builder().save_to_path(link.string()));
  CHECK(type_of(link) == S_IFLNK);
  CHECK(type_of(node) == S_IFCHR);
  CHECK_FALSE(has_temp_file(dir.path()));
}

TEST_CASE("save_to_path streams the whole file to a FIFO and leaves it a FIFO", "[writer][targets]") {
  stguard::test::TempDir dir;
  const fs::path fifo = make_fifo(dir.path(), "pipe");
  const std::string received =
      through_fifo(fifo, [&] { CHECK(small_builder().save_to_path(fifo.string()).ok()); });
  CHECK(stguard::test::as_bytes(received) == small_builder().save().value());
  CHECK(type_of(fifo) == S_IFIFO);
  CHECK_FALSE(has_temp_file(dir.path()));
}

TEST_CASE("folders, sockets, block devices and dangling links are refused, untouched", "[writer][targets]") {
  stguard::test::TempDir dir;
  std::vector<std::pair<fs::path, mode_t>> targets;
  fs::create_directory(dir.path() / "folder");
  targets.emplace_back(dir.path() / "folder", S_IFDIR);
  make_socket(dir.path() / "sock");
  targets.emplace_back(dir.path() / "sock", S_IFSOCK);
  fs::create_symlink(dir.path() / "nowhere", dir.path() / "dangling");
  targets.emplace_back(dir.path() / "dangling", S_IFLNK);
  fs::create_symlink(dir.path() / "folder", dir.path() / "to_folder");
  targets.emplace_back(dir.path() / "to_folder", S_IFLNK);
  if (::mknod((dir.path() / "block").c_str(), S_IFBLK | 0600, ::makedev(7, 200)) == 0) {
    targets.emplace_back(dir.path() / "block", S_IFBLK);
  } else {
    WARN("mknod is not permitted here: the block-device check is skipped");
  }
  for (const auto& [path, type] : targets) {
    INFO(path.string());
    const auto saved = small_builder().save_to_path(path.string());
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == ErrorCode::io_not_regular_file);
    CHECK(type_of(path) == type);
    // AtomicFile applies the same rule.
    auto file = stguard::AtomicFile::create(path.string());
    REQUIRE_FALSE(file.ok());
    CHECK(file.error().code == ErrorCode::io_not_regular_file);
  }
  CHECK_FALSE(fs::exists(dir.path() / "nowhere"));
  CHECK(fs::is_empty(dir.path() / "folder"));
  CHECK_FALSE(has_temp_file(dir.path()));
}

TEST_CASE("AtomicFile refuses to rename over a device or a FIFO; OutputFile streams to them", "[writer][targets]") {
  stguard::test::TempDir dir;
  const fs::path fifo = make_fifo(dir.path(), "pipe");
  auto atomic = stguard::AtomicFile::create(fifo.string());
  REQUIRE_FALSE(atomic.ok());
  CHECK(atomic.error().code == ErrorCode::io_not_regular_file);
  CHECK(type_of(fifo) == S_IFIFO);
  const std::string received = through_fifo(fifo, [&] {
    auto output = stguard::OutputFile::open(fifo.string());
    CHECK(output.ok());
    if (!output) return;
    CHECK(output->is_stream());
    CHECK(output->sink().write(stguard::test::as_bytes("streamed")).ok());
    CHECK(output->commit().ok());
  });
  CHECK(received == "streamed");
  CHECK(type_of(fifo) == S_IFIFO);
  CHECK_FALSE(has_temp_file(dir.path()));
}

TEST_CASE("save_sharded with replace_existing never renames over a non-regular shard name", "[writer][targets]") {
  stguard::test::TempDir dir;
  const fs::path fifo = make_fifo(dir.path(), "model.safetensors.index.json");
  stguard::ShardWriteOptions options;
  options.replace_existing = true;
  const auto saved = stguard::save_sharded(small_builder(), dir.path().string(), options);
  REQUIRE_FALSE(saved.ok());
  CHECK(saved.error().code == ErrorCode::io_not_regular_file);
  CHECK(type_of(fifo) == S_IFIFO);
  CHECK_FALSE(has_temp_file(dir.path()));
  CHECK_FALSE(fs::exists(dir.path() / "model-00001-of-00001.safetensors"));
}

TEST_CASE("writing tools stream to devices and FIFOs and refuse folders, never replacing them", "[cli][targets]") {
  stguard::test::TempDir dir;
  const Bytes model = small_builder().save().value();
  const fs::path in = dir.write("in.safetensors", model);
  fs::create_directory(dir.path() / "shards");
  REQUIRE(run_tool("st-shard", {"split", "--max-shard-size", "1000", in.string(), (dir.path() / "shards").string()})
              .exit_status == 0);
  const std::string index = (dir.path() / "shards" / "model.safetensors.index.json").string();
  const fs::path out_dir = dir.path() / "out";
  fs::create_directory(out_dir);

  // Each writing command, with its output target as the last argument.
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"st-rewrite", {in.string()}},
      {"st-shard", {"join", index}},
      {"st-audit", {in.string(), "--manifest"}},
  };
  const fs::path node = make_null_device(out_dir);
  const fs::path fifo = make_fifo(out_dir, "pipe");
  const fs::path folder = out_dir / "folder";
  fs::create_directory(folder);
  const fs::path link_to_fifo = out_dir / "to_pipe";
  fs::create_symlink(fifo, link_to_fifo);

  for (const auto& command : commands) {
    // Named references, not a structured binding: lambdas below capture them.
    const std::string& tool = command.first;
    const std::vector<std::string>& leading = command.second;
    INFO(tool);
    const auto with_target = [&](const fs::path& target) {
      std::vector<std::string> args = leading;
      args.push_back(target.string());
      return args;
    };
    if (!node.empty()) {
      const auto ran = run_tool(tool, with_target(node));
      INFO(ran.err);
      CHECK(ran.exit_status == 0);
      CHECK(type_of(node) == S_IFCHR);
    }
    for (const fs::path& target : {fifo, link_to_fifo}) {
      stguard::test::ToolResult ran;
      const std::string received = through_fifo(fifo, [&] { ran = run_tool(tool, with_target(target)); });
      INFO(ran.err);
      CHECK(ran.exit_status == 0);
      CHECK_FALSE(received.empty());
      CHECK(type_of(fifo) == S_IFIFO);
      CHECK(type_of(link_to_fifo) == S_IFLNK);
    }
    const auto refused = run_tool(tool, with_target(folder));
    CHECK(refused.exit_status == 2);
    CHECK(refused.err.find("IO_NOT_REGULAR_FILE") != std::string::npos);
    CHECK(refused.err.find("folder") != std::string::npos);
    CHECK(fs::is_directory(folder));
    CHECK(fs::is_empty(folder));
    CHECK_FALSE(has_temp_file(out_dir));
  }
}
