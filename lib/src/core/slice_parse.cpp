// The textual slice specification ("0:2,1", ":", "3:", ":5"): a tiny
// hand-written parser over a ByteCursor, and its canonical formatter.
//
// The text comes from a command line, not from a file, but it is still
// untrusted: numbers are parsed with an overflow check, and error messages
// quote at most one character, escaped for display.
#include <new>
#include <string>

#include "core/decimal.hpp"
#include "stguard/cursor.hpp"
#include "stguard/escape.hpp"
#include "stguard/slice.hpp"

namespace stguard {
namespace {

class SpecParser {
 public:
  explicit SpecParser(std::string_view text)
      : cursor_(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())) {}

  Result<SliceSpec> parse() {
    SliceSpec spec;
    skip_spaces();
    if (cursor_.empty()) return spec;  // "" and "  ": the empty specification
    for (;;) {
      SliceIndex index;
      if (auto error = parse_entry(index)) return *std::move(error);
      spec.push_back(index);
      skip_spaces();
      std::uint8_t byte = 0;
      if (!cursor_.read_u8(byte)) return spec;
      if (byte != ',') return unexpected(cursor_.position() - 1, byte, "expected ',' or the end");
    }
  }

 private:
  std::optional<Error> parse_entry(SliceIndex& out) {
    skip_spaces();
    std::optional<std::uint64_t> first;
    if (auto error = parse_number(first)) return error;
    skip_spaces();
    std::uint8_t byte = 0;
    if (!cursor_.peek_u8(byte) || byte != ':') {
      if (!first) return expected_entry();
      out = SliceIndex::single(*first);
      return std::nullopt;
    }
    (void)cursor_.skip(1);
    skip_spaces();
    std::optional<std::uint64_t> stop;
    if (auto error = parse_number(stop)) return error;
    skip_spaces();
    if (cursor_.peek_u8(byte) && byte == ':') {
      return syntax_error(cursor_.position(), "steps (a:b:c) are not supported");
    }
    out = SliceIndex::range(first.value_or(0), stop);
    return std::nullopt;
  }

  // A run of decimal digits, if one starts here.
  std::optional<Error> parse_number(std::optional<std::uint64_t>& out) {
    std::uint8_t byte = 0;
    if (cursor_.peek_u8(byte) && (byte == '-' || byte == '+')) {
      return syntax_error(cursor_.position(), byte == '-' ? "negative indices are not supported"
                                                          : "a number cannot start with '+'");
    }
    const std::size_t start = cursor_.position();
    const auto rest = cursor_.rest();
    const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
    const std::size_t digits = detail::decimal_run(text);
    if (digits == 0) return std::nullopt;
    std::uint64_t value = 0;
    if (detail::parse_decimal(text.substr(0, digits), value) != detail::DecimalParse::ok) {
      return syntax_error(start, "the number is larger than 2^64 - 1");  // all digits: only overflow fails
    }
    out = value;
    (void)cursor_.skip(digits);
    return std::nullopt;
  }

  void skip_spaces() {
    std::uint8_t byte = 0;
    while (cursor_.peek_u8(byte) && byte == ' ') (void)cursor_.skip(1);
  }

  Error expected_entry() {
    std::uint8_t byte = 0;
    if (!cursor_.peek_u8(byte)) return syntax_error(cursor_.position(), "expected a number or ':' before the end");
    return unexpected(cursor_.position(), byte, "expected a number or ':'");
  }

  static Error unexpected(std::size_t position, std::uint8_t byte, std::string_view what) {
    const char character = static_cast<char>(byte);
    return syntax_error(position, std::string(what) + ", found '" +
                                      escape_for_display(std::string_view(&character, 1)) + "'");
  }

  static Error syntax_error(std::size_t position, std::string_view what) {
    // Not a file offset: the position is reported in the message only.
    return make_error(ErrorCode::slice_syntax,
                      "slice specification, character " + std::to_string(position + 1) + ": " + std::string(what));
  }

  ByteCursor cursor_;
};

}  // namespace

Result<SliceSpec> parse_slice_spec(std::string_view text) {
  return detail::without_exceptions([&] { return SpecParser(text).parse(); });
}

std::string format_slice_spec(std::span<const SliceIndex> spec) {
  std::string out;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (i != 0) out += ',';
    const SliceIndex& index = spec[i];
    if (index.kind == SliceIndex::Kind::single) {
      out += std::to_string(index.start);
      continue;
    }
    if (index.start != 0) out += std::to_string(index.start);
    out += ':';
    if (index.stop) out += std::to_string(*index.stop);
  }
  return out;
}

}  // namespace stguard
