// header_parser: parse_header (the hermetic core: encoding, JSON, schema,
// layout, data size) on fuzzer-chosen header bytes, with the profile, the
// limits, the violation budget and the data-region size chosen by the first
// 16 bytes of the input, so one target explores strict, compat and tight
// limits. It checks:
//   * every rejection and every accepted Header satisfies the shared
//     invariants (fuzz_support.hpp: no internal errors, safe messages,
//     offsets inside the file, contiguity, checked sizes, limits, strict rules);
//   * determinism: the same bytes give the same result twice;
//   * the data size is judged last and alone: the core's size-less verdict
//     (what StreamValidator uses) equals parse_header with exactly the size
//     the header needs; any other size fails with data_truncated or
//     trailing_bytes, and a header-level error is the same whatever the size.
//   * the summary storage (st-validate's validate_path_summary: names as
//     views into the in-situ buffer, no tensor table) gives the same verdict:
//     the same error, or the summary of the same Header.
//
// Input: [0] flags: bit 0 compat, bit 1 tight limits, bits 2-3 data-size mode
//        [1] max_recorded_violations selector  [2..7] tight limits
//        [8..15] size parameter                 [16..] the N header bytes
#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/core_internal.hpp"
#include "fuzz_support.hpp"
#include "stguard/validate.hpp"

namespace {

using stguard::ErrorCode;
using stguard::Options;

// The views storage against the owned one, on the same bytes and size.
bool same_as_summary(const stguard::Result<stguard::Header>& full,
                     const stguard::Result<stguard::HeaderSummary>& summary) {
  namespace fz = stguard::fuzz;
  if (full.ok() != summary.ok()) return false;
  if (!full.ok()) return fz::same_error(full.error(), summary.error());
  const stguard::HeaderSummary expected = stguard::HeaderSummary::of(full.value());
  const stguard::HeaderSummary& got = summary.value();
  if (got.tensor_count != expected.tensor_count || got.header_length != expected.header_length ||
      got.data_size != expected.data_size || got.profile != expected.profile ||
      got.has_metadata_object != expected.has_metadata_object ||
      got.violations_truncated != expected.violations_truncated ||
      got.strict_violations.size() != expected.strict_violations.size()) {
    return false;
  }
  for (std::size_t i = 0; i < got.strict_violations.size(); ++i) {
    if (!fz::same_error(got.strict_violations[i], expected.strict_violations[i])) return false;
  }
  return true;
}

Options choose_options(stguard::fuzz::ParamReader& params, std::uint8_t flags) {
  Options options = (flags & 1) != 0 ? Options::compat() : Options::strict();
  const std::uint8_t budget = params.byte();
  // Small budgets exercise truncation; 255 means the default.
  if (budget != 255) options.max_recorded_violations = budget % 4;
  std::uint8_t tight[6];
  for (std::uint8_t& b : tight) b = params.byte();  // always consumed: the payload stays at offset 16
  if ((flags & 2) != 0) {
    options.limits.max_tensors = tight[0] % 8;
    options.limits.max_rank = tight[1] % 8;
    options.limits.max_name_bytes = tight[2] % 32;
    options.limits.max_integer = tight[3] == 255 ? stguard::kMaxSafeInteger : tight[3];
    options.limits.max_depth = tight[4] % 8;
    options.limits.max_header_bytes = std::uint64_t{tight[5]} * 16;
  }
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fz = stguard::fuzz;
  fz::ParamReader params({data, size});
  const std::uint8_t flags = params.byte();
  const Options options = choose_options(params, flags);
  const std::uint64_t size_param = params.u64();
  const std::span<const std::uint8_t> header_bytes = params.rest();

  // The verdict without a data region: everything but the final size check.
  const auto sizeless = stguard::detail::parse_header_bytes(header_bytes, std::nullopt, options);

  std::uint64_t data_size = 0;
  const std::uint64_t needed = sizeless ? sizeless->data_size() : 0;
  switch ((flags >> 2) & 3) {
    case 0: data_size = needed; break;
    case 1: data_size = needed + static_cast<std::uint64_t>(static_cast<std::int8_t>(size_param & 0xFF)); break;
    case 2: data_size = size_param; break;
    default: data_size = ~std::uint64_t{0} - (size_param & 0xFF); break;
  }

  const auto result = stguard::parse_header(header_bytes, data_size, options);
  const auto again = stguard::parse_header(header_bytes, data_size, options);
  FUZZ_CHECK_MSG(fz::same_result(result, again), fz::describe(result) + " then " + fz::describe(again));
  FUZZ_CHECK_MSG(same_as_summary(result, stguard::detail::summarize_header_bytes(header_bytes, data_size, options)),
                 fz::describe(result));
  FUZZ_CHECK_MSG(same_as_summary(sizeless, stguard::detail::summarize_header_bytes(header_bytes, std::nullopt, options)),
                 fz::describe(sizeless));

  std::uint64_t file_end = 0;  // 8 + N + data_size, saturated: the largest meaningful offset
  if (__builtin_add_overflow(std::uint64_t{8} + header_bytes.size(), data_size, &file_end)) file_end = ~std::uint64_t{0};

  if (!sizeless) {
    fz::check_error(sizeless.error(), 8 + header_bytes.size());
    FUZZ_CHECK_MSG(!result && fz::same_error(result.error(), sizeless.error()),
                   fz::describe(sizeless) + " vs " + fz::describe(result));
    return 0;
  }
  fz::check_header(*sizeless, options);
  if (data_size == needed) {
    FUZZ_CHECK_MSG(result && fz::same_header(*result, *sizeless), fz::describe(result));
    fz::check_header(*result, options);
    FUZZ_CHECK(result->file_size() == file_end);
  } else {
    FUZZ_CHECK_MSG(!result, fz::describe(result));
    const ErrorCode expected = data_size < needed ? ErrorCode::data_truncated : ErrorCode::trailing_bytes;
    FUZZ_CHECK_MSG(result.error().code == expected, fz::describe(result));
    fz::check_error(result.error(), file_end);
  }
  return 0;
}
