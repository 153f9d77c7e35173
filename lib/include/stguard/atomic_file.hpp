// AtomicFile: replace a file so that every observer sees either the old
// contents or the complete new contents, never a mixture, and a failure
// leaves nothing behind.
//
// The bytes go to a temporary file created beside the target (same directory,
// so rename cannot cross filesystems) with O_CREAT | O_EXCL | O_NOFOLLOW and an
// unpredictable name:
//
//     .<target name>.stguard-tmp-<16 random hex digits>
//
// commit() fsyncs it, renames it over the target and fsyncs the directory.
// Anything that fails before the rename (disk full, EFBIG from a file-size
// limit, a permission, a producer) removes the temporary file and leaves the
// target exactly as it was. The rename gives the target a new inode, so a
// reader that has the old file open or memory-mapped keeps seeing the old
// bytes. The one thing no code can clean up is a process killed with SIGKILL
// (or a power cut) mid-write: its temporary file stays, recognisable by the
// pattern above (kTempFileMarker), and may be deleted by anyone who sees it
// with no writer running.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stguard/error.hpp"
#include "stguard/stream_writer.hpp"

namespace stguard {

// Every temporary file stguard creates has this in its name.
inline constexpr std::string_view kTempFileMarker = ".stguard-tmp-";

struct AtomicWriteOptions {
  // fsync the file before the rename and the directory after it, so that a
  // crash cannot leave an empty or partial file under the target's name.
  bool durable = true;
  // false: fail (io_write_failed, "exists") instead of replacing an existing
  // target; enforced by the rename itself (RENAME_NOREPLACE), so no race.
  bool replace_existing = true;
};

class AtomicFile {
 public:
  // Creates the temporary file beside `target_path`. If the target exists,
  // the new file gets its permission bits, so rewriting a 0600 file does not
  // widen who can read it. io_open_failed when the folder is missing or not
  // writable; invalid_argument for an empty path or one naming a directory.
  [[nodiscard]] static Result<AtomicFile> create(const std::string& target_path,
                                                 const AtomicWriteOptions& options = {}) noexcept;

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  // Discards the temporary file unless commit() succeeded.
  ~AtomicFile();

  // Writes go to the temporary file (FdSink: full writes, EFBIG/ENOSPC as errors).
  [[nodiscard]] ByteSink& sink() noexcept { return sink_; }
  // The temporary file, open read-write (for checks before commit).
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] const std::string& temp_name() const noexcept { return temp_name_; }
  [[nodiscard]] const std::string& target_path() const noexcept { return target_path_; }

  // fsync, close, rename over the target, fsync the directory. On an error
  // before the rename, the temporary file is removed and the target is as it
  // was. An error after the rename (the directory fsync) means the new file
  // is in place but its durability is not confirmed; the message says so.
  Status commit() noexcept;
  // Removes the temporary file; the target is untouched. Idempotent.
  void discard() noexcept;

 private:
  AtomicFile() noexcept = default;

  std::string target_path_;
  std::string target_name_;  // the last path component
  std::string temp_name_;    // in the same directory
  int dir_fd_ = -1;
  int fd_ = -1;
  FdSink sink_{-1};
  AtomicWriteOptions options_;
  bool committed_ = false;
};

}  // namespace stguard
