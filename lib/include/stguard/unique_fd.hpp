// UniqueFd: the one owner of a file descriptor used across stguard (reader,
// writer, validators, tools). Closes once; movable, not copyable.
#pragma once

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

}  // namespace stguard
