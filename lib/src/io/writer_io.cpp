// System calls of the writer (see writer_io.hpp). Every loop here retries
// EINTR, and every error becomes an io_* value with errno's text (io/errno_message.hpp).
#include "io/writer_io.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "stguard/atomic_file.hpp"

namespace stguard::detail::writer_io {
namespace {

// Blocks SIGPIPE and SIGXFSZ in this thread while it lives. A write to a
// closed pipe, or past RLIMIT_FSIZE, then fails with EPIPE / EFBIG instead of
// killing the process; the signal it left pending is consumed before the
// previous mask is restored. Only signals the caller had not blocked itself
// are consumed: one the caller blocked may have been pending before us.
class WriteSignalBlocker {
 public:
  WriteSignalBlocker() noexcept {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    sigaddset(&block, SIGXFSZ);
    active_ = ::pthread_sigmask(SIG_BLOCK, &block, &previous_) == 0;
  }
  ~WriteSignalBlocker() {
    if (!active_) return;
    const int saved_errno = errno;
    sigset_t pending;
    sigemptyset(&pending);
    if (::sigpending(&pending) == 0) {
      for (const int signal_number : {SIGPIPE, SIGXFSZ}) {
        if (sigismember(&previous_, signal_number) == 1 || sigismember(&pending, signal_number) != 1) continue;
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, signal_number);
        const timespec no_wait{0, 0};
        while (::sigtimedwait(&only, nullptr, &no_wait) < 0 && errno == EINTR) {
        }
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    errno = saved_errno;
  }
  WriteSignalBlocker(const WriteSignalBlocker&) = delete;
  WriteSignalBlocker& operator=(const WriteSignalBlocker&) = delete;

 private:
  sigset_t previous_{};
  bool active_ = false;
};

bool wait_writable(int fd) noexcept {
  pollfd poller{fd, POLLOUT, 0};
  for (;;) {
    const int ready = ::poll(&poller, 1, -1);
    if (ready >= 0) return true;
    if (errno != EINTR) return false;
  }
}

// 64 unpredictable bits as 16 hex digits. getrandom first; /dev/urandom for
// kernels without it. Predictable names would let another local user
// pre-create the temporary file (O_EXCL makes that a failure, not a hijack,
// but a failure is still a denial of service).
bool random_hex(std::string& out) {
  std::array<unsigned char, 8> bits{};
  std::size_t got = 0;
  while (got < bits.size()) {
    const ssize_t n = ::getrandom(bits.data() + got, bits.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (got < bits.size()) {
    const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    got = 0;
    while (got < bits.size()) {
      const ssize_t n = ::read(fd, bits.data() + got, bits.size() - got);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        break;
      }
    }
    ::close(fd);
    if (got < bits.size()) return false;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.clear();
  for (const unsigned char byte : bits) {
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xFU];
  }
  return true;
}

}  // namespace

Status write_all(int fd, std::span<const std::uint8_t> bytes, std::uint64_t position) noexcept {
  return detail::without_exceptions([&]() -> Status {
    WriteSignalBlocker blocker;
    // Linux moves at most about 2 GiB per write(2); asking for 1 GiB keeps
    // every request well inside ssize_t on any platform.
    constexpr std::size_t kMaxRequest = std::size_t{1} << 30;
    std::size_t done = 0;
    while (done < bytes.size()) {
      const std::size_t request = std::min(bytes.size() - done, kMaxRequest);
      const ssize_t wrote = ::write(fd, bytes.data() + done, request);
      if (wrote < 0) {
        const int err = errno;
        if (err == EINTR) continue;
        if ((err == EAGAIN || err == EWOULDBLOCK) && wait_writable(fd)) continue;
        return make_error(ErrorCode::io_write_failed, errno_message("write failed", err), position + done);
      }
      if (wrote == 0) {
        return make_error(ErrorCode::io_write_failed, "write made no progress", position + done);
      }
      done += static_cast<std::size_t>(wrote);
    }
    return {};
  });
}

Result<SplitPath> split_path(const std::string& path) {
  if (path.empty()) return make_error(ErrorCode::invalid_argument, "the output path is empty");
  if (path.find('\0') != std::string::npos) {
    return make_error(ErrorCode::invalid_argument, "the output path contains a NUL byte");
  }
  if (path.back() == '/') return make_error(ErrorCode::invalid_argument, "the output path names a folder");
  SplitPath split;
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    split.directory = ".";
    split.name = path;
  } else {
    split.directory = slash == 0 ? std::string("/") : path.substr(0, slash);
    split.name = path.substr(slash + 1);
  }
  if (split.name == "." || split.name == "..") {
    return make_error(ErrorCode::invalid_argument, "the output path names a folder");
  }
  return split;
}

Result<UniqueFd> open_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io_open_failed, errno_message("cannot open the folder", errno));
  return UniqueFd(fd);
}

