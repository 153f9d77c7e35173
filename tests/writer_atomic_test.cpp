// Saving to a path: the target is replaced by rename (new inode, so a reader
// that mapped the old file keeps its bytes), permissions are kept, nothing
// is ever overwritten in place or left behind, and bad paths are refused
// before anything is created.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "stguard/atomic_file.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;

namespace {

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

stguard::FileBuilder builder_with(const Bytes& data, const std::string& name = "w") {
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor(name, Dtype::U8, {data.size()}, data));
  return builder;
}

}  // namespace

TEST_CASE("save_to_path writes what save() builds and leaves no temporary file", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const Bytes data(1000, 5);
  const auto builder = builder_with(data);
  const fs::path target = dir.path() / "model.safetensors";
  REQUIRE(builder.save_to_path(target.string()));
  CHECK(stguard::test::read_file(target) == builder.save().value());
  CHECK(entries(dir.path()) == std::vector<std::string>{"model.safetensors"});
  CHECK(stguard::validate_path(target.string()).ok());
}

TEST_CASE("replacing a memory-mapped file leaves the mapping's bytes intact", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const Bytes old_data(1 << 16, 0x11);
  const Bytes new_data(1 << 16, 0x22);
  const fs::path target = dir.path() / "model.safetensors";
  REQUIRE(builder_with(old_data).save_to_path(target.string()));
  const Bytes old_file = stguard::test::read_file(target);

  const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  struct stat before {};
  REQUIRE(::fstat(fd, &before) == 0);
  void* mapping = ::mmap(nullptr, old_file.size(), PROT_READ, MAP_SHARED, fd, 0);
  REQUIRE(mapping != MAP_FAILED);

  REQUIRE(builder_with(new_data).save_to_path(target.string()));

  // The reader's view: exactly the old file, byte for byte.
  CHECK(std::memcmp(mapping, old_file.data(), old_file.size()) == 0);
  ::munmap(mapping, old_file.size());
  ::close(fd);
  struct stat after {};
  REQUIRE(::stat(target.c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino);
  const Bytes now = stguard::test::read_file(target);
  CHECK(now != old_file);
  CHECK(now == builder_with(new_data).save().value());
}

TEST_CASE("the new file keeps the permission bits of the one it replaces", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const fs::path target = dir.path() / "secret.safetensors";
  const Bytes data(16, 1);
  REQUIRE(builder_with(data).save_to_path(target.string()));
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  REQUIRE(builder_with(Bytes(32, 2)).save_to_path(target.string()));
  struct stat info {};
  REQUIRE(::stat(target.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("replace_existing=false refuses an existing target without touching it", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const fs::path target = dir.path() / "model.safetensors";
  const Bytes keep = stguard::test::as_bytes("not even a safetensors file");
  dir.write("model.safetensors", keep);
  stguard::AtomicWriteOptions options;
  options.replace_existing = false;
  const auto status = builder_with(Bytes(8, 1)).save_to_path(target.string(), options);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::io_write_failed);
  CHECK(status.error().message.find("exists") != std::string::npos);
  CHECK(stguard::test::read_file(target) == keep);
  CHECK(entries(dir.path()) == std::vector<std::string>{"model.safetensors"});
  const fs::path fresh = dir.path() / "fresh.safetensors";
  CHECK(builder_with(Bytes(8, 1)).save_to_path(fresh.string(), options).ok());
}

TEST_CASE("a symlink at the target stays a link; the file it names is replaced atomically", "[writer][atomic]") {
  stguard::test::TempDir dir;
  fs::create_directory(dir.path() / "real");
  const fs::path real = dir.write("real/model.safetensors", stguard::test::as_bytes("old bytes"));
  const fs::path link = dir.path() / "model.safetensors";
  fs::create_symlink(real, link);
  REQUIRE(builder_with(Bytes(8, 1)).save_to_path(link.string()));
  CHECK(fs::is_symlink(link));
  CHECK(fs::read_symlink(link) == real);
  CHECK(stguard::validate_path(real.string()).ok());
  CHECK(entries(dir.path() / "real") == std::vector<std::string>{"model.safetensors"});
  CHECK(entries(dir.path()) == std::vector<std::string>{"model.safetensors", "real"});
}

TEST_CASE("bad output paths are refused before anything is created", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const Bytes data(8, 1);  // the builder borrows it: it must outlive every save
  const auto builder = builder_with(data);
  const auto code_for = [&](const std::string& path) {
    const auto status = builder.save_to_path(path);
    REQUIRE_FALSE(status.ok());
    return status.error().code;
  };
  CHECK(code_for("") == ErrorCode::invalid_argument);
  CHECK(code_for((dir.path() / "folder/").string()) == ErrorCode::invalid_argument);
  CHECK(code_for((dir.path() / "..").string()) == ErrorCode::invalid_argument);
  CHECK(code_for((dir.path() / "a").string() + std::string(1, '\0') + "b") == ErrorCode::invalid_argument);
  CHECK(code_for((dir.path() / "missing" / "x.safetensors").string()) == ErrorCode::io_open_failed);
  fs::create_directory(dir.path() / "a_folder");
  CHECK(code_for((dir.path() / "a_folder").string()) == ErrorCode::io_not_regular_file);  // never renamed onto
  CHECK(entries(dir.path()) == std::vector<std::string>{"a_folder"});
  CHECK(fs::is_empty(dir.path() / "a_folder"));
}

TEST_CASE("the temporary file is recognisable, beside the target, and gone afterwards", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const fs::path target = dir.path() / "model.safetensors";
  std::vector<std::string> seen_during_write;
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("w", Dtype::U8, {4}, [&](stguard::ByteSink& out) -> stguard::Status {
    seen_during_write = entries(dir.path());
    const Bytes four(4, 9);
    return out.write(four);
  }));
  REQUIRE(builder.save_to_path(target.string()));
  REQUIRE(seen_during_write.size() == 1);
  const std::regex temp_pattern(R"(^\.model\.safetensors\.stguard-tmp-[0-9a-f]{16}$)");
  CHECK(std::regex_match(seen_during_write[0], temp_pattern));
  CHECK(seen_during_write[0].find(stguard::kTempFileMarker) != std::string::npos);
  CHECK(entries(dir.path()) == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("an AtomicFile that is not committed leaves nothing", "[writer][atomic]") {
  stguard::test::TempDir dir;
  const fs::path target = dir.path() / "out.bin";
  {
    auto file = stguard::AtomicFile::create(target.string());
    REQUIRE(file.ok());
    REQUIRE(file->sink().write(stguard::test::as_bytes("partial")));
    CHECK(entries(dir.path()).size() == 1);
  }
  CHECK(fs::is_empty(dir.path()));
  auto file = stguard::AtomicFile::create(target.string());
  REQUIRE(file.ok());
  REQUIRE(file->sink().write(stguard::test::as_bytes("complete")));
  REQUIRE(file->commit());
  CHECK(stguard::test::as_string(stguard::test::read_file(target)) == "complete");
  CHECK(entries(dir.path()) == std::vector<std::string>{"out.bin"});
}
