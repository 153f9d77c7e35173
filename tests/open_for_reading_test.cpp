// The one way the library opens a file to read it (open_for_reading) and the
// capped read of a small regular file built on it (read_regular_file), which
// the validators, the Reader and the tools' text files share.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "stguard/file_validate.hpp"
#include "stguard/unique_fd.hpp"
#include "support/test_files.hpp"

using stguard::ErrorCode;

TEST_CASE("open_for_reading opens, or names the path and the system's reason", "[io][open]") {
  stguard::test::TempDir dir;
  const std::string path = dir.write("a.txt", stguard::test::as_bytes("hello")).string();
  auto opened = stguard::open_for_reading(path);
  REQUIRE(opened.ok());
  CHECK(opened->valid());
  const std::string missing = path + ".missing";
  auto failed = stguard::open_for_reading(missing);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::io_open_failed);
  CHECK(failed.error().message == "cannot open: No such file or directory");
  CHECK(failed.error().path == missing);
}

TEST_CASE("read_regular_file reads a regular file under its cap and nothing else", "[io][open]") {
  stguard::test::TempDir dir;
  const std::string path = dir.write("a.txt", stguard::test::as_bytes("hello")).string();
  auto text = stguard::read_regular_file(path, 5);
  REQUIRE(text.ok());
  CHECK(*text == "hello");
  auto empty = stguard::read_regular_file(dir.write("empty", {}).string(), 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  auto large = stguard::read_regular_file(path, 4);
  REQUIRE_FALSE(large.ok());
  CHECK(large.error().code == ErrorCode::io_read_failed);
  CHECK(large.error().message == "the file is larger than 4 bytes");
  CHECK(large.error().path == path);

  auto folder = stguard::read_regular_file(dir.path().string(), 100);
  REQUIRE_FALSE(folder.ok());
  CHECK(folder.error().code == ErrorCode::io_not_regular_file);
  CHECK(folder.error().message == "is a directory");

  // A FIFO with no writer: opening must not hang, and it is refused.
  const std::string fifo = (dir.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto piped = stguard::read_regular_file(fifo, 100);
  REQUIRE_FALSE(piped.ok());
  CHECK(piped.error().code == ErrorCode::io_not_regular_file);
  CHECK(piped.error().message == "is not a regular file");
}
