// Streaming output: StreamWriter's order and byte-count discipline, FdSink
// on hostile descriptors (a full disk, a closed pipe), and a large checkpoint
// generated on the fly and streamed through a pipe into `st-validate -`.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "stguard/stream_writer.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using stguard::Dtype;
using stguard::ErrorCode;
using stguard::StreamWriter;
using stguard::test::Bytes;

namespace {

class MemorySink final : public stguard::ByteSink {
 public:
  stguard::Status write(std::span<const std::uint8_t> bytes) noexcept override {
    out.insert(out.end(), bytes.begin(), bytes.end());
    return {};
  }
  Bytes out;
};

stguard::HeaderSpec three_tensors() {
  stguard::HeaderSpec spec;
  // Layout order: "c" (I64), "a" (F32), "e" (F32, 0 bytes), "b" (U8).
  spec.tensors = {{"b", Dtype::U8, {3}}, {"a", Dtype::F32, {2}}, {"c", Dtype::I64, {1}}, {"e", Dtype::F32, {0}}};
  spec.metadata = {{"format", "pt"}};
  return spec;
}

std::span<const std::uint8_t> bytes_of(const char* text) {
  return {reinterpret_cast<const std::uint8_t*>(text), std::strlen(text)};
}

}  // namespace

TEST_CASE("a stream in layout order gives the builder's bytes", "[writer][stream]") {
  MemorySink sink;
  auto stream = StreamWriter::begin(sink, three_tensors());
  REQUIRE(stream.ok());
  const std::size_t header_bytes = sink.out.size();
  CHECK(header_bytes == 8 + stream->header().header_length());
  CHECK(stream->expected_tensor() == std::optional<std::string_view>("c"));
  REQUIRE(stream->begin_tensor("c"));
  REQUIRE(stream->write(bytes_of("CCCC")));
  REQUIRE(stream->write(bytes_of("CCCC")));
  REQUIRE(stream->begin_tensor("a"));
  REQUIRE(stream->write(bytes_of("AAAAAAAA")));
  REQUIRE(stream->begin_tensor("b"));  // "e" owns no bytes: it may be passed over
  REQUIRE(stream->write(bytes_of("BBB")));
  REQUIRE(stream->finish());
  CHECK(stream->bytes_written() == sink.out.size());

  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("b", Dtype::U8, {3}, bytes_of("BBB")));
  REQUIRE(builder.add_tensor("a", Dtype::F32, {2}, bytes_of("AAAAAAAA")));
  REQUIRE(builder.add_tensor("c", Dtype::I64, {1}, bytes_of("CCCCCCCC")));
  REQUIRE(builder.add_tensor("e", Dtype::F32, {0}, std::span<const std::uint8_t>()));
  REQUIRE(builder.set_metadata("format", "pt"));
  CHECK(builder.save().value() == sink.out);
  CHECK(stguard::validate_file(sink.out).ok());
}

TEST_CASE("a stream refuses wrong order and wrong byte counts, and stays failed", "[writer][stream]") {
  MemorySink sink;
  auto stream = StreamWriter::begin(sink, three_tensors());
  REQUIRE(stream.ok());
  const std::size_t header_bytes = sink.out.size();

  SECTION("bytes before begin_tensor") {
    CHECK(stream->write(bytes_of("x")).error().code == ErrorCode::stream_out_of_order);
  }
  SECTION("a tensor out of layout order") {
    const auto status = stream->begin_tensor("a");
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::stream_out_of_order);
    CHECK(status.error().message.find("expects \"c\"") != std::string::npos);
    // Sticky: even the right tensor is refused now.
    CHECK(stream->begin_tensor("c").error().code == ErrorCode::stream_out_of_order);
    CHECK(stream->failed());
  }
  SECTION("a tensor that is not in the header") {
    CHECK(stream->begin_tensor("nope").error().code == ErrorCode::tensor_not_found);
  }
  SECTION("a chunk larger than the tensor has left writes nothing") {
    REQUIRE(stream->begin_tensor("c"));
    REQUIRE(stream->write(bytes_of("1234")));
    const auto status = stream->write(bytes_of("12345"));
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::stream_wrong_byte_count);
    CHECK(status.error().tensor == "c");
    CHECK(sink.out.size() == header_bytes + 4);
  }
  SECTION("the next tensor before the current one is complete") {
    REQUIRE(stream->begin_tensor("c"));
    REQUIRE(stream->write(bytes_of("1234567")));
    const auto status = stream->begin_tensor("a");
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::stream_wrong_byte_count);
    CHECK(status.error().message.find("7 of its 8 bytes") != std::string::npos);
  }
  SECTION("finishing before every tensor got its bytes") {
    REQUIRE(stream->begin_tensor("c"));
    REQUIRE(stream->write(bytes_of("12345678")));
    const auto status = stream->finish();
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::stream_wrong_byte_count);
    CHECK(status.error().tensor == "a");
  }
  SECTION("a tensor begun twice") {
    REQUIRE(stream->begin_tensor("c"));
    REQUIRE(stream->write(bytes_of("12345678")));
    CHECK(stream->begin_tensor("c").error().code == ErrorCode::stream_out_of_order);
  }
}

