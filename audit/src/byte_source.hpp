// ByteSource: where the audit reads a file's bytes from, a caller's buffer,
// a file descriptor or a caller's RangeReader (audit.hpp), behind one
// bounds-checked interface.
//
// Every read names an absolute range and is checked against the size taken
// once at open (fstat), so a range past the end is an error, never a short
// read. A memory source hands out sub-spans of the buffer without copying; a
// file source preads (a reader source reads) into a scratch buffer the
// caller owns (one per thread: pread has no shared file position, and a
// RangeReader is safe to call from several threads, so a const ByteSource is
// safe to share).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stguard/audit.hpp"
#include "stguard/error.hpp"

namespace stguard::audit::detail {

class ByteSource {
 public:
  // Borrows `bytes`; the buffer must outlive the source.
  [[nodiscard]] static ByteSource from_memory(std::span<const std::uint8_t> bytes) noexcept;
  // Borrows `reader`, which must outlive the source.
  [[nodiscard]] static ByteSource from_reader(const RangeReader& reader) noexcept;
  // Opens a regular file read-only (io_open_failed, io_not_regular_file, io_read_failed).
  [[nodiscard]] static Result<ByteSource> open(const std::string& path);

  ByteSource(ByteSource&& other) noexcept;
  ByteSource& operator=(ByteSource&& other) noexcept;
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;
  ~ByteSource();

  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] bool is_memory() const noexcept { return fd_ < 0 && reader_ == nullptr; }

  // The bytes of [offset, offset + length): a view into the buffer (memory),
  // or read into `scratch` (file or reader; resized to `length`, which the
  // caller bounds). Valid until `scratch` is next used or the source dies.
  [[nodiscard]] Result<std::span<const std::uint8_t>> view(std::uint64_t offset, std::size_t length,
                                                           std::vector<std::uint8_t>& scratch) const;

 private:
  ByteSource(std::span<const std::uint8_t> memory, int fd, std::uint64_t size) noexcept
      : memory_(memory), fd_(fd), size_(size) {}

  std::span<const std::uint8_t> memory_;
  const RangeReader* reader_ = nullptr;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace stguard::audit::detail

namespace stguard {
// A failed open() dereferences to an empty source (error.hpp).
template <>
struct ResultPoison<audit::detail::ByteSource> {
  [[nodiscard]] static audit::detail::ByteSource make(const Error& /*why*/) noexcept {
    return audit::detail::ByteSource::from_memory({});
  }
};
}  // namespace stguard
