// Streaming output: a safetensors file written to any descriptor (pipe,
// socket, stdout) or sink in one pass and constant memory.
//
// The format puts the header first, so a stream can be written whenever every
// tensor's name, dtype and shape are known before its bytes. StreamWriter
// writes the validated header at begin(), then accepts each tensor's bytes in
// chunks, checking that tensors arrive in layout order (stream_out_of_order)
// and that each receives exactly its declared size (stream_wrong_byte_count).
// A stream that failed stays failed: the consumer has an incomplete file, and
// every later call reports the first error.
//
// FdSink is the descriptor sink: full-write loops (short writes, EINTR,
// EAGAIN on non-blocking descriptors), and SIGPIPE / SIGXFSZ blocked in the
// calling thread during each write, so a closed pipe or a file-size limit is
// an io_write_failed value (EPIPE, EFBIG), never a dead process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/writer.hpp"

namespace stguard {

namespace detail {
struct StreamWriterAccess;
}  // namespace detail

// Writes to a file descriptor it does not own (never closed here).
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) noexcept : fd_(fd) {}
  [[nodiscard]] Status write(std::span<const std::uint8_t> bytes) noexcept override;
  [[nodiscard]] std::uint64_t bytes_written() const noexcept { return written_; }
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_;
  std::uint64_t written_ = 0;
};

class StreamWriter {
 public:
  // Validates and lays out `spec` (serialize_header), then writes the 8-byte
  // length and the header to `sink`, which must outlive the StreamWriter.
  [[nodiscard]] static Result<StreamWriter> begin(ByteSink& sink, const HeaderSpec& spec,
                                                  const WriterOptions& options = {}) noexcept;

  // Starts the next tensor. It must be the next one in layout order; tensors
  // of zero bytes may be skipped (they own no bytes) or named explicitly.
  // The previous tensor must be complete. Errors: stream_out_of_order,
  // stream_wrong_byte_count, tensor_not_found.
  Status begin_tensor(std::string_view name) noexcept;
  // Bytes of the current tensor; more than it has left is
  // stream_wrong_byte_count and nothing of the chunk is written.
  Status write(std::span<const std::uint8_t> bytes) noexcept;
  // Checks that every tensor received all its bytes.
  Status finish() noexcept;

  // The header written (strict-validated; tensors in data order).
  [[nodiscard]] const Header& header() const noexcept { return header_; }
  // Indexes into the HeaderSpec's tensors, in the order their bytes are due.
  [[nodiscard]] std::span<const std::size_t> layout() const noexcept { return layout_; }
  // The tensor whose bytes are due now (nullopt once all are complete).
  [[nodiscard]] std::optional<std::string_view> expected_tensor() const noexcept;
  // Bytes the current tensor still needs (0 when none is open).
  [[nodiscard]] std::uint64_t remaining_in_tensor() const noexcept { return remaining_; }
  [[nodiscard]] std::uint64_t bytes_written() const noexcept { return written_; }
  [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }
  // The sticky error (only when failed()).
  [[nodiscard]] const Error& error() const noexcept { return *error_; }

 private:
  friend struct detail::StreamWriterAccess;
  friend struct ResultPoison<StreamWriter>;

  struct Slot {
    std::string name;
    std::uint64_t size = 0;
  };

  StreamWriter(ByteSink& sink, SerializedHeader header) noexcept;
  Status fail(Error error) noexcept;
  Status write_header(std::span<const std::uint8_t> prefix) noexcept;

  ByteSink* sink_;
  Header header_;
  std::vector<std::size_t> layout_;
  std::vector<Slot> slots_;        // layout order
  std::size_t next_ = 0;           // first slot not yet begun
  std::optional<std::size_t> current_;
  std::uint64_t remaining_ = 0;
  std::uint64_t written_ = 0;
  std::optional<Error> error_;
};

// A failed begin() dereferences to a writer that has already failed with
// that error: every call returns it and nothing is written anywhere.
template <>
struct ResultPoison<StreamWriter> {
  [[nodiscard]] static StreamWriter make(const Error& why) noexcept;
};

}  // namespace stguard