namespace {

std::string_view file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISFIFO(mode)) return "a FIFO";
  return "not a regular file";
}

Error not_writable_type(mode_t mode) {
  return make_error(ErrorCode::io_not_regular_file,
                    "the output path is " + std::string(file_type_name(mode)) +
                        "; stguard writes only regular files (replaced atomically), character devices, "
                        "FIFOs and '-' (streamed)");
}

}  // namespace

Result<OutputTarget> resolve_output_target(const std::string& path) {
  OutputTarget target;
  if (path == "-") {
    target.kind = OutputTarget::Kind::stream;
    target.standard_output = true;
    return target;
  }
  if (auto split = split_path(path); !split) return std::move(split).error();
  struct stat final_object {};
  if (::stat(path.c_str(), &final_object) != 0) {
    const int err = errno;
    struct stat link {};
    if (err == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
      return make_error(ErrorCode::io_not_regular_file,
                        "the output path is a symbolic link to nothing; not creating a file through it");
    }
    if (err != ENOENT) return make_error(ErrorCode::io_open_failed, errno_message("cannot check the output path", err));
    target.path = path;  // a new file; a missing folder is reported when it is opened
    return target;
  }
  if (S_ISREG(final_object.st_mode)) {
    struct stat link {};
    if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
      char* resolved = ::realpath(path.c_str(), nullptr);
      if (resolved == nullptr) {
        return make_error(ErrorCode::io_open_failed, errno_message("cannot resolve the symbolic link", errno));
      }
      target.path = resolved;
      std::free(resolved);  // NOLINT(cppcoreguidelines-no-malloc): realpath's contract
    } else {
      target.path = path;
    }
    return target;
  }
  if (S_ISCHR(final_object.st_mode) || S_ISFIFO(final_object.st_mode)) {
    target.kind = OutputTarget::Kind::stream;
    target.path = path;
    return target;
  }
  return not_writable_type(final_object.st_mode);
}

Result<UniqueFd> open_stream(const std::string& path) {
  // Opening a FIFO blocks until a reader comes, as a shell redirection does.
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return make_error(ErrorCode::io_open_failed, errno_message("cannot open the output for writing", errno));
  UniqueFd stream(fd);
  // What was opened is what counts (the path may have changed since stat).
  struct stat opened {};
  if (::fstat(fd, &opened) != 0) return make_error(ErrorCode::io_open_failed, errno_message("cannot check the output", errno));
  if (!S_ISCHR(opened.st_mode) && !S_ISFIFO(opened.st_mode)) {
    return make_error(ErrorCode::io_file_changed, "the output path changed type while it was being opened");
  }
  return stream;
}

Status check_replaceable(int dir_fd, const std::string& name) {
  struct stat existing {};
  if (::fstatat(dir_fd, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) != 0) return {};  // nothing there yet
  if (S_ISREG(existing.st_mode)) return {};
  return not_writable_type(existing.st_mode);
}

