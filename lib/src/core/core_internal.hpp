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

// The one framing step, used by every validator (whole file, prefix,
// descriptor, stream; the audit through read_header_length): N from the
// first 8 bytes of `prefix`, checked against the format maximum and the
// limits, and with `file_size` also the file's own rules: at least 8 bytes,
// 8 + N within the file. A stream, whose size is not known yet, passes
// nullopt, then the whole input at its end. The errors are the plain framing
// errors; read_header_length adds the recognition of non-safetensors files.
[[nodiscard]] Result<std::uint64_t> frame_header(std::span<const std::uint8_t> prefix,
                                                 std::optional<std::uint64_t> file_size,
                                                 const Options& options) noexcept;

// The encoding step, the JSON layer, the schema and the layout over the N
// header bytes (N already framed), parsing in place: `header_bytes` is the
// caller's own buffer and is overwritten. The data size check only when
// `data_size` is given. Never throws.
[[nodiscard]] Result<Header> parse_header_in_place(std::span<std::uint8_t> header_bytes,
                                                   std::optional<std::uint64_t> data_size,
                                                   const Options& options) noexcept;

// The same rules in the same order, with the same errors, giving the
// verdict without a tensor table: the builder keeps views into
// `header_bytes` instead of a copy of every name and shape (the views
// storage of core/tensor_table.hpp), for st-validate's peak memory.
[[nodiscard]] Result<HeaderSummary> summarize_header_in_place(std::span<std::uint8_t> header_bytes,
                                                              std::optional<std::uint64_t> data_size,
                                                              const Options& options) noexcept;

// The same over N bytes no framing step has judged (parse_header, the
// fuzzers): N against the limits, then one private copy parsed in place.
[[nodiscard]] Result<Header> parse_header_bytes(std::span<const std::uint8_t> header_bytes,
                                                std::optional<std::uint64_t> data_size,
                                                const Options& options) noexcept;

// parse_header_bytes with the summary's storage: the differential test
// (tests/header_summary_test.cpp) and the header_parser fuzzer compare the two.
[[nodiscard]] Result<HeaderSummary> summarize_header_bytes(std::span<const std::uint8_t> header_bytes,
                                                           std::optional<std::uint64_t> data_size,
                                                           const Options& options) noexcept;

// Checks a header length N against the format maximum and the limits (part
// of frame_header; parse_header_bytes, which gets no prefix, calls it alone).
[[nodiscard]] std::optional<Error> check_header_length(std::uint64_t header_length, const Options& options);

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
