// The writer's system-call layer: owned descriptors, full writes with
// SIGPIPE/SIGXFSZ blocked, unpredictable temporary files beside a target,
// renames that may refuse to replace, and directory syncs. AtomicFile, FdSink
// and the sharded writer are built from these; nothing here knows the format.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "io/errno_message.hpp"
#include "stguard/error.hpp"
#include "stguard/unique_fd.hpp"

namespace stguard::detail::writer_io {

// Writes all of `bytes` to `fd`: retries short writes and EINTR, waits with
// poll() on EAGAIN, and blocks SIGPIPE and SIGXFSZ in the calling thread for
// the duration (consuming any it caused), so EPIPE and EFBIG come back as
// io_write_failed instead of killing the process. `position` is the output
// offset of bytes[0], for the error's offset.
[[nodiscard]] Status write_all(int fd, std::span<const std::uint8_t> bytes, std::uint64_t position) noexcept;

// A target path split into the folder to open and the name inside it.
struct SplitPath {
  std::string directory;  // "." when the path has no '/'
  std::string name;       // never empty, ".", ".." or containing '/'
};
// invalid_argument for "", a path ending in '/', a last component "." or
// "..", or a path containing a NUL byte (c_str() would silently cut it).
[[nodiscard]] Result<SplitPath> split_path(const std::string& path);

// Opens a folder for *at() calls: io_open_failed when missing or not a folder.
[[nodiscard]] Result<UniqueFd> open_directory(const std::string& path);

struct TempFile {
  std::string name;  // inside the folder
  UniqueFd fd;       // open read-write
};
// Creates ".<target>.stguard-tmp-<16 hex>" in `dir_fd` with O_EXCL and
// O_NOFOLLOW, 64 random bits from getrandom(); if `target_name` exists as a
// regular file, the temporary file gets its permission bits; if it exists as
// anything else, io_not_regular_file and nothing is created.
[[nodiscard]] Result<TempFile> create_temp_file(int dir_fd, std::string_view target_name);

// The one rule for what a writer does with an output path (OutputFile,
// AtomicFile and the sharded writer all go through it):
//   "-"                          stream to standard output
//   missing, or a regular file   replace atomically (temporary file + rename)
//   a character device, a FIFO   stream to it (opened O_WRONLY, never renamed over)
//   a symlink                    the rule applies to what it points to; a link to
//                                a regular file is kept and the file it names is
//                                replaced in that file's folder; a dangling link
//                                is refused (io_not_regular_file)
//   a folder, socket, block device or anything else: io_not_regular_file
// Classifies only (stat, lstat, realpath): nothing is opened or created.
struct OutputTarget {
  enum class Kind : std::uint8_t { replace, stream };
  Kind kind = Kind::replace;
  std::string path;  // replace: the file to replace (symlinks resolved); stream: the device or FIFO
  bool standard_output = false;  // "-" (path empty)
};
[[nodiscard]] Result<OutputTarget> resolve_output_target(const std::string& path);
// Opens a stream target O_WRONLY (a FIFO: waits for a reader) and checks
// that what was opened is still a character device or FIFO.
[[nodiscard]] Result<UniqueFd> open_stream(const std::string& path);

// io_not_regular_file when `name` exists in `dir_fd` (not followed) as
// anything but a regular file: the only thing a rename may replace.
[[nodiscard]] Status check_replaceable(int dir_fd, const std::string& name);

// fsync (when `durable`) and close, both checked.
[[nodiscard]] Status sync_and_close(UniqueFd& fd, bool durable) noexcept;

// Renames `temp_name` to `target_name` inside `dir_fd`; an existing target
// that is not a regular file is refused (check_replaceable) just before. Without
// `replace_existing` the rename itself refuses an existing target
// (RENAME_NOREPLACE, or link + unlink where the filesystem lacks it).
[[nodiscard]] Status publish_file(int dir_fd, const std::string& temp_name, const std::string& target_name,
                                  bool replace_existing) noexcept;

// fsync of the folder, so the rename itself survives a crash. Filesystems
// that cannot sync a folder (EINVAL) are not an error.
[[nodiscard]] Status sync_directory(int dir_fd) noexcept;

// unlinkat, errors ignored (used only on cleanup paths).
void remove_quietly(int dir_fd, const std::string& name) noexcept;

}  // namespace stguard::detail::writer_io