TEST_CASE("a stream never starts from a spec strict would reject", "[writer][stream]") {
  MemorySink sink;
  stguard::HeaderSpec spec;
  spec.tensors = {{"w", Dtype::U8, {1}}, {"w", Dtype::U8, {2}}};
  auto stream = StreamWriter::begin(sink, spec);
  REQUIRE_FALSE(stream.ok());
  CHECK(stream.error().code == ErrorCode::duplicate_tensor_name);
  CHECK(sink.out.empty());
}

TEST_CASE("FdSink reports a full disk and a closed pipe as errors, not signals", "[writer][stream]") {
  SECTION("ENOSPC from /dev/full") {
    const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      WARN("no /dev/full here; skipped");
      return;
    }
    stguard::FdSink sink(fd);
    const Bytes data(4096, 7);
    const auto status = sink.write(data);
    ::close(fd);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::io_write_failed);
    CHECK(status.error().message.find("No space") != std::string::npos);
  }
  SECTION("EPIPE from a pipe with no reader, with SIGPIPE at its default action") {
    // The test runner ignores SIGPIPE elsewhere; restore the default so a
    // missed block would kill this process and fail the run loudly.
    struct sigaction previous {};
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    REQUIRE(::sigaction(SIGPIPE, &default_action, &previous) == 0);
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    ::close(fds[0]);
    stguard::FileBuilder builder;
    const Bytes data(1 << 16, 3);
    REQUIRE(builder.add_tensor("w", Dtype::U8, {data.size()}, data));
    const auto status = builder.save_to_fd(fds[1]);
    ::close(fds[1]);
    sigset_t pending;
    sigemptyset(&pending);
    REQUIRE(::sigpending(&pending) == 0);
    CHECK(sigismember(&pending, SIGPIPE) == 0);  // consumed, not left to fire later
    ::sigaction(SIGPIPE, &previous, nullptr);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == ErrorCode::io_write_failed);
    CHECK(status.error().message.find("Broken pipe") != std::string::npos);
  }
}

TEST_CASE("a large checkpoint streams through a pipe into st-validate -", "[writer][stream][cli]") {
  // 64 MiB in 16 tensors, produced on the fly in 256 KiB chunks: the writer
  // holds one chunk, st-validate holds the header; nothing holds the file.
  constexpr std::uint64_t kTensorBytes = std::uint64_t{4} << 20;
  constexpr int kTensors = 16;
  stguard::FileBuilder builder;
  for (int t = 0; t < kTensors; ++t) {
    const auto producer = [t](stguard::ByteSink& out) -> stguard::Status {
      Bytes chunk(256 << 10);
      for (std::uint64_t done = 0; done < kTensorBytes; done += chunk.size()) {
        for (std::size_t i = 0; i < chunk.size(); i += 4096) chunk[i] = static_cast<std::uint8_t>(done + static_cast<std::uint64_t>(t));
        if (auto status = out.write(chunk); !status) return status;
      }
      return {};
    };
    REQUIRE(builder.add_tensor("layer." + std::to_string(t) + ".weight", t % 2 ? Dtype::BF16 : Dtype::F32,
                               {kTensorBytes / (t % 2 ? 2 : 4)}, producer));
  }
  REQUIRE(builder.set_metadata("format", "pt"));

  ::signal(SIGPIPE, SIG_IGN);
  int to_validator[2];
  REQUIRE(::pipe2(to_validator, O_CLOEXEC) == 0);
  char out_name[] = "/tmp/stguard-stream-out-XXXXXX";
  const int out_fd = ::mkstemp(out_name);
  REQUIRE(out_fd >= 0);
  ::unlink(out_name);
  const std::string tool = stguard::test::tool_path("st-validate");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::dup2(to_validator[0], 0);
    ::dup2(out_fd, 1);
    ::execl(tool.c_str(), tool.c_str(), "-", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_validator[0]);
  const auto status = builder.save_to_fd(to_validator[1]);
  ::close(to_validator[1]);
  int wait_status = 0;
  REQUIRE(::waitpid(child, &wait_status, 0) == child);
  char report[512] = {};
  const ssize_t got = ::pread(out_fd, report, sizeof report - 1, 0);
  ::close(out_fd);
  INFO("st-validate said: " << (got > 0 ? std::string(report, static_cast<std::size_t>(got)) : std::string()));
  REQUIRE(status.ok());
  REQUIRE(WIFEXITED(wait_status));
  CHECK(WEXITSTATUS(wait_status) == 0);
  CHECK(std::string(report).find("OK (16 tensors") != std::string::npos);
}
