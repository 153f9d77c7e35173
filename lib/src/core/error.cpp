// The table behind the error model: one row per code, in numeric order. The
// names and summaries here are the ones docs/errors.md lists; a test checks
// that the two agree and that every enumerator has a row.
#include "stguard/error.hpp"

#include <array>

namespace stguard {
namespace {

struct ErrorRow {
  ErrorCode code;
  std::string_view name;
  std::string_view summary;
};

using C = ErrorCode;
constexpr std::array kErrorTable{
    ErrorRow{C::file_too_small, "FILE_TOO_SMALL", "the file is shorter than the 8-byte header length"},
    ErrorRow{C::header_too_large, "HEADER_TOO_LARGE", "the header length N exceeds the format maximum of 100,000,000 bytes"},
    ErrorRow{C::header_past_eof, "HEADER_PAST_EOF", "8 + N is beyond the end of the file"},
    ErrorRow{C::not_safetensors_shard_index, "NOT_SAFETENSORS_SHARD_INDEX", "the file is a sharded checkpoint index (JSON with weight_map), not a safetensors file: use st-shard check"},
    ErrorRow{C::not_safetensors_lfs_pointer, "NOT_SAFETENSORS_LFS_POINTER", "the file is a Git LFS pointer, not the object it points to: run git lfs pull"},
    ErrorRow{C::not_safetensors_html, "NOT_SAFETENSORS_HTML", "the file is an HTML page (often a failed download), not a safetensors file"},
    ErrorRow{C::not_safetensors_json, "NOT_SAFETENSORS_JSON", "the file is JSON text without the 8-byte length prefix, not a safetensors file"},
    ErrorRow{C::not_safetensors_text, "NOT_SAFETENSORS_TEXT", "the file is text, not a safetensors file"},
    ErrorRow{C::invalid_utf8, "INVALID_UTF8", "the header bytes (padding included) are not strict UTF-8"},
    ErrorRow{C::header_not_object_start, "HEADER_NOT_OBJECT_START", "strict: the header starts with whitespace instead of '{'"},
    ErrorRow{C::padding_not_spaces, "PADDING_NOT_SPACES", "strict: a byte other than 0x20 follows the closing '}'"},
    ErrorRow{C::json_syntax, "JSON_SYNTAX", "the header is not RFC 8259 JSON"},
    ErrorRow{C::json_unexpected_end, "JSON_UNEXPECTED_END", "the JSON text ends before the top-level object is complete"},
    ErrorRow{C::json_trailing_content, "JSON_TRAILING_CONTENT", "something other than JSON whitespace follows the top-level object"},
    ErrorRow{C::json_invalid_string, "JSON_INVALID_STRING", "a string has an invalid escape, a raw control character or a lone surrogate"},
    ErrorRow{C::json_invalid_number, "JSON_INVALID_NUMBER", "a number is malformed (\"1.\", \"1e\") or out of the reference's double range (\"1e309\", \"100e307\")"},
    ErrorRow{C::root_not_object, "ROOT_NOT_OBJECT", "the top-level JSON value is not an object"},
    ErrorRow{C::metadata_not_object, "METADATA_NOT_OBJECT", "__metadata__ is not an object"},
    ErrorRow{C::metadata_null, "METADATA_NULL", "strict: __metadata__ is null"},
    ErrorRow{C::metadata_value_not_string, "METADATA_VALUE_NOT_STRING", "a __metadata__ value is not a string"},
    ErrorRow{C::duplicate_metadata_block, "DUPLICATE_METADATA_BLOCK", "__metadata__ appears twice at the top level"},
    ErrorRow{C::duplicate_tensor_name, "DUPLICATE_TENSOR_NAME", "strict: two tensors share a name after unescaping"},
    ErrorRow{C::duplicate_metadata_key, "DUPLICATE_METADATA_KEY", "strict: two __metadata__ keys are equal after unescaping"},
    ErrorRow{C::duplicate_tensor_field, "DUPLICATE_TENSOR_FIELD", "a tensor object repeats dtype, shape or data_offsets"},
    ErrorRow{C::unknown_tensor_field, "UNKNOWN_TENSOR_FIELD", "strict: a tensor object has a field other than dtype, shape, data_offsets"},
    ErrorRow{C::tensor_not_object, "TENSOR_NOT_OBJECT", "a tensor entry is not a JSON object"},
    ErrorRow{C::missing_tensor_field, "MISSING_TENSOR_FIELD", "a tensor object lacks dtype, shape or data_offsets"},
    ErrorRow{C::unknown_dtype, "UNKNOWN_DTYPE", "dtype is not one of the 22 exact names"},
    ErrorRow{C::dtype_not_string, "DTYPE_NOT_STRING", "dtype is not a JSON string"},
    ErrorRow{C::shape_not_array, "SHAPE_NOT_ARRAY", "shape is not an array of integers"},
    ErrorRow{C::offsets_not_pair, "OFFSETS_NOT_PAIR", "data_offsets is not an array of exactly two integers"},
    ErrorRow{C::not_an_integer, "NOT_AN_INTEGER", "a shape dimension or offset is not a plain non-negative JSON integer"},
    ErrorRow{C::integer_overflow, "INTEGER_OVERFLOW", "a shape dimension or offset exceeds 2^64 - 1"},
    ErrorRow{C::invalid_tensor_name, "INVALID_TENSOR_NAME", "strict: a tensor name is empty or has a C0/C1 control character"},
    ErrorRow{C::invalid_metadata_key, "INVALID_METADATA_KEY", "strict: a __metadata__ key has a C0/C1 control character"},
    ErrorRow{C::invalid_metadata_value, "INVALID_METADATA_VALUE", "strict: a __metadata__ value contains U+0000"},
    ErrorRow{C::invalid_offsets, "INVALID_OFFSETS", "a tensor's end offset is before its begin offset"},
    ErrorRow{C::non_contiguous, "NON_CONTIGUOUS", "tensors leave a gap or overlap (data must be contiguous from 0)"},
    ErrorRow{C::shape_overflow, "SHAPE_OVERFLOW", "the element count or bit count of a shape overflows 64 bits"},
    ErrorRow{C::subbyte_misaligned, "SUBBYTE_MISALIGNED", "a sub-byte tensor does not fill a whole number of bytes"},
    ErrorRow{C::size_mismatch, "SIZE_MISMATCH", "data_offsets span differs from shape x dtype size"},
    ErrorRow{C::data_truncated, "DATA_TRUNCATED", "the file ends before the last tensor's data"},
    ErrorRow{C::trailing_bytes, "TRAILING_BYTES", "bytes follow the last tensor's data"},
    ErrorRow{C::limit_header_bytes, "LIMIT_HEADER_BYTES", "N exceeds max_header_bytes"},
    ErrorRow{C::limit_tensor_count, "LIMIT_TENSOR_COUNT", "more tensors than max_tensors"},
    ErrorRow{C::limit_rank, "LIMIT_RANK", "a shape has more dimensions than max_rank"},
    ErrorRow{C::limit_name_bytes, "LIMIT_NAME_BYTES", "a tensor name is longer than max_name_bytes"},
    ErrorRow{C::limit_integer, "LIMIT_INTEGER", "a shape dimension or offset exceeds max_integer (strict: 2^53 - 1)"},
    ErrorRow{C::limit_depth, "LIMIT_DEPTH", "JSON nesting deeper than max_depth"},
    ErrorRow{C::io_open_failed, "IO_OPEN_FAILED", "the file could not be opened"},
    ErrorRow{C::io_read_failed, "IO_READ_FAILED", "reading the file failed"},
    ErrorRow{C::io_not_regular_file, "IO_NOT_REGULAR_FILE", "the path is a directory or another non-regular file"},
    ErrorRow{C::io_map_failed, "IO_MAP_FAILED", "memory-mapping the file failed"},
    ErrorRow{C::io_write_failed, "IO_WRITE_FAILED", "writing, syncing or renaming the output failed"},
    ErrorRow{C::io_file_changed, "IO_FILE_CHANGED", "the file changed after it was validated"},
    ErrorRow{C::tensor_not_found, "TENSOR_NOT_FOUND", "no tensor has the requested name"},
    ErrorRow{C::dtype_mismatch, "DTYPE_MISMATCH", "typed access asked for a different dtype"},
    ErrorRow{C::slice_too_many_indices, "SLICE_TOO_MANY_INDICES", "a slice has more indices than the tensor's rank"},
    ErrorRow{C::slice_stop_before_start, "SLICE_STOP_BEFORE_START", "a slice range stops before it starts"},
    ErrorRow{C::slice_out_of_range, "SLICE_OUT_OF_RANGE", "a slice index or range is past the end of its dimension"},
    ErrorRow{C::slice_not_byte_aligned, "SLICE_NOT_BYTE_ALIGNED", "a sub-byte slice does not start and end on a byte"},
    ErrorRow{C::slice_syntax, "SLICE_SYNTAX", "a slice specification cannot be parsed"},
    ErrorRow{C::invalid_argument, "INVALID_ARGUMENT", "an argument is invalid"},
    ErrorRow{C::conversion_inexact, "CONVERSION_INEXACT", "a typed read with Conversion::exact met a value the target type cannot hold exactly (an integer too wide for float or double)"},
    ErrorRow{C::aliased_tensors, "ALIASED_TENSORS", "two input tensors share memory (tied weights)"},
    ErrorRow{C::producer_failed, "PRODUCER_FAILED", "a tensor byte producer reported failure"},
    ErrorRow{C::stream_out_of_order, "STREAM_OUT_OF_ORDER", "streamed bytes arrived for a tensor out of layout order"},
    ErrorRow{C::stream_wrong_byte_count, "STREAM_WRONG_BYTE_COUNT", "a streamed tensor received more or fewer bytes than declared"},
    ErrorRow{C::data_length_mismatch, "DATA_LENGTH_MISMATCH", "the bytes given for a tensor do not match shape x dtype"},
    ErrorRow{C::index_invalid_json, "INDEX_INVALID_JSON", "the sharded index is not valid JSON of the expected schema"},
    ErrorRow{C::index_bad_shard_name, "INDEX_BAD_SHARD_NAME", "a shard name is not a plain file name in the index's folder"},
    ErrorRow{C::index_tensor_missing, "INDEX_TENSOR_MISSING", "a tensor in weight_map is absent from the shard it names"},
    ErrorRow{C::index_tensor_unlisted, "INDEX_TENSOR_UNLISTED", "a shard holds a tensor absent from weight_map"},
    ErrorRow{C::index_tensor_elsewhere, "INDEX_TENSOR_ELSEWHERE", "a tensor is present in a shard other than the one named"},
    ErrorRow{C::index_total_size_mismatch, "INDEX_TOTAL_SIZE_MISMATCH", "metadata.total_size differs from the shards' tensor bytes"},
    ErrorRow{C::index_too_many_shards, "INDEX_TOO_MANY_SHARDS", "the index names more shards than allowed"},
    ErrorRow{C::index_shard_invalid, "INDEX_SHARD_INVALID", "a shard is missing or fails validation"},
    ErrorRow{C::network_dns, "NETWORK_DNS", "the host name of a URL could not be resolved"},
    ErrorRow{C::network_connect, "NETWORK_CONNECT", "no connection to the server or proxy (refused, unreachable)"},
    ErrorRow{C::network_tls, "NETWORK_TLS", "the TLS handshake or the server's certificate verification failed"},
    ErrorRow{C::network_http_status, "NETWORK_HTTP_STATUS", "the server answered with an HTTP error (404, 403, 500 ...) or an unexpected status"},
    ErrorRow{C::network_range_not_honoured, "NETWORK_RANGE_NOT_HONOURED", "the server's Content-Range is missing, malformed, or not the range asked for"},
    ErrorRow{C::network_object_changed, "NETWORK_OBJECT_CHANGED", "the remote file changed between two requests (ETag, Last-Modified or size)"},
    ErrorRow{C::network_too_many_redirects, "NETWORK_TOO_MANY_REDIRECTS", "more redirects than max_redirects allows"},
    ErrorRow{C::network_timeout, "NETWORK_TIMEOUT", "a connect or total timeout expired, or the transfer stayed below the low-speed limit"},
    ErrorRow{C::network_body_too_large, "NETWORK_BODY_TOO_LARGE", "the server sent more bytes than asked for or than max_bytes allows"},
    ErrorRow{C::network_encoding_refused, "NETWORK_ENCODING_REFUSED", "the server sent a Content-Encoding other than identity"},
    ErrorRow{C::network_redirect_refused, "NETWORK_REDIRECT_REFUSED", "a redirect to a scheme other than http/https, from https to http, or without a usable Location"},
    ErrorRow{C::network_protocol, "NETWORK_PROTOCOL", "the HTTP response is malformed or ended before its declared length"},
    ErrorRow{C::out_of_memory, "OUT_OF_MEMORY", "memory ran out while processing"},
    ErrorRow{C::internal_error, "INTERNAL_ERROR", "a bug in stguard (please report it)"},
};

constexpr bool table_is_sorted() {
  for (std::size_t i = 1; i < kErrorTable.size(); ++i) {
    if (kErrorTable[i - 1].code >= kErrorTable[i].code) return false;
  }
  return true;
}
static_assert(table_is_sorted(), "error table must be in strictly increasing code order");

constexpr std::array<ErrorCode, kErrorTable.size()> make_code_list() {
  std::array<ErrorCode, kErrorTable.size()> codes{};
  for (std::size_t i = 0; i < kErrorTable.size(); ++i) codes[i] = kErrorTable[i].code;
  return codes;
}
constexpr auto kCodeList = make_code_list();

const ErrorRow* find_row(ErrorCode code) noexcept {
  std::size_t lo = 0;
  std::size_t hi = kErrorTable.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (kErrorTable[mid].code < code) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < kErrorTable.size() && kErrorTable[lo].code == code ? &kErrorTable[lo] : nullptr;
}

}  // namespace

ErrorClass error_class_of(ErrorCode code) noexcept {
  const auto value = static_cast<unsigned>(code);
  if (value >= 9900) return ErrorClass::internal;
  if (value >= 1100) return ErrorClass::network;
  if (value >= 1000) return ErrorClass::index;
  return static_cast<ErrorClass>(value / 100);
}

ErrorClass Error::error_class() const noexcept { return error_class_of(code); }

std::string_view Error::text() const noexcept { return message.empty() ? error_code_summary(code) : message; }

Error out_of_memory_error() noexcept {
  Error error;
  error.code = ErrorCode::out_of_memory;
  return error;
}

Error unexpected_exception_error() noexcept {
  Error error;
  error.code = ErrorCode::internal_error;
  return error;
}

std::string_view error_code_name(ErrorCode code) noexcept {
  const ErrorRow* row = find_row(code);
  return row ? row->name : std::string_view("UNKNOWN_ERROR");
}

std::string_view error_code_summary(ErrorCode code) noexcept {
  const ErrorRow* row = find_row(code);
  return row ? row->summary : std::string_view("unknown error code");
}

std::string_view error_class_name(ErrorClass cls) noexcept {
  switch (cls) {
    case ErrorClass::framing: return "framing";
    case ErrorClass::encoding: return "encoding";
    case ErrorClass::syntax: return "syntax";
    case ErrorClass::schema: return "schema";
    case ErrorClass::layout: return "layout";
    case ErrorClass::limit: return "limit";
    case ErrorClass::io: return "io";
    case ErrorClass::usage: return "usage";
    case ErrorClass::write: return "write";
    case ErrorClass::index: return "index";
    case ErrorClass::network: return "network";
    case ErrorClass::internal: return "internal";
  }
  return "internal";
}

std::optional<ErrorCode> error_code_from_name(std::string_view name) noexcept {
  for (const ErrorRow& row : kErrorTable) {
    if (row.name == name) return row.code;
  }
  return std::nullopt;
}

ErrorCodeList all_error_codes() noexcept { return ErrorCodeList{kCodeList.data(), kCodeList.size()}; }

Error make_error(ErrorCode code, std::string message, std::uint64_t offset, std::string tensor) {
  Error error;
  error.code = code;
  error.offset = offset;
  error.tensor = std::move(tensor);
  error.message = std::move(message);
  return error;
}

}  // namespace stguard

namespace stguard {

const Error& no_error_present() noexcept {
  // Built once (thread-safe static); make_error's allocation happens here only.
  static const Error none{ErrorCode::internal_error, kNoOffset, {},
                          "no error: error() was called on a successful Result or Status"};
  return none;
}

}  // namespace stguard
