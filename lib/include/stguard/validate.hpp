// The hermetic validation core: bytes and options in, Header or Error out.
//
// No I/O, no exceptions, no global state; the same input gives the same
// result every time. Validation never reads tensor data, only the data
// region's size, so validate_prefix (the first 8 + N bytes plus the file size)
// gives exactly the verdict validate_file gives on the whole file.
#pragma once

#include <cstdint>
#include <span>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

// Validates the N header bytes (the JSON text with its padding) as a header
// whose data region is `data_size` bytes long. Error offsets are file offsets
// computed as `8 + position in header`.
[[nodiscard]] Result<Header> parse_header(std::span<const std::uint8_t> header_bytes,
                                          std::uint64_t data_size,
                                          const Options& options = Options::strict()) noexcept;

// Reads and checks N from the first 8 bytes against the limits and the file
// size: file_too_small, header_too_large, limit_header_bytes, header_past_eof.
// `prefix` may hold just the first 8 bytes. When it holds the first
// min(file_size, 512) bytes and they show the file is not safetensors at all,
// a failed framing is reported as what the file is instead:
// not_safetensors_shard_index, _lfs_pointer, _html, _json or _text (see
// docs/format.md, "Header length"). validate_file and validate_prefix (which
// then needs those bytes too), validate_fd and StreamValidator all do this.
[[nodiscard]] Result<std::uint64_t> read_header_length(std::span<const std::uint8_t> prefix,
                                                       std::uint64_t file_size,
                                                       const Options& options = Options::strict()) noexcept;

// Whole-file validation over a byte span.
[[nodiscard]] Result<Header> validate_file(std::span<const std::uint8_t> file,
                                           const Options& options = Options::strict()) noexcept;

// Prefix validation: `prefix` holds at least the first min(8 + N, file_size)
// bytes of a file that is `file_size` bytes long (more is fine and ignored).
// Same verdict as validate_file on the whole file. If `prefix` is too short
// to decide, the error is io_read_failed with a message saying so.
[[nodiscard]] Result<Header> validate_prefix(std::span<const std::uint8_t> prefix,
                                             std::uint64_t file_size,
                                             const Options& options = Options::strict()) noexcept;

}  // namespace stguard
