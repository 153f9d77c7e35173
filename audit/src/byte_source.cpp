// ByteSource: bounds-checked reads from a buffer or a regular file.
#include "byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "stguard/cursor.hpp"
#include "stguard/file_validate.hpp"

namespace stguard::audit::detail {

ByteSource ByteSource::from_memory(std::span<const std::uint8_t> bytes) noexcept {
  return ByteSource(bytes, -1, bytes.size());
}

ByteSource ByteSource::from_reader(const RangeReader& reader) noexcept {
  ByteSource source({}, -1, reader.size());
  source.reader_ = &reader;
  return source;
}

Result<ByteSource> ByteSource::open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return make_error(ErrorCode::io_open_failed, std::string("cannot open: ") + std::strerror(errno));
  ByteSource source({}, fd, 0);  // owns fd from here on
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return make_error(ErrorCode::io_read_failed, std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return make_error(ErrorCode::io_not_regular_file, S_ISDIR(info.st_mode) ? "is a directory" : "is not a regular file");
  }
  source.size_ = static_cast<std::uint64_t>(info.st_size);
  return source;
}

ByteSource::ByteSource(ByteSource&& other) noexcept
    : memory_(other.memory_), reader_(other.reader_), fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

ByteSource& ByteSource::operator=(ByteSource&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    memory_ = other.memory_;
    reader_ = other.reader_;
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

ByteSource::~ByteSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::span<const std::uint8_t>> ByteSource::view(std::uint64_t offset, std::size_t length,
                                                       std::vector<std::uint8_t>& scratch) const {
  if (offset > size_ || length > size_ - offset) {
    return make_error(ErrorCode::internal_error,
                      "audit read of " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                          " lies outside the file",
                      offset);
  }
  if (reader_ != nullptr) {
    scratch.resize(length);
    if (Status status = reader_->read(offset, scratch); !status) return status.error();
    return std::span<const std::uint8_t>(scratch.data(), length);
  }
  if (fd_ < 0) {
    ByteCursor cursor(memory_);
    std::span<const std::uint8_t> bytes;
    // offset <= size_ == memory_.size(), so it fits in size_t.
    if (!cursor.skip(static_cast<std::size_t>(offset)) || !cursor.read_bytes(length, bytes)) {
      return make_error(ErrorCode::internal_error, "audit read outside the buffer", offset);
    }
    return bytes;
  }
  scratch.resize(length);
  if (Status status = pread_exact(fd_, offset, scratch.data(), length); !status) return status.error();
  return std::span<const std::uint8_t>(scratch.data(), length);
}

}  // namespace stguard::audit::detail
