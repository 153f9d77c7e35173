// Strictness, header and layout rules: what the compat parse accepted that
// strict would not, and the shape of the header and the data region.
#include "rule_passes.hpp"
#include "stguard/cursor.hpp"
#include "stguard/escape.hpp"

namespace stguard::audit::detail {
namespace {

// The Hub's metadata parsers refuse headers above this (docs/profiles.md#not-rejected-by-either-profile).
constexpr std::uint64_t kHubHeaderLimit = 25'000'000;
// Writers pad to 8 bytes, some to a 4 KiB page: anything beyond a page of
// padding, and more padding than JSON, is not layout but storage.
constexpr std::uint64_t kPagePadding = 4095;

bool is_json_whitespace(std::uint8_t byte) { return byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D; }

// Strict rejections that a mainstream writer produces and on which no reader
// disagrees: MLX's save_safetensors writes "__metadata__": null when given no
// metadata, and every reader takes that as no metadata. The gate still
// refuses them; the audit does not call them a problem (docs/audit-rules.md).
bool written_by_mainstream(ErrorCode code) { return code == ErrorCode::metadata_null; }

}  // namespace

void check_strictness(const Header& compat_header, const std::optional<Error>& strict_error, Profile gate,
                      FindingSink& sink) {
  // Under a strict gate the file would be refused: a high finding. Under a
  // compat gate it is loadable as intended, and the difference is worth a note.
  const Severity severity = gate == Profile::strict ? Severity::high : Severity::low;
  bool strict_error_explained = !strict_error.has_value();
  for (const Error& violation : compat_header.strict_violations()) {
    strict_error_explained = strict_error_explained || violation.code == strict_error->code;
    sink.add_with_severity(Rule::strict_rejects, written_by_mainstream(violation.code) ? Severity::info : severity,
                           "strict rejects: [" + std::string(error_code_name(violation.code)) + "] " +
                               violation.message,
                           std::string(error_code_name(violation.code)), violation.offset, violation.tensor);
  }
  if (compat_header.violations_truncated()) {
    sink.add_with_severity(Rule::strict_rejects, severity,
                           "strict rejects: more violations than the compat parse records were not listed",
                           "violations_truncated");
  }
  if (!strict_error_explained) {
    sink.add_with_severity(Rule::strict_rejects, severity,
                           "strict rejects with the limits in force: [" +
                               std::string(error_code_name(strict_error->code)) + "] " +
                               strict_error->message,
                           std::string(error_code_name(strict_error->code)), strict_error->offset,
                           strict_error->tensor);
  }
}

void check_header_and_layout(const Header& header, std::span<const std::uint8_t> header_text, FindingSink& sink) {
  const std::uint64_t length = header.header_length();
  if (length % 8 != 0) {
    sink.add(Rule::header_length_unaligned, "the header length " + std::to_string(length) + " is not a multiple of 8",
             "N = " + std::to_string(length) + ", N mod 8 = " + std::to_string(length % 8), 0);
  }
  if (length > kHubHeaderLimit) {
    sink.add(Rule::header_over_hub_limit,
             "the header is " + std::to_string(length) + " bytes, over the Hub's 25,000,000-byte limit",
             "N = " + std::to_string(length), 0);
  }

  // The JSON ends at the last non-whitespace byte (a valid header's padding
  // is whitespace only); count back inside the span.
  const ByteCursor text(header_text);
  const std::span<const std::uint8_t> bytes = text.rest();
  std::size_t json_end = bytes.size();
  std::uint64_t non_space_padding = 0;
  while (json_end > 0 && is_json_whitespace(bytes[json_end - 1])) {
    if (bytes[json_end - 1] != 0x20) ++non_space_padding;
    --json_end;
  }
  const std::uint64_t padding = bytes.size() - json_end;
  if (padding > kPagePadding && padding > json_end) {
    sink.add(Rule::header_padding_excessive,
             "the header holds " + std::to_string(padding) + " bytes of padding after " + std::to_string(json_end) +
                 " bytes of JSON",
             "padding " + std::to_string(padding) + " bytes (" + std::to_string(non_space_padding) +
                 " of them not spaces), JSON " + std::to_string(json_end) + " bytes",
             8 + json_end);
  }

  for (const TensorInfo& tensor : header.tensors()) {
    if (tensor.byte_size() == 0) continue;  // owns no bytes, so no alignment to speak of
    const std::uint64_t offset = header.data_offset() + tensor.begin;
    const unsigned alignment = dtype_alignment(tensor.dtype);
    if (alignment > 1 && offset % alignment != 0) {
      if (sink.full(Rule::tensor_misaligned)) {
        sink.count_suppressed();
        continue;
      }
      sink.add(Rule::tensor_misaligned,
               "tensor \"" + escape_for_display(tensor.name) + "\" (" + std::string(dtype_name(tensor.dtype)) +
                   ") starts at byte " + std::to_string(offset) + ", not a multiple of " + std::to_string(alignment),
               "8 + N + begin = 8 + " + std::to_string(header.header_length()) + " + " + std::to_string(tensor.begin) +
                   " = " + std::to_string(offset) + ", mod " + std::to_string(alignment) + " = " +
                   std::to_string(offset % alignment),
               offset, tensor.name);
    }
  }
}

}  // namespace stguard::audit::detail
