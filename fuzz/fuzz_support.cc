// Property checks shared by the fuzz targets (see fuzz_support.hpp).
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <tuple>

#include "stguard/dtype.hpp"
#include "stguard/escape.hpp"

namespace stguard::fuzz {

void check_failed(const char* file, int line, const char* what, const std::string& detail) {
  std::fprintf(stderr, "\n==stguard-fuzz== property violated at %s:%d: %s\n", file, line, what);
  if (!detail.empty()) std::fprintf(stderr, "==stguard-fuzz== %s\n", escape_for_display(detail).c_str());
  std::fflush(stderr);
  std::abort();
}

std::uint8_t ParamReader::byte() noexcept {
  std::uint8_t value = 0;
  return cursor_.read_u8(value) ? value : 0;
}

std::uint16_t ParamReader::u16() noexcept {
  const std::uint16_t low = byte();
  const std::uint16_t high = byte();
  return static_cast<std::uint16_t>(low | (high << 8));
}

std::uint64_t ParamReader::u64() noexcept {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= std::uint64_t{byte()} << (8 * i);
  return value;
}

bool is_strict_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // bounds of the second byte (table 3-7)
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

// Deliberately not the library's byte test (core/tensor_rules.hpp): this oracle
// decodes each code point and compares it with the Unicode Cc ranges
// (U+0000..U+001F, U+007F..U+009F), so a mistake in the library's encoded-byte
// shortcut shows up as a disagreement. Only code points below U+0800 can be
// controls, so longer sequences are skipped whole; a byte that starts no
// sequence (the callers test is_strict_utf8 first) is skipped alone.
bool has_c0_c1_control(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    char32_t code_point = 0x800;  // anything that is not a control
    std::size_t length = 1;
    if (lead < 0x80) {
      code_point = lead;
    } else if ((lead & 0xE0U) == 0xC0U && i + 1 < text.size()) {
      code_point = (char32_t{lead & 0x1FU} << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3FU);
      length = 2;
    } else if ((lead & 0xF0U) == 0xE0U) {
      length = 3;
    } else if ((lead & 0xF8U) == 0xF0U) {
      length = 4;
    }
    if (code_point <= 0x1F || (code_point >= 0x7F && code_point <= 0x9F)) return true;
    i += length;
  }
  return false;
}

bool same_error(const Error& a, const Error& b) noexcept {
  return a.code == b.code && a.offset == b.offset && a.tensor == b.tensor && a.message == b.message;
}

bool same_tensor(const TensorInfo& a, const TensorInfo& b) noexcept {
  return a.name == b.name && a.dtype == b.dtype && a.shape == b.shape && a.begin == b.begin && a.end == b.end &&
         a.element_count == b.element_count;
}

bool same_content(const Header& a, const Header& b) noexcept {
  const auto ta = a.tensors();
  const auto tb = b.tensors();
  if (!std::equal(ta.begin(), ta.end(), tb.begin(), tb.end(), same_tensor)) return false;
  const auto ma = a.metadata();
  const auto mb = b.metadata();
  const auto same_entry = [](const MetadataEntry& x, const MetadataEntry& y) {
    return x.key == y.key && x.value == y.value;
  };
  return std::equal(ma.begin(), ma.end(), mb.begin(), mb.end(), same_entry) &&
         a.has_metadata_object() == b.has_metadata_object();
}

bool same_header(const Header& a, const Header& b) noexcept {
  const auto va = a.strict_violations();
  const auto vb = b.strict_violations();
  return same_content(a, b) && a.profile() == b.profile() && a.header_length() == b.header_length() &&
         a.data_size() == b.data_size() && std::equal(va.begin(), va.end(), vb.begin(), vb.end(), same_error) &&
         a.violations_truncated() == b.violations_truncated();
}

bool same_result(const Result<Header>& a, const Result<Header>& b) noexcept {
  if (a.ok() != b.ok()) return false;
  return a.ok() ? same_header(a.value(), b.value()) : same_error(a.error(), b.error());
}

std::string describe(const Error& error) {
  std::string text(error_code_name(error.code));
  if (error.has_offset()) text += " @" + std::to_string(error.offset);
  if (!error.tensor.empty()) text += " [" + escape_for_display(error.tensor) + "]";
  return text + ": " + escape_for_display(error.message);
}

std::string describe(const Result<Header>& result) {
  if (!result.ok()) return describe(result.error());
  const Header& header = result.value();
  return "ok (" + std::to_string(header.tensor_count()) + " tensors, " + std::to_string(header.metadata().size()) +
         " metadata, data " + std::to_string(header.data_size()) + " bytes, " +
         std::to_string(header.strict_violations().size()) + " strict violations)";
}

void check_error_basics(const Error& error) {
  const auto codes = all_error_codes();
  FUZZ_CHECK_MSG(std::find(codes.begin(), codes.end(), error.code) != codes.end(), describe(error));
  const ErrorClass cls = error_class_of(error.code);
  FUZZ_CHECK(error.error_class() == cls);
  FUZZ_CHECK_MSG(cls != ErrorClass::internal, describe(error));
  FUZZ_CHECK(!error_code_name(error.code).empty());
  FUZZ_CHECK(!error.message.empty());
  FUZZ_CHECK_MSG(is_strict_utf8(error.message) && !has_c0_c1_control(error.message), describe(error));
}

