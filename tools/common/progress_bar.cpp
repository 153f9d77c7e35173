// Progress drawing: "\r" + the line + erase-to-end, written straight to the
// descriptor so it never interleaves with buffered stdout.
#include "common/progress_bar.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "common/terminal.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {
namespace {

constexpr int kBarWidth = 24;
constexpr std::size_t kMaxLabel = 32;

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd, text.data() + done, text.size() - done);
    if (wrote <= 0) return;  // progress is best effort
    done += static_cast<std::size_t>(wrote);
  }
}

}  // namespace

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return text;
}

std::string human_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<unsigned long long>(seconds + 0.5);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", total / 3600, (total / 60) % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%llu:%02llu", total / 60, total % 60);
  }
  return text;
}

ProgressBar::ProgressBar(int fd, bool force) : fd_(fd), enabled_(force || is_terminal(fd)) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::start(const std::string& label) {
  std::string shown = escape_for_display(label);
  if (shown.size() > kMaxLabel) shown = "..." + shown.substr(shown.size() - (kMaxLabel - 3));
  label_ = std::move(shown);
  started_ = std::chrono::steady_clock::now();
  last_draw_ = {};
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done, total);
}

void ProgressBar::draw(std::uint64_t done, std::uint64_t total) {
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const auto filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kBarWidth) bar += '>';
  bar.resize(kBarWidth, ' ');
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double left = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : -1.0;
  char percent[8];
  std::snprintf(percent, sizeof percent, "%3.0f%%", fraction * 100.0);
  std::string line = "\r" + label_ + " [" + bar + "] " + percent + " " + human_bytes(static_cast<double>(done)) + "/" +
                     human_bytes(static_cast<double>(total)) + " " + human_bytes(rate) + "/s ETA " +
                     human_duration(left) + "\x1b[K";
  write_all(fd_, line);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  write_all(fd_, "\r\x1b[K");
  drawn_ = false;
}

}  // namespace stguard::cli
