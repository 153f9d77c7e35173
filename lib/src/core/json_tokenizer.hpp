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
//   * parsing stops after the top-level value and the rest is checked here
//     (JSON whitespace only), because RapidJSON takes a NUL byte for the end
//     of input.
// It is plain strict JSON: whitespace around the value is allowed, as RFC
// 8259 allows it. What a safetensors header asks beyond that (the first byte
// '{', padding of spaces only) is the encoding step's (header_encoding.hpp).
// The sink (HeaderBuilder) sees only object/array/key/string/number/bool/null
// events with file offsets, and answers false to stop.
#pragma once

#include <algorithm>
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
// Every read is bounds-checked (Peek/Take return '\0' at the end, as
// RapidJSON expects; the caller checks where parsing stopped), as one
// pointer compare against the end: RapidJSON calls these once or twice per
// byte, so the hot path is that compare, not a general ByteCursor call (the
// number lexer still gets a ByteCursor over the rest, Rest()). In-situ
// parsing writes each decoded string back over bytes already read, which
// saves RapidJSON's per-character copy into its own stack; the write position
// is checked to stay behind the read position.
class CursorStream {
 public:
  using Ch = char;
  // Whether the string last decoded had an escape. RapidJSON decodes a
  // string on a local copy of the stream and calls the handler before the
  // copy is written back, so the copies share this through a pointer.
  struct LastString {
    bool had_escape = false;
  };
  CursorStream(char* data, std::size_t size, LastString* last_string = nullptr) noexcept
      : begin_(data), read_(data), end_(data + size), write_(data), last_string_(last_string) {}

  Ch Peek() const noexcept { return read_ != end_ ? *read_ : '\0'; }
  Ch Take() noexcept { return read_ != end_ ? *read_++ : '\0'; }
  std::size_t Tell() const noexcept { return static_cast<std::size_t>(read_ - begin_); }

  // For the tokenizer's own number lexer (JsonReader::ParseNumber).
  ByteCursor Rest() const noexcept {
    return ByteCursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(read_),
                                                    static_cast<std::size_t>(end_ - read_)));
  }
  const Ch* Current() const noexcept { return read_; }
  void Skip(std::size_t count) noexcept {  // count <= what Rest() held
    read_ += std::min(count, static_cast<std::size_t>(end_ - read_));
  }

  Ch* PutBegin() noexcept {
    write_ = read_;
    return write_;
  }
  void Put(Ch c) noexcept {
    if (write_ >= read_) std::abort();  // never overtakes the reader
    *write_++ = c;
  }
  void Flush() noexcept {}
  // Called once the closing quote is read and the string's terminating NUL
  // written: every escape is longer than what it decodes to, so the writer
  // is behind the reader exactly when the string had one.
  std::size_t PutEnd(Ch* begin) noexcept {
    if (last_string_ != nullptr) last_string_->had_escape = write_ != read_;
    return static_cast<std::size_t>(write_ - begin);
  }

 private:
  char* begin_;
  char* read_;  // begin_ <= read_ <= end_
  char* end_;
  char* write_;
  LastString* last_string_;
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

// RapidJSON's recursive reader takes one C++ stack frame chain per nesting
// level. The adapter refuses the level past max_depth at its start event,
// before RapidJSON descends, so the stack holds at most max_depth + 1
// levels; with a bound up to this one the recursive reader is used, with a
// larger one (strict with a raised max_depth) the iterative reader, which
// keeps its levels on the heap.
inline constexpr std::uint64_t kRecursiveReaderMaxDepth = 128;

struct TokenizerConfig {
  std::uint64_t max_depth = 127;
  std::uint64_t base_offset = 8;  // file offset of the first header byte
  // The recursive reader when max_depth allows it (kRecursiveReaderMaxDepth);
  // false forces the iterative one. Both give the same events at the same
  // offsets and the same errors (tests/json_reader_test.cpp and the
  // json_readers fuzzer compare them); the recursive one is ~20% cheaper.
  bool allow_recursive_reader = true;
};

[[nodiscard]] constexpr bool uses_recursive_reader(const TokenizerConfig& config) noexcept {
  return config.allow_recursive_reader && config.max_depth <= kRecursiveReaderMaxDepth;
}

