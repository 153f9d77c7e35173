// Validation of files, descriptors and streams: the thin I/O layer around the
// hermetic core. A file is judged by its size (fstat) and its first 8 + N
// bytes (pread): tensor data is never read, so a 100 GB file costs what its
// header costs. Standard input and pipes go through StreamValidator.
#pragma once

#include <cstdint>
#include <string>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

// Opens `path` read-only and validates it. I/O problems are io_* errors:
// io_open_failed (missing, permission), io_not_regular_file (a directory,
// a FIFO), io_read_failed.
[[nodiscard]] Result<Header> validate_path(const std::string& path, const Options& options = Options::strict());

// Validates the regular file open on `fd` (not closed, offset not used).
[[nodiscard]] Result<Header> validate_fd(int fd, const Options& options = Options::strict());

// The same validation with the verdict as a HeaderSummary (no tensor
// table): the same rules, order and errors, at a third of the memory for
// large headers (the header bytes and ~60 bytes per tensor). st-validate
// uses these.
[[nodiscard]] Result<HeaderSummary> validate_path_summary(const std::string& path,
                                                          const Options& options = Options::strict());
[[nodiscard]] Result<HeaderSummary> validate_fd_summary(int fd, const Options& options = Options::strict());

// Reads `fd` to its end as a stream (pipe, socket, terminal, or a file),
// keeping only the header in memory. Stops reading early once the verdict is
// a rejection, unless `drain` is set.
[[nodiscard]] Result<Header> validate_stream(int fd, const Options& options = Options::strict(), bool drain = false);

// The bytes of [offset, offset + length) from `fd` with pread, retrying on
// EINTR and short reads. Shared by the validators and the reader.
[[nodiscard]] Status pread_exact(int fd, std::uint64_t offset, void* buffer, std::size_t length);

// The whole of a small regular file (opened with open_for_reading,
// unique_fd.hpp): io_open_failed, io_not_regular_file (a directory, a FIFO, a
// device), io_read_failed (also when it is larger than `max_bytes`, which is
// checked before anything is allocated). Errors carry `path`.
[[nodiscard]] Result<std::string> read_regular_file(const std::string& path, std::uint64_t max_bytes) noexcept;

}  // namespace stguard
