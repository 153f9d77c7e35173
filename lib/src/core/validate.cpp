// The framing layer and the public validation entry points. Order of checks
// follows the reference (docs/format.md#order-of-checks): size >= 8, N against the caps, 8 + N
// within the file, UTF-8 of the header, JSON, schema, layout, data size.
//
// The bytes go one way: frame_header reads and checks the length prefix once
// (for every caller: whole file, prefix, descriptor, stream, audit), then
// parse_header_in_place runs the encoding step, the JSON layer and the
// HeaderBuilder over one mutable copy of the N header bytes.
#include "stguard/validate.hpp"

#include <new>
#include <string>
#include <vector>

#include "core/core_internal.hpp"
#include "core/header_builder.hpp"
#include "core/header_encoding.hpp"
#include "core/json_tokenizer.hpp"

namespace stguard {
namespace detail {
namespace {

constexpr std::uint64_t kPrefixBytes = 8;

Error prefix_too_short(std::uint64_t needed, std::size_t have) {
  return make_error(ErrorCode::io_read_failed, "prefix validation needs the first " + std::to_string(needed) +
                                                   " bytes, got " + std::to_string(have));
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

}  // namespace

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

Result<std::uint64_t> frame_header(std::span<const std::uint8_t> prefix, std::optional<std::uint64_t> file_size,
                                   const Options& options) noexcept {
  return without_exceptions([&]() -> Result<std::uint64_t> {
    if (file_size && *file_size < kPrefixBytes) return file_too_small_error(*file_size);
    ByteCursor cursor(prefix);
    std::uint64_t header_length = 0;
    if (!cursor.read_u64le(header_length)) return prefix_too_short(kPrefixBytes, prefix.size());
    if (auto error = check_header_length(header_length, options)) return *std::move(error);
    if (file_size && header_length > *file_size - kPrefixBytes) {
      return header_past_eof_error(header_length, *file_size);
    }
    return header_length;
  });
}

std::optional<Error> check_data_size(const Header& header, std::uint64_t actual_data_size) {
  return HeaderBuilder::check_data_size(header, actual_data_size);
}

namespace {

// Every layer over the header bytes up to the builder's last step, which is
// the caller's (a Header or a summary): the same code for both results.
std::optional<Error> run_header_layers(std::span<std::uint8_t> header_bytes, const Options& options,
                                       HeaderBuilder& builder) {
  const bool strict = options.profile == Profile::strict;
  auto encoding = check_header_encoding(ByteCursor(header_bytes), kPrefixBytes, strict);
  if (!encoding) return std::move(encoding).error();
  TokenizerConfig config;
  config.max_depth = header_depth_limit(options.limits.max_depth, strict);
  config.base_offset = kPrefixBytes;
  const std::span<char> text(reinterpret_cast<char*>(header_bytes.data()), header_bytes.size());
  if (auto error = tokenize_json(text, config, builder)) return error;
  // The JSON ended at the padding: now its rule applies (after every error inside the JSON).
  if (strict && encoding->non_space_padding) return std::move(encoding->non_space_padding);
  if (encoding->leading_whitespace) builder.note_strict_violation(*std::move(encoding->leading_whitespace));
  if (encoding->non_space_padding) builder.note_strict_violation(*std::move(encoding->non_space_padding));
  return std::nullopt;
}

}  // namespace

Result<Header> parse_header_in_place(std::span<std::uint8_t> header_bytes, std::optional<std::uint64_t> data_size,
                                     const Options& options) noexcept {
  return without_exceptions([&]() -> Result<Header> {
    HeaderBuilder builder(options, header_bytes.size(), TensorStorage::owned);
    if (auto error = run_header_layers(header_bytes, options, builder)) return *std::move(error);
    return builder.finish(data_size);
  });
}

Result<HeaderSummary> summarize_header_in_place(std::span<std::uint8_t> header_bytes,
                                                std::optional<std::uint64_t> data_size,
                                                const Options& options) noexcept {
  return without_exceptions([&]() -> Result<HeaderSummary> {
    const std::string_view text(reinterpret_cast<const char*>(header_bytes.data()), header_bytes.size());
    HeaderBuilder builder(options, header_bytes.size(), TensorStorage::views, text);
    if (auto error = run_header_layers(header_bytes, options, builder)) return *std::move(error);
    return builder.finish_summary(data_size);
  });
}

namespace {

// One private copy of bytes the caller keeps, parsed in place.
Result<Header> parse_header_copy(std::span<const std::uint8_t> header_bytes, std::optional<std::uint64_t> data_size,
                                 const Options& options) noexcept {
  return without_exceptions([&]() -> Result<Header> {
    std::vector<std::uint8_t> scratch(header_bytes.begin(), header_bytes.end());
    return parse_header_in_place(scratch, data_size, options);
  });
}

}  // namespace

Result<Header> parse_header_bytes(std::span<const std::uint8_t> header_bytes, std::optional<std::uint64_t> data_size,
                                  const Options& options) noexcept {
  return without_exceptions([&]() -> Result<Header> {
    if (auto error = check_header_length(header_bytes.size(), options)) return *std::move(error);
    return parse_header_copy(header_bytes, data_size, options);
  });
}

Result<HeaderSummary> summarize_header_bytes(std::span<const std::uint8_t> header_bytes,
                                             std::optional<std::uint64_t> data_size, const Options& options) noexcept {
  return without_exceptions([&]() -> Result<HeaderSummary> {
    if (auto error = check_header_length(header_bytes.size(), options)) return *std::move(error);
    std::vector<std::uint8_t> scratch(header_bytes.begin(), header_bytes.end());
    return summarize_header_in_place(scratch, data_size, options);
  });
}

}  // namespace detail

Result<Header> parse_header(std::span<const std::uint8_t> header_bytes, std::uint64_t data_size,
                            const Options& options) noexcept {
  return detail::parse_header_bytes(header_bytes, data_size, options);
}

Result<std::uint64_t> read_header_length(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                                         const Options& options) noexcept {
  return detail::without_exceptions([&]() -> Result<std::uint64_t> {
    auto header_length = detail::frame_header(prefix, file_size, options);
    if (header_length) return header_length;
    switch (header_length.error().code) {
      case ErrorCode::header_too_large:
      case ErrorCode::limit_header_bytes:
      case ErrorCode::header_past_eof:
        return detail::explain_framing_error(std::move(header_length).error(), prefix, file_size);
      default:
        return header_length;  // too small to be a file, too short a prefix, out of memory
    }
  });
}

Result<Header> validate_prefix(std::span<const std::uint8_t> prefix, std::uint64_t file_size,
                               const Options& options) noexcept {
  auto header_length = read_header_length(prefix, file_size, options);
  if (!header_length) return std::move(header_length).error();
  const std::uint64_t length = *header_length;
  ByteCursor cursor(prefix);
  std::span<const std::uint8_t> header_bytes;
  if (!cursor.skip(detail::kPrefixBytes) || !cursor.read_bytes(length, header_bytes)) {
    return detail::without_exceptions(
        [&]() -> Result<Header> { return detail::prefix_too_short(detail::kPrefixBytes + length, prefix.size()); });
  }
  return detail::parse_header_copy(header_bytes, file_size - detail::kPrefixBytes - length, options);
}

Result<Header> validate_file(std::span<const std::uint8_t> file, const Options& options) noexcept {
  return validate_prefix(file, file.size(), options);
}

}  // namespace stguard
