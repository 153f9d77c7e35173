// Non-template parts of the JSON layer: the surrogate
// check, RapidJSON error mapping, and what may follow the top-level value.
#include "core/json_tokenizer.hpp"

#include <cstring>

namespace stguard::detail {

bool has_encoded_surrogate(std::string_view decoded) noexcept {
  const char* data = decoded.data();
  std::size_t size = decoded.size();
  while (size >= 2) {
    const void* hit = std::memchr(data, 0xED, size - 1);
    if (hit == nullptr) return false;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
    if (static_cast<unsigned char>(data[at + 1]) >= 0xA0) return true;
    data += at + 1;
    size -= at + 1;
  }
  return false;
}

ErrorCode map_rapidjson_error(rapidjson::ParseErrorCode code, std::size_t position, std::size_t size,
                              bool byte_is_nul) noexcept {
  // RapidJSON reports "end of input" for both the real end and a NUL byte;
  // only the real end is an incomplete document.
  const bool at_end = position >= size;
  switch (code) {
    case rapidjson::kParseErrorDocumentEmpty:
      return at_end ? ErrorCode::json_unexpected_end : ErrorCode::json_syntax;
    case rapidjson::kParseErrorDocumentRootNotSingular:
      return ErrorCode::json_trailing_content;
    case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex:
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
    case rapidjson::kParseErrorStringEscapeInvalid:
    case rapidjson::kParseErrorStringInvalidEncoding:
      return ErrorCode::json_invalid_string;
    case rapidjson::kParseErrorStringMissQuotationMark:
      return at_end ? ErrorCode::json_unexpected_end : ErrorCode::json_invalid_string;
    case rapidjson::kParseErrorNumberTooBig:
    case rapidjson::kParseErrorNumberMissFraction:
    case rapidjson::kParseErrorNumberMissExponent:
      return at_end ? ErrorCode::json_unexpected_end : ErrorCode::json_invalid_number;
    default:
      if (at_end && !byte_is_nul) return ErrorCode::json_unexpected_end;
      return ErrorCode::json_syntax;
  }
}

std::string rapidjson_error_text(rapidjson::ParseErrorCode code) {
  switch (code) {
    case rapidjson::kParseErrorDocumentEmpty: return "the header holds no JSON value";
    case rapidjson::kParseErrorDocumentRootNotSingular: return "more than one top-level JSON value";
    case rapidjson::kParseErrorValueInvalid: return "invalid JSON value";
    case rapidjson::kParseErrorObjectMissName: return "expected an object key (a string)";
    case rapidjson::kParseErrorObjectMissColon: return "expected ':' after an object key";
    case rapidjson::kParseErrorObjectMissCommaOrCurlyBracket: return "expected ',' or '}' in an object";
    case rapidjson::kParseErrorArrayMissCommaOrSquareBracket: return "expected ',' or ']' in an array";
    case rapidjson::kParseErrorStringUnicodeEscapeInvalidHex: return "invalid \\u escape in a string";
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid: return "invalid surrogate pair escape in a string";
    case rapidjson::kParseErrorStringEscapeInvalid: return "invalid escape or raw control character in a string";
    case rapidjson::kParseErrorStringMissQuotationMark: return "unterminated string";
    case rapidjson::kParseErrorStringInvalidEncoding: return "invalid encoding in a string";
    case rapidjson::kParseErrorNumberTooBig: return "number out of range (its conversion to a double overflows)";
    case rapidjson::kParseErrorNumberMissFraction: return "number lacks digits after '.'";
    case rapidjson::kParseErrorNumberMissExponent: return "number lacks exponent digits";
    case rapidjson::kParseErrorTermination: return "parsing stopped";
    default: return "JSON syntax error";
  }
}

std::optional<std::size_t> find_misplaced_root_token(ByteCursor text) noexcept {
  std::uint8_t byte = 0;
  while (text.peek_u8(byte) && is_json_whitespace(byte)) (void)text.skip(1);
  if (!text.peek_u8(byte)) return std::nullopt;
  if (byte == ']' || byte == '}' || byte == ',' || byte == ':') return text.position();
  return std::nullopt;
}

std::optional<Error> check_json_tail(ByteCursor tail, std::uint64_t base_offset) noexcept {
  try {
    std::uint8_t byte = 0;
    while (tail.peek_u8(byte)) {
      if (!is_json_whitespace(byte)) {
        return make_error(ErrorCode::json_trailing_content,
                          byte == 0 ? "NUL byte after the top-level object"
                                    : "non-whitespace content after the top-level object",
                          base_offset + tail.position());
      }
      (void)tail.skip(1);
    }
    return std::nullopt;
  } catch (...) {
    return out_of_memory_error();  // allocates nothing
  }
}

}  // namespace stguard::detail
