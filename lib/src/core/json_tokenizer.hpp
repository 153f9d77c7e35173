// The JSON layer: RapidJSON's SAX reader turned into strict tokens.
//
// RapidJSON does the RFC 8259 grammar; this layer adds what it lacks for
// hostile input (docs/format.md#json-syntax):
//   * input comes through ByteCursor (CursorStream), never a raw pointer;
//   * numbers are lexed here, not by RapidJSON (JsonReader::ParseNumber
//     below): RFC 8259's grammar, and refused exactly when the
//     reference's JSON library refuses their value (scan_json_number); the
//     sink gets the raw text and judges integers by our own grammar
//     (parse_json_uint), so nothing is silently turned into a double;
//   * depth is counted here, against the caller's limit;
//   * lone low surrogates (\udc00), which RapidJSON 1.1 lets through, are
//     rejected;
//   * parsing stops after the top-level value and the rest is checked here,
//     because RapidJSON takes a NUL byte for the end of input.
// The sink (HeaderBuilder) sees only object/array/key/string/number/bool/null
// events with file offsets, and answers false to stop.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#ifndef RAPIDJSON_ASSERT
// RapidJSON's internal asserts become hard stops, never silent undefined behaviour.
#define RAPIDJSON_ASSERT(x) ((x) ? static_cast<void>(0) : std::abort())
#endif
#include <rapidjson/error/error.h>
#include <rapidjson/reader.h>

#include "stguard/cursor.hpp"
#include "stguard/error.hpp"

namespace stguard::detail {

enum class IntegerParse { ok, not_integer, overflow };

// Strict unsigned integer grammar: "0" or [1-9][0-9]*, value <= 2^64-1.
// Anything else ("-0", "1.0", "1e3", " 1", "01", "") is not_integer.
[[nodiscard]] IntegerParse parse_json_uint(std::string_view text, std::uint64_t& out) noexcept;

// True when a decoded string holds a UTF-8-encoded surrogate (U+D800..U+DFFF).
// Raw header bytes were validated already, so one can only come from an escape.
[[nodiscard]] bool has_encoded_surrogate(std::string_view decoded) noexcept;

// Maps a RapidJSON parse error at header position `position` (of `size`) to our code.
[[nodiscard]] ErrorCode map_rapidjson_error(rapidjson::ParseErrorCode code, std::size_t position,
                                            std::size_t size, bool byte_is_nul) noexcept;

// One JSON number token at the start of `text`: how many bytes it spans and
// whether it is valid. `length` is the token's length when ok or out_of_range,
// otherwise the position of the byte where a digit was missing.
struct NumberScan {
  enum Outcome : std::uint8_t { ok, missing_digit, missing_fraction, missing_exponent, out_of_range };
  std::size_t length;
  Outcome outcome;
};

// RFC 8259's number grammar, and serde_json's value rule: out_of_range when
// serde_json refuses the number ("number out of range": its conversion to f64
// overflows), which is also the only refusal of a well-formed number.
// Lexes as far as the grammar goes; the caller judges what follows.
[[nodiscard]] NumberScan scan_json_number(ByteCursor text) noexcept;

// A one-line English description of a RapidJSON error.
[[nodiscard]] std::string rapidjson_error_text(rapidjson::ParseErrorCode code);

// RapidJSON in-situ stream over a private, mutable copy of the header.
// Reads go through a ByteCursor (Peek/Take return '\0' at the end, as
// RapidJSON expects; the caller checks where parsing stopped). In-situ
// parsing writes each decoded string back over bytes already read, which
// saves RapidJSON's per-character copy into its own stack; the write position
// is checked to stay behind the read position.
class CursorStream {
 public:
  using Ch = char;
  CursorStream(char* data, std::size_t size) noexcept
      : cursor_(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data), size)), data_(data) {}

  Ch Peek() const noexcept {
    std::uint8_t byte = 0;
    return cursor_.peek_u8(byte) ? static_cast<Ch>(byte) : '\0';
  }
  Ch Take() noexcept {
    std::uint8_t byte = 0;
    return cursor_.read_u8(byte) ? static_cast<Ch>(byte) : '\0';
  }
  std::size_t Tell() const noexcept { return cursor_.position(); }

  // For the tokenizer's own number lexer (JsonReader::ParseNumber).
  ByteCursor Rest() const noexcept { return ByteCursor(cursor_.rest()); }
  const Ch* Current() const noexcept { return data_ + cursor_.position(); }
  void Skip(std::size_t count) noexcept { (void)cursor_.skip(count); }  // count <= what Rest() held

  Ch* PutBegin() noexcept {
    write_ = cursor_.position();
    return data_ + write_;
  }
  void Put(Ch c) noexcept {
    if (write_ >= cursor_.position()) std::abort();  // never overtakes the reader
    data_[write_++] = c;
  }
  void Flush() noexcept {}
  std::size_t PutEnd(Ch* begin) noexcept { return static_cast<std::size_t>(data_ + write_ - begin); }

 private:
  ByteCursor cursor_;
  char* data_;
  std::size_t write_ = 0;
};

}  // namespace stguard::detail