void check_error(const Error& error, std::uint64_t max_offset, bool io_allowed) {
  check_error_basics(error);
  const ErrorClass cls = error_class_of(error.code);
  FUZZ_CHECK_MSG(cls != ErrorClass::usage && cls != ErrorClass::write && cls != ErrorClass::index, describe(error));
  FUZZ_CHECK_MSG(io_allowed || cls != ErrorClass::io, describe(error));
  FUZZ_CHECK_MSG(!error.has_offset() || error.offset <= max_offset,
                 describe(error) + " (max offset " + std::to_string(max_offset) + ")");
}

namespace {

// The codes a compat parse may record as "strict would reject this".
bool is_strict_only_code(ErrorCode code) noexcept {
  for (const ErrorCode allowed :
       {ErrorCode::header_not_object_start, ErrorCode::padding_not_spaces, ErrorCode::metadata_null,
        ErrorCode::duplicate_tensor_name, ErrorCode::duplicate_metadata_key, ErrorCode::unknown_tensor_field,
        ErrorCode::invalid_tensor_name, ErrorCode::invalid_metadata_key, ErrorCode::invalid_metadata_value,
        ErrorCode::limit_integer, ErrorCode::limit_name_bytes, ErrorCode::limit_rank}) {
    if (code == allowed) return true;
  }
  return false;
}

}  // namespace

void check_header(const Header& header, const Options& options) {
  const Limits& limits = options.limits;
  const bool strict = options.profile == Profile::strict;
  FUZZ_CHECK(header.profile() == options.profile);
  FUZZ_CHECK(header.header_length() <= limits.max_header_bytes);
  FUZZ_CHECK(header.tensor_count() <= limits.max_tensors);
  FUZZ_CHECK(header.tensors().size() == header.tensor_count());

  std::uint64_t running_end = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& tensor : header.tensors()) {
    const std::string& name = tensor.name;
    FUZZ_CHECK_MSG(tensor.begin <= tensor.end, name);
    FUZZ_CHECK_MSG(tensor.begin == running_end, name);  // contiguous from 0
    running_end = tensor.end;
    if (previous != nullptr) {
      FUZZ_CHECK_MSG(std::tie(previous->begin, previous->end, previous->name) <
                         std::tie(tensor.begin, tensor.end, tensor.name),
                     name);  // data order, and names unique within a run of equal offsets
    }
    previous = &tensor;

    std::uint64_t elements = 1;
    for (const std::uint64_t dim : tensor.shape) {
      FUZZ_CHECK_MSG(!__builtin_mul_overflow(elements, dim, &elements), name);
      FUZZ_CHECK_MSG(dim <= limits.max_integer, name);
    }
    FUZZ_CHECK_MSG(elements == tensor.element_count, name);
    std::uint64_t bits = 0;
    FUZZ_CHECK_MSG(!__builtin_mul_overflow(elements, std::uint64_t{dtype_bits(tensor.dtype)}, &bits), name);
    FUZZ_CHECK_MSG(bits % 8 == 0, name);
    FUZZ_CHECK_MSG(bits / 8 == tensor.byte_size(), name);
    FUZZ_CHECK_MSG(tensor.begin <= limits.max_integer && tensor.end <= limits.max_integer, name);
    FUZZ_CHECK(dtype_from_name(dtype_name(tensor.dtype)) == tensor.dtype);

    FUZZ_CHECK_MSG(header.find(name) == &tensor, name);
    FUZZ_CHECK_MSG(is_strict_utf8(name), name);
    FUZZ_CHECK_MSG(name.size() <= limits.max_name_bytes, name);
    FUZZ_CHECK_MSG(tensor.rank() <= limits.max_rank, name);
    if (strict) FUZZ_CHECK_MSG(!name.empty() && !has_c0_c1_control(name), name);
  }
  FUZZ_CHECK(header.data_size() == running_end);
  std::uint64_t file_size = 0;
  FUZZ_CHECK(!__builtin_add_overflow(std::uint64_t{8} + header.header_length(), header.data_size(), &file_size));
  FUZZ_CHECK(header.file_size() == file_size);
  FUZZ_CHECK(header.data_offset() == 8 + header.header_length());
  // No tensor name is invalid UTF-8, so this lookup can never succeed.
  FUZZ_CHECK(header.find("\xFF") == nullptr);

  const MetadataEntry* previous_entry = nullptr;
  for (const MetadataEntry& entry : header.metadata()) {
    if (previous_entry != nullptr) FUZZ_CHECK_MSG(previous_entry->key < entry.key, entry.key);
    previous_entry = &entry;
    FUZZ_CHECK_MSG(header.metadata_value(entry.key) == &entry.value, entry.key);
    FUZZ_CHECK_MSG(is_strict_utf8(entry.key) && is_strict_utf8(entry.value), entry.key);
    if (strict) {
      FUZZ_CHECK_MSG(!has_c0_c1_control(entry.key), entry.key);
      FUZZ_CHECK_MSG(entry.value.find('\0') == std::string::npos, entry.key);
    }
  }
  if (!header.metadata().empty()) FUZZ_CHECK(header.has_metadata_object());

  const auto violations = header.strict_violations();
  if (strict || options.max_recorded_violations == 0) {
    FUZZ_CHECK(violations.empty());
  }
  if (strict) FUZZ_CHECK(!header.violations_truncated());
  FUZZ_CHECK(violations.size() <= options.max_recorded_violations);
  if (header.violations_truncated()) FUZZ_CHECK(violations.size() == options.max_recorded_violations);
  for (const Error& violation : violations) {
    FUZZ_CHECK_MSG(is_strict_only_code(violation.code), describe(violation));
    check_error(violation, header.file_size());
  }
}

}  // namespace stguard::fuzz
