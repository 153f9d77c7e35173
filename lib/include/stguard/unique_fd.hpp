// UniqueFd: the one owner of a file descriptor used across stguard (reader,
// writer, validators, tools). Closes once; movable, not copyable.
#pragma once

#include <string>

#include "stguard/error.hpp"

namespace stguard {

class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release() noexcept;
  // Closes now (errors ignored: use close_checked where they matter).
  void reset() noexcept;
  // close(2) with its error reported: a delayed write error can surface here.
  [[nodiscard]] Status close_checked() noexcept;

 private:
  int fd_ = -1;
};

// The one way stguard opens a file to read it (the validators, the Reader,
// the tools' text files): read-only, close-on-exec, never as a controlling
// terminal, and non-blocking, so opening a FIFO cannot hang (the caller's
// fstat then refuses what is not a regular file). A failure is io_open_failed
// "cannot open: <the system's text>" with `path` as the error's path.
[[nodiscard]] Result<UniqueFd> open_for_reading(const std::string& path) noexcept;

}  // namespace stguard