// RapidJSON parses numbers and strings on a local copy of the stream and
// reads the token's start from the original (PutBegin) for in-situ results,
// as it does for its own in-situ stream.
template <>
struct rapidjson::StreamTraits<stguard::detail::CursorStream> {
  enum { copyOptimization = 1 };
};

namespace stguard::detail {

// The tokenizer's RapidJSON reader. Its own stack allocator type makes it a
// class of its own, so that the ParseNumber below replaces RapidJSON's number
// parser for this reader only: RapidJSON 1.1 refuses numbers the reference
// accepts (0e400) and passes on as text numbers it refuses (1e308 * 100).
struct JsonReaderAllocator : rapidjson::CrtAllocator {};
using JsonReader = rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, JsonReaderAllocator>;

}  // namespace stguard::detail

// RapidJSON calls ParseNumber when a value starts with '-' or a digit. This
// one lexes with scan_json_number, reports errors with RapidJSON's codes and
// offsets for the same grammar faults, and hands the sink the raw text
// (in place, like RapidJSON's in-situ raw numbers). A member template
// specialisation: RapidJSON renaming its private parser breaks the build,
// never silently the rule.
template <>
template <unsigned parseFlags, typename InputStream, typename Handler>
void rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>,
                              stguard::detail::JsonReaderAllocator>::ParseNumber(InputStream& is,
                                                                                 Handler& handler) {
  static_assert(std::is_same_v<InputStream, stguard::detail::CursorStream>, "the tokenizer's stream only");
  using stguard::detail::NumberScan;
  const std::size_t start = is.Tell();
  const NumberScan scan = stguard::detail::scan_json_number(is.Rest());
  switch (scan.outcome) {
    case NumberScan::ok:
      break;
    case NumberScan::missing_digit:
      SetParseError(kParseErrorValueInvalid, start + scan.length);
      return;
    case NumberScan::missing_fraction:
      SetParseError(kParseErrorNumberMissFraction, start + scan.length);
      return;
    case NumberScan::missing_exponent:
      SetParseError(kParseErrorNumberMissExponent, start + scan.length);
      return;
    case NumberScan::out_of_range:
      SetParseError(kParseErrorNumberTooBig, start);
      return;
  }
  if (scan.length > std::numeric_limits<SizeType>::max()) {  // only with a header limit above 4 GiB
    SetParseError(kParseErrorNumberTooBig, start);
    return;
  }
  // The handler sees the stream still at the number's start (its offset).
  if (!handler.RawNumber(is.Current(), static_cast<SizeType>(scan.length), false)) {
    SetParseError(kParseErrorTermination, start);
    return;
  }
  is.Skip(scan.length);
}

namespace stguard::detail {

// The reference's nesting limit (serde_json's recursion limit of 128 lets a
// document nest 127 levels, the top-level object being 1).
inline constexpr std::uint64_t kReferenceMaxDepth = 127;

// The depth limit a safetensors header is parsed with: the caller's, and in
// compat never above the reference's, since compat accepts only what the
// reference accepts (a raised max_depth serves strict, where no valid header
// nests beyond 3 levels anyway, and the index parser, which has its own).
[[nodiscard]] constexpr std::uint64_t header_depth_limit(std::uint64_t max_depth, bool strict) noexcept {
  return strict || max_depth < kReferenceMaxDepth ? max_depth : kReferenceMaxDepth;
}

struct TokenizerConfig {
  std::uint64_t max_depth = 127;
  std::uint64_t base_offset = 8;  // file offset of the first header byte
  bool strict = true;             // first byte '{', space-only padding
};

// Recorded by the tokenizer in compat mode: things strict would reject.
struct TokenizerNotes {
  std::optional<Error> leading_whitespace;
  std::optional<Error> non_space_padding;
};

template <typename Sink>
class SaxAdapter {
 public:
  using Ch = char;
  SaxAdapter(Sink& sink, const CursorStream& stream, const TokenizerConfig& config) noexcept
      : sink_(sink), stream_(stream), config_(config) {}

