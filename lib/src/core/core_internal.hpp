// Entry points shared by the whole-file, prefix and stream validators.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "stguard/cursor.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard::detail {

// Encoding, JSON, schema and layout checks of the N header bytes; the data
// size check only when `data_size` is given. Never throws.
[[nodiscard]] Result<Header> parse_header_bytes(std::span<const std::uint8_t> header_bytes,
                                                std::optional<std::uint64_t> data_size,
                                                const Options& options) noexcept;

// Checks a header length N against the format maximum and the limits.
[[nodiscard]] std::optional<Error> check_header_length(std::uint64_t header_length, const Options& options);

// The framing errors, worded once so every validator reports the same text.
[[nodiscard]] Error file_too_small_error(std::uint64_t file_size);
[[nodiscard]] Error header_past_eof_error(std::uint64_t header_length, std::uint64_t file_size);

// How many leading bytes explain_framing_error looks at: enough for an LFS
// pointer's first line, an HTML doctype or an index's first keys.
inline constexpr std::uint64_t kRecognitionWindowBytes = 512;

// Whether these leading bytes can still be the start of a text file (see
// explain_framing_error). Once false it stays false as bytes are added, so a
// stream can decide without waiting for the whole window.
[[nodiscard]] bool may_be_text(ByteCursor window) noexcept;

// A framing error (the length prefix is implausible), or, when the first
// bytes show what the file really is (a shard index, an LFS pointer, HTML,
// JSON, text), the not_safetensors_* error saying so. `leading_bytes` must
// hold the first min(file_size, kRecognitionWindowBytes) bytes for a file to
// be recognised; with fewer, the framing error is returned unchanged.
[[nodiscard]] Error explain_framing_error(Error framing_error, std::span<const std::uint8_t> leading_bytes,
                                          std::uint64_t file_size) noexcept;

// Compares a parsed header's data size with the data region's actual size.
[[nodiscard]] std::optional<Error> check_data_size(const Header& header, std::uint64_t actual_data_size);

}  // namespace stguard::detail
