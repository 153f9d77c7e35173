// The framing layer and the public validation entry points. Order of checks
// follows the reference (docs/format.md#order-of-checks): size >= 8, N against the caps, 8 + N
// within the file, UTF-8 of the header, JSON, schema, layout, data size.
#include "stguard/validate.hpp"

#include <new>
#include <string>
#include <vector>

#include "core/core_internal.hpp"
#include "core/header_builder.hpp"
#include "core/json_tokenizer.hpp"
#include "core/utf8.hpp"

namespace stguard {
namespace detail {

std::optional<Error> check_header_length(std::uint64_t header_length, const Options& options) {
  if (header_length > kFormatMaxHeaderBytes) {
    return make_error(ErrorCode::header_too_large,
                      "header length " + std::to_string(header_length) + " exceeds the format maximum of 100000000",
                      0);
  }
  if (header_length > options.limits.max_header_bytes) {
    return make_error(ErrorCode::limit_header_bytes,
                      "header length " + std::to_string(header_length) + " exceeds max_header_bytes (" +
                          std::to_string(options.limits.max_header_bytes) + ")",
                      0);
  }
  return std::nullopt;
}

Error file_too_small_error(std::uint64_t file_size) {
  return make_error(ErrorCode::file_too_small,
                    "file of " + std::to_string(file_size) + " bytes is shorter than the 8-byte header length", 0);
}

Error header_past_eof_error(std::uint64_t header_length, std::uint64_t file_size) {
  return make_error(ErrorCode::header_past_eof,
                    "header length " + std::to_string(header_length) + " runs past the end of the file (" +
                        std::to_string(file_size) + " bytes)",
                    0);
}

std::optional<Error> check_data_size(const Header& header, std::uint64_t actual_data_size) {
  return HeaderBuilder::check_data_size(header, actual_data_size);
}

Result<Header> parse_header_bytes(std::span<const std::uint8_t> header_bytes, std::optional<std::uint64_t> data_size,
                                  const Options& options) noexcept {
  return without_exceptions([&]() -> Result<Header> {
    if (auto error = check_header_length(header_bytes.size(), options)) return *std::move(error);
    constexpr std::uint64_t kHeaderStart = 8;
    const ByteCursor header(header_bytes);
    if (const auto bad = find_invalid_utf8(header)) {
      return make_error(ErrorCode::invalid_utf8, "invalid UTF-8 in the header", kHeaderStart + *bad);
    }
    HeaderBuilder builder(options, header_bytes.size());
    TokenizerConfig config;
    config.strict = options.profile == Profile::strict;
    config.max_depth = header_depth_limit(options.limits.max_depth, config.strict);
    config.base_offset = kHeaderStart;
    TokenizerNotes notes;
    // The tokenizer decodes strings in place, so it works on a private copy;
    // its size is N, already checked against the limits and the real input.
    std::vector<char> scratch(header_bytes.begin(), header_bytes.end());
    if (auto error = tokenize_json(scratch, config, builder, notes)) return *std::move(error);
    if (notes.leading_whitespace) builder.note_strict_violation(*std::move(notes.leading_whitespace));
    if (notes.non_space_padding) builder.note_strict_violation(*std::move(notes.non_space_padding));
    return builder.finish(data_size);
  });
}

}  // namespace detail

namespace {

constexpr std::uint64_t kPrefixBytes = 8;

Error prefix_too_short(std::uint64_t needed, std::size_t have) {
  return make_error(ErrorCode::io_read_failed, "prefix validation needs the first " + std::to_string(needed) +
                                                   " bytes, got " + std::to_string(have));
}

}  // namespace

Result<Header> parse_header(std::span<const std::uint8_t> header_bytes, std::uint64_t data_size,
                            const Options& options) noexcept {
  return detail::parse_header_bytes(header_bytes, data_size, options);
}

Result<std::uint64_t> read_header_length(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                                         const Options& options) noexcept {
  return detail::without_exceptions([&]() -> Result<std::uint64_t> {
    if (file_size < kPrefixBytes) {
      return detail::file_too_small_error(file_size);
    }
    ByteCursor cursor(prefix);
    std::uint64_t header_length = 0;
    if (!cursor.read_u64le(header_length)) return prefix_too_short(kPrefixBytes, prefix.size());
    if (auto error = detail::check_header_length(header_length, options)) {
      return detail::explain_framing_error(*std::move(error), prefix, file_size);
    }
    if (header_length > file_size - kPrefixBytes) {
      return detail::explain_framing_error(detail::header_past_eof_error(header_length, file_size), prefix,
                                           file_size);
    }
    return header_length;
  });
}

Result<Header> validate_prefix(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                               const Options& options) noexcept {
  auto header_length = read_header_length(prefix, file_size, options);
  if (!header_length) return std::move(header_length).error();
  const std::uint64_t length = *header_length;
  ByteCursor cursor(prefix);
  std::span<const std::uint8_t> header_bytes;
  if (!cursor.skip(kPrefixBytes) || !cursor.read_bytes(length, header_bytes)) {
    return detail::without_exceptions(
        [&]() -> Result<Header> { return prefix_too_short(kPrefixBytes + length, prefix.size()); });
  }
  return detail::parse_header_bytes(header_bytes, file_size - kPrefixBytes - length, options);
}

Result<Header> validate_file(std::span<const std::uint8_t> file, const Options& options) noexcept {
  return validate_prefix(file, file.size(), options);
}

}  // namespace stguard