Result<TempFile> create_temp_file(int dir_fd, std::string_view target_name) {
  if (Status replaceable = check_replaceable(dir_fd, std::string(target_name)); !replaceable) return replaceable.error();
  // Keep the temporary name within NAME_MAX (255) whatever the target's length.
  constexpr std::size_t kMaxStem = 200;
  const std::string stem(target_name.substr(0, kMaxStem));
  int last_error = 0;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string random;
    if (!random_hex(random)) {
      return make_error(ErrorCode::io_open_failed, "no source of randomness for a temporary file name");
    }
    TempFile temp;
    temp.name = "." + stem + std::string(kTempFileMarker) + random;
    const int fd = ::openat(dir_fd, temp.name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                            0666);
    if (fd < 0) {
      last_error = errno;
      if (last_error == EEXIST || last_error == EINTR) continue;
      return make_error(ErrorCode::io_open_failed,
                        errno_message("cannot create a temporary file in the output folder", last_error));
    }
    temp.fd = UniqueFd(fd);
    struct stat existing {};
    if (::fstatat(dir_fd, std::string(target_name).c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(existing.st_mode)) {
      if (::fchmod(fd, existing.st_mode & 0777) != 0) {
        const int err = errno;
        temp.fd.reset();
        remove_quietly(dir_fd, temp.name);
        return make_error(ErrorCode::io_write_failed,
                          errno_message("cannot give the new file the permissions of the old one", err));
      }
    }
    return temp;
  }
  return make_error(ErrorCode::io_open_failed, errno_message("cannot create a unique temporary file", last_error));
}

Status sync_and_close(UniqueFd& fd, bool durable) noexcept {
  if (durable) {
    while (::fsync(fd.get()) != 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      fd.reset();
      try {
        return make_error(ErrorCode::io_write_failed, errno_message("fsync failed", err));
      } catch (...) {
        return make_error(ErrorCode::io_write_failed, {});
      }
    }
  }
  return fd.close_checked();
}

Status publish_file(int dir_fd, const std::string& temp_name, const std::string& target_name,
                    bool replace_existing) noexcept {
  try {
    // Checked again right before the rename: only a regular file is ever
    // replaced (the window left is one a writer of the folder could use anyway).
    if (Status replaceable = check_replaceable(dir_fd, target_name); !replaceable) return replaceable;
    if (replace_existing) {
      if (::renameat(dir_fd, temp_name.c_str(), dir_fd, target_name.c_str()) != 0) {
        return make_error(ErrorCode::io_write_failed, errno_message("cannot rename the new file into place", errno));
      }
      return {};
    }
    if (::renameat2(dir_fd, temp_name.c_str(), dir_fd, target_name.c_str(), RENAME_NOREPLACE) == 0) return {};
    int err = errno;
    if (err == EINVAL || err == ENOSYS) {
      // The filesystem has no RENAME_NOREPLACE: link(2) also refuses an
      // existing name atomically; then drop the temporary name.
      if (::linkat(dir_fd, temp_name.c_str(), dir_fd, target_name.c_str(), 0) == 0) {
        remove_quietly(dir_fd, temp_name);
        return {};
      }
      err = errno;
    }
    if (err == EEXIST) {
      return make_error(ErrorCode::io_write_failed,
                        "the output file already exists (not replacing it)");
    }
    return make_error(ErrorCode::io_write_failed, errno_message("cannot rename the new file into place", err));
  } catch (...) {
    return make_error(ErrorCode::io_write_failed, {});
  }
}

Status sync_directory(int dir_fd) noexcept {
  while (::fsync(dir_fd) != 0) {
    if (errno == EINTR) continue;
    if (errno == EINVAL) return {};
    try {
      return make_error(ErrorCode::io_write_failed,
                        errno_message("the new file is in place, but syncing its folder failed", errno));
    } catch (...) {
      return make_error(ErrorCode::io_write_failed, {});
    }
  }
  return {};
}

void remove_quietly(int dir_fd, const std::string& name) noexcept {
  if (dir_fd >= 0 && !name.empty()) (void)::unlinkat(dir_fd, name.c_str(), 0);
}

}  // namespace stguard::detail::writer_io
