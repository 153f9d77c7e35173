// The descriptor owner shared by every part of stguard that opens files.
#include "stguard/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "io/errno_message.hpp"

namespace stguard {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status UniqueFd::close_checked() noexcept {
  if (fd_ < 0) return {};
  const int fd = release();
  // POSIX leaves the descriptor state unspecified after EINTR; Linux always
  // frees it, so never retry (a retry could close someone else's descriptor).
  if (::close(fd) != 0 && errno != EINTR) {
    try {
      return make_error(ErrorCode::io_write_failed, detail::errno_message("close failed", errno));
    } catch (...) {
      return Error{ErrorCode::io_write_failed, kNoOffset, {}, {}};
    }
  }
  return {};
}

Result<UniqueFd> open_for_reading(const std::string& path) noexcept {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd >= 0) return UniqueFd(fd);
  const int err = errno;
  return detail::without_exceptions([&]() -> Result<UniqueFd> {
    return with_path(make_error(ErrorCode::io_open_failed, detail::errno_message("cannot open", err)), path);
  });
}

}  // namespace stguard
