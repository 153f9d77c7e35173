// ProgressBar: a one-line progress display on standard error for long data
// passes (hashing, value scans): bytes done, rate and time left. It draws only
// when the stream is a terminal; on a pipe or a file it prints nothing, so
// logs and CI output stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace stguard::cli {

class ProgressBar {
 public:
  // Enabled when `fd` is a terminal (or when `force` is set, for tests).
  explicit ProgressBar(int fd, bool force = false);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  // Starts a new task: resets the clock; `label` is escaped for display.
  void start(const std::string& label);
  // Redraws (at most ten times a second, and always at 100%).
  void update(std::uint64_t done, std::uint64_t total);
  // Erases the line.
  void finish();

 private:
  void draw(std::uint64_t done, std::uint64_t total);

  int fd_;
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

// "1.5 GiB", "12.0 MiB", "512 B".
[[nodiscard]] std::string human_bytes(double bytes);
// "1:02:03" or "2:03".
[[nodiscard]] std::string human_duration(double seconds);

}  // namespace stguard::cli
