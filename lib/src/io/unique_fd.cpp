// The descriptor owner shared by every part of stguard that opens files.
#include "stguard/unique_fd.hpp"

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

}  // namespace stguard
