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
//
// What an existing target gets is decided in one place for every writer
// (OutputFile below, AtomicFile, save_to_path, join_shards, the tools):
//   missing or a regular file   replaced atomically, as above
//   "-"                         streamed to standard output (OutputFile only)
//   a character device, a FIFO  streamed to (OutputFile only), never renamed over
//   a symbolic link             the rule applies to what it points to: a link to
//                               a regular file stays a link and the file it
//                               names is replaced (temporary file in *that*
//                               file's folder); a link to a device or FIFO is
//                               streamed to; a dangling link is refused
//   anything else (folder, socket, block device): IO_NOT_REGULAR_FILE, and
//                               nothing is created
// The rename itself re-checks that what it replaces is a regular file.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stguard/error.hpp"
#include "stguard/stream_writer.hpp"
#include "stguard/unique_fd.hpp"

namespace stguard {

// Every temporary file stguard creates has this in its name.
inline constexpr std::string_view kTempFileMarker = ".stguard-tmp-";

struct AtomicWriteOptions {
  // fsync the file before the rename and the directory after it, so that a
  // crash cannot leave an empty or partial file under the target's name.
  bool durable = true;
  // false: fail (io_write_failed, "exists") instead of replacing an existing
  // target; enforced by the rename itself (RENAME_NOREPLACE), so no race.
  // Devices and FIFOs are written to, not replaced: this does not apply.
  bool replace_existing = true;
  // false: a stream target that is a terminal is refused (invalid_argument),
  // so binary data never lands on a screen (the tools set this).
  bool allow_terminal = true;
};

class AtomicFile {
 public:
  // Creates the temporary file beside `target_path` (beside the file it
  // names, for a symlink). If the target exists, the new file gets its
  // permission bits, so rewriting a 0600 file does not widen who can read it.
  // io_open_failed when the folder is missing or not writable;
  // invalid_argument for an empty path or one ending in '/';
  // io_not_regular_file for a target that exists and is not a regular file
  // (devices and FIFOs included: OutputFile streams to those).
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
  friend struct ResultPoison<AtomicFile>;  // a failed create() dereferences to a discarded file
  AtomicFile() noexcept = default;
  // create() without the path in its errors' context (create adds it).
  [[nodiscard]] static Result<AtomicFile> create_unnamed(const std::string& target_path,
                                                         const AtomicWriteOptions& options) noexcept;

  std::string target_path_;
  std::string target_name_;  // the last path component
  std::string temp_name_;    // in the same directory
  int dir_fd_ = -1;
  int fd_ = -1;
  FdSink sink_{-1};
  AtomicWriteOptions options_;
  bool committed_ = false;
};

// An output path opened by the rule above: an AtomicFile for a regular (or
// new) file, or a stream for "-", a character device or a FIFO. Writers use
// this and never look at the path themselves.
class OutputFile {
 public:
  [[nodiscard]] static Result<OutputFile> open(const std::string& path, const AtomicWriteOptions& options = {}) noexcept;

  OutputFile(OutputFile&&) noexcept = default;
  OutputFile& operator=(OutputFile&&) noexcept = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() = default;  // an uncommitted AtomicFile discards itself

  [[nodiscard]] bool is_stream() const noexcept { return !file_.has_value(); }
  [[nodiscard]] ByteSink& sink() noexcept;
  // The temporary file (to re-read before commit); -1 for a stream, which
  // cannot be read back.
  [[nodiscard]] int verifiable_fd() const noexcept { return file_ ? file_->fd() : -1; }
  // AtomicFile::commit for a file; for a stream, closes it (checked; standard
  // output stays open). A failed stream leaves its consumer with a truncated
  // file, which any validator rejects.
  Status commit() noexcept;
  // Removes the temporary file (a stream cannot take back what it sent).
  void discard() noexcept;

 private:
  friend struct ResultPoison<OutputFile>;  // a failed open() dereferences to a closed output
  OutputFile() noexcept = default;
  [[nodiscard]] static Result<OutputFile> open_unnamed(const std::string& path, const AtomicWriteOptions& options) noexcept;

  std::optional<AtomicFile> file_;
  UniqueFd stream_;
  FdSink stream_sink_{-1};
};

}  // namespace stguard
