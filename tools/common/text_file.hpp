// Small text files the tools write and read back (manifests, baselines):
// written atomically (a temporary file renamed over the target, so a
// failure never leaves half a file), read with a size cap.
#pragma once

#include <cstdint>
#include <string>

#include "stguard/error.hpp"

namespace stguard::cli {

// Writes `text` to `path` by the rule every writer follows (OutputFile).
[[nodiscard]] Status write_text_file(const std::string& path, const std::string& text);

// The whole of a regular file (read_regular_file), or io_* errors
// (io_read_failed when it exceeds `max_bytes`, io_not_regular_file for a FIFO)
// without the path, which the callers name themselves.
[[nodiscard]] Result<std::string> read_text_file(const std::string& path, std::uint64_t max_bytes);

}  // namespace stguard::cli