  bool Null() { return sink_.on_null(offset()); }
  bool Bool(bool value) { return sink_.on_bool(value, offset()); }
  // JsonReader::ParseNumber hands every number over as raw text: the typed callbacks are never called.
  bool Int(int) { return unexpected(); }
  bool Uint(unsigned) { return unexpected(); }
  bool Int64(std::int64_t) { return unexpected(); }
  bool Uint64(std::uint64_t) { return unexpected(); }
  bool Double(double) { return unexpected(); }
  bool RawNumber(const Ch* text, rapidjson::SizeType length, bool) {
    return sink_.on_number(std::string_view(text, length), offset());
  }
  bool String(const Ch* text, rapidjson::SizeType length, bool) {
    const std::string_view value(text, length);
    if (!check_surrogates(value)) return false;
    return sink_.on_string(value, offset());
  }
  bool Key(const Ch* text, rapidjson::SizeType length, bool) {
    const std::string_view key(text, length);
    if (!check_surrogates(key)) return false;
    return sink_.on_key(key, offset());
  }
  bool StartObject() { return enter() && sink_.on_object_start(offset()); }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return sink_.on_object_end(offset());
  }
  bool StartArray() { return enter() && sink_.on_array_start(offset()); }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return sink_.on_array_end(offset());
  }

  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }

 private:
  std::uint64_t offset() const noexcept { return config_.base_offset + stream_.Tell(); }

  bool enter() {
    ++depth_;
    if (depth_ > config_.max_depth) {
      error_ = make_error(ErrorCode::limit_depth,
                          "JSON nesting deeper than max_depth (" + std::to_string(config_.max_depth) + ")",
                          offset());
      return false;
    }
    return true;
  }
  bool check_surrogates(std::string_view text) {
    if (!has_encoded_surrogate(text)) return true;
    error_ = make_error(ErrorCode::json_invalid_string, "lone surrogate escape in a string", offset());
    return false;
  }
  bool unexpected() {
    error_ = make_error(ErrorCode::internal_error, "unexpected typed number event", offset());
    return false;
  }

  Sink& sink_;
  const CursorStream& stream_;
  const TokenizerConfig& config_;
  std::uint64_t depth_ = 0;
  std::optional<Error> error_;
};

// Checks what follows the top-level value: JSON whitespace only (both
// profiles), and only 0x20 in strict. Not noexcept (like check_header_start):
// making an error's message may throw std::bad_alloc, which the caller's
// entry point turns into OUT_OF_MEMORY. `tail` is a cursor over the whole
// header positioned where the value ended; `base_offset` is the file offset
// of the header's first byte.
[[nodiscard]] std::optional<Error> check_header_tail(ByteCursor tail, std::uint64_t base_offset,
                                                    bool strict, TokenizerNotes& notes);

// Checks the first byte rule (strict: '{'; compat: notes it).
[[nodiscard]] std::optional<Error> check_header_start(ByteCursor header, std::uint64_t file_offset,
                                                     bool strict, TokenizerNotes& notes);

// Runs the tokenizer over `scratch`, a private copy of the header bytes
// (already validated as UTF-8) that parsing overwrites, feeding `sink`.
// Returns the first error: the sink's, the adapter's, RapidJSON's, or the tail's.
template <typename Sink>
std::optional<Error> tokenize_json(std::span<char> scratch, const TokenizerConfig& config, Sink& sink,
                                   TokenizerNotes& notes) {
  const ByteCursor header(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(scratch.data()), scratch.size()));
  if (auto start_error = check_header_start(header, config.base_offset, config.strict, notes)) {
    return start_error;
  }
  CursorStream stream(scratch.data(), scratch.size());
  SaxAdapter<Sink> adapter(sink, stream, config);
  JsonReader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseInsituFlag;
  const rapidjson::ParseResult result = reader.Parse<kFlags>(stream, adapter);
  if (result.IsError()) {
    if (sink.error()) return std::move(sink.error());
    if (adapter.error()) return std::move(adapter.error());
    const std::size_t position = result.Offset();
    std::uint8_t byte = 1;
    const bool at_nul = header.peek_u8_at(position, byte) && byte == 0;
    const ErrorCode code = map_rapidjson_error(result.Code(), position, header.size(), at_nul);
    std::string message = rapidjson_error_text(result.Code());
    if (at_nul) message += " (NUL byte)";
    return make_error(code, std::move(message), config.base_offset + position);
  }
  // In-situ parsing rewrote bytes before the stop position only; the tail is intact.
  ByteCursor tail = header;
  (void)tail.skip(stream.Tell());
  return check_header_tail(tail, config.base_offset, config.strict, notes);
}

}  // namespace stguard::detail