// JSON whitespace (RFC 8259): space, tab, line feed, carriage return.
[[nodiscard]] constexpr bool is_json_whitespace(std::uint8_t byte) noexcept {
  return byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D;
}

template <typename Sink>
class SaxAdapter {
 public:
  using Ch = char;
  SaxAdapter(Sink& sink, const CursorStream& stream, const CursorStream::LastString& last_string,
             const TokenizerConfig& config) noexcept
      : sink_(sink),
        stream_(stream),
        last_string_(last_string),
        config_(config),
        bracket_shift_(uses_recursive_reader(config) ? 1 : 0) {}

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
  bool StartObject() { return enter() && sink_.on_object_start(bracket_offset()); }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return sink_.on_object_end(bracket_offset());
  }
  bool StartArray() { return enter() && sink_.on_array_start(bracket_offset()); }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return sink_.on_array_end(bracket_offset());
  }

  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }

 private:
  std::uint64_t offset() const noexcept { return config_.base_offset + stream_.Tell(); }
  // The offset of a bracket event: the iterative reader calls the handler
  // before it takes the bracket, the recursive one after, so its events are
  // moved back by that one byte (and the events of both readers agree).
  std::uint64_t bracket_offset() const noexcept { return offset() - bracket_shift_; }

  bool enter() {
    ++depth_;
    if (depth_ > config_.max_depth) {
      error_ = make_error(ErrorCode::limit_depth,
                          "JSON nesting deeper than max_depth (" + std::to_string(config_.max_depth) + ")",
                          bracket_offset());
      return false;
    }
    return true;
  }
  // The raw bytes passed the UTF-8 check, which refuses encoded surrogates,
  // so only a string with an escape can hold one.
  bool check_surrogates(std::string_view text) {
    if (!last_string_.had_escape || !has_encoded_surrogate(text)) return true;
    error_ = make_error(ErrorCode::json_invalid_string, "lone surrogate escape in a string", offset());
    return false;
  }
  bool unexpected() {
    error_ = make_error(ErrorCode::internal_error, "unexpected typed number event", offset());
    return false;
  }

  Sink& sink_;
  const CursorStream& stream_;
  const CursorStream::LastString& last_string_;
  const TokenizerConfig& config_;
  std::uint64_t bracket_shift_;
  std::uint64_t depth_ = 0;
  std::optional<Error> error_;
};

// The iterative reader refuses a document whose first byte after
// whitespace is one no value starts with and no number lexer sees (']',
// '}', ',', ':') as empty; the recursive one would hand it to ParseNumber.
// The position of such a byte, for the recursive reader to refuse the same way.
[[nodiscard]] std::optional<std::size_t> find_misplaced_root_token(ByteCursor text) noexcept;

// Checks what follows the top-level value: JSON whitespace only. `tail` is a
// cursor over the whole text positioned where the value ended; `base_offset`
// is the file offset of the text's first byte.
[[nodiscard]] std::optional<Error> check_json_tail(ByteCursor tail, std::uint64_t base_offset) noexcept;

// Runs the tokenizer over `scratch`, a private copy of the JSON text
// (already validated as UTF-8) that parsing overwrites, feeding `sink`.
// Returns the first error: the sink's, the adapter's, RapidJSON's, or the tail's.
template <typename Sink>
std::optional<Error> tokenize_json(std::span<char> scratch, const TokenizerConfig& config, Sink& sink) {
  const ByteCursor header(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(scratch.data()), scratch.size()));
  CursorStream::LastString last_string;
  CursorStream stream(scratch.data(), scratch.size(), &last_string);
  SaxAdapter<Sink> adapter(sink, stream, last_string, config);
  JsonReader reader;
  constexpr unsigned kFlags = rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseInsituFlag;
  rapidjson::ParseResult result;
  if (!uses_recursive_reader(config)) {
    result = reader.Parse<kFlags | rapidjson::kParseIterativeFlag>(stream, adapter);
  } else if (const auto misplaced = find_misplaced_root_token(header)) {
    result.Set(rapidjson::kParseErrorDocumentEmpty, *misplaced);
  } else {
    result = reader.Parse<kFlags>(stream, adapter);
  }
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
  return check_json_tail(tail, config.base_offset);
}

}  // namespace stguard::detail
