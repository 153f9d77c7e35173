// json_differential: stguard's JSON layer (RapidJSON SAX + our integer
// grammar, depth count, surrogate and tail checks) against an independent
// strict decoder, simdjson's DOM parser, on the same bytes (the input is the
// N header bytes). Two levels:
//
//  1. Tokens. tokenize_json with a sink that records every event is compared
//     with a pre-order walk of simdjson's tree: same accept/reject, and when
//     both accept, the same events in the same order, byte-identical decoded
//     keys and strings (escapes, surrogate pairs, \u0000), the same number
//     spellings (RapidJSON's raw text equals the token a small lexer finds in
//     the input) and values (integers exactly, other numbers as the correctly
//     rounded double both must produce).
//  2. Model. The compat profile's header (the reference's acceptance set,
//     before the data-size check) is compared with a header model built here
//     from simdjson's tree with docs/format.md#header-schema: top-level object,
//     __metadata__ once, null or string to string (last wins), tensors with
//     dtype / shape / data_offsets (unknown fields ignored, repeated fields
//     rejected, last name wins), integers with the plain grammar up to 2^64-1,
//     then the layout walk. Same class of verdict (schema vs layout, with the
//     same layout code and tensor), and when both accept the same tensors and
//     metadata.
//
// Known, intended differences (handled precisely, never by skipping a whole
// class of inputs):
//  * Depth: stguard stops at 127 levels (the reference's limit), simdjson at
//    1024. When simdjson's tree is deeper than 127, stguard must reject with
//    limit_depth; that is checked, not skipped.
//  * Integers outside [-2^63, 2^64-1]: simdjson refuses the whole document,
//    RapidJSON hands the raw text on (stguard then says integer_overflow or
//    skips the value in an unknown field). Such a token is replaced, for
//    simdjson only, by "0" and spaces of the same length; the rest of the
//    document is still compared, and the model judges that number by its
//    original spelling.
//  * simdjson's DOM turns "-0" into the integer 0 and keeps no spelling; the
//    lexer's token (the original bytes) decides the integer grammar.
//  * Doubles beyond DBL_MAX: simdjson refuses the document. They are
//    rewritten like the integers above for simdjson.
//  * Numbers the reference refuses, "number out of range"
//    (reference_refuses_number models serde_json's conversion; it is not
//    correctly rounded: 1.7976931348623158e308 is refused, 0e400 and 400
//    digits then e-600 are not). stguard must refuse the first of them with
//    json_invalid_number at its offset, in both profiles; then both sides are
//    compared again on the text with those numbers rewritten, so everything
//    else in the document is still checked. When stguard accepts, no number
//    may be one the reference refuses. (Until F3/F5 were fixed, RapidJSON's
//    own number checks decided instead: fuzz/CAMPAIGNS.md.)
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_internal.hpp"
#include "fuzz_support.hpp"
#include "core/json_tokenizer.hpp"
#include "stguard/dtype.hpp"
#include "core/utf8.hpp"

namespace {

namespace fz = stguard::fuzz;
using stguard::Error;
using stguard::ErrorClass;
using stguard::ErrorCode;

constexpr std::uint64_t kMaxDepth = 127;

// ---------------------------------------------------------------- tokens ---

struct Event {
  enum Kind : std::uint8_t { object_start, object_end, array_start, array_end, key, string, number, boolean, null };
  Kind kind;
  std::string text;  // key, string, or raw number text
  bool flag = false;
};

// Our side: the JSON layer's events, recorded as they come.
class EventSink {
 public:
  bool on_object_start(std::uint64_t) { return add(Event::object_start); }
  bool on_object_end(std::uint64_t) { return add(Event::object_end); }
  bool on_array_start(std::uint64_t) { return add(Event::array_start); }
  bool on_array_end(std::uint64_t) { return add(Event::array_end); }
  bool on_key(std::string_view text, std::uint64_t) { return add(Event::key, text); }
  bool on_string(std::string_view text, std::uint64_t) { return add(Event::string, text); }
  bool on_number(std::string_view raw, std::uint64_t) { return add(Event::number, raw); }
  bool on_bool(bool value, std::uint64_t) { return add(Event::boolean, {}, value); }
  bool on_null(std::uint64_t) { return add(Event::null); }
  std::optional<Error>& error() noexcept { return error_; }  // never set: this sink accepts any JSON

  std::vector<Event> events;

 private:
  bool add(Event::Kind kind, std::string_view text = {}, bool flag = false) {
    events.push_back(Event{kind, std::string(text), flag});
    return true;
  }
  std::optional<Error> error_;
};

// A number token in the input: where it is and whether simdjson can hold it.
struct NumberToken {
  std::size_t position;
  std::string text;
  bool out_of_range;        // a JSON number simdjson refuses; replaced for simdjson
  bool reference_refuses;   // the reference refuses it, "number out of range" (reference_refuses_number)
};

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view t) noexcept {
  std::size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size()) return false;
  if (t[i] == '0') {
    ++i;
  } else if (is_digit(t[i])) {
    while (i < t.size() && is_digit(t[i])) ++i;
  } else {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    const std::size_t start = ++i;
    while (i < t.size() && is_digit(t[i])) ++i;
    if (i == start) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    if (i == start) return false;
  }
  return i == t.size();
}

bool is_integer_spelling(std::string_view t) noexcept {
  return t.find_first_of(".eE") == std::string_view::npos;
}

// Magnitude of an integer spelling (no sign), or nullopt above 2^64-1.
std::optional<std::uint64_t> decimal_value(std::string_view digits) noexcept {
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (__builtin_mul_overflow(value, std::uint64_t{10}, &value) ||
        __builtin_add_overflow(value, static_cast<std::uint64_t>(c - '0'), &value)) {
      return std::nullopt;
    }
  }
  return value;
}

double as_double(const std::string& text) noexcept { return std::strtod(text.c_str(), nullptr); }

bool is_overflowing_double(std::string_view t) {
  return !is_integer_spelling(t) && !std::isfinite(as_double(std::string(t)));
}

// The reference's refusal of a well-formed number (serde_json, "number out of
// range"), modelled from its parts: the digits before and after the point, in
// one u64 until the next digit would overflow it (then integer digits only
// raise the decimal exponent and fraction digits are dropped), the exponent
// in an i32 (beyond it: refused unless the significand is 0 or the exponent
// negative), saturating sums, and significand * 10^exponent with the table of
// double literals 1e0..1e308, refused when a product is infinite. Integers
// that fit u64 / i64 are never refused.
bool reference_refuses_number(std::string_view t) {
  const std::size_t exp_at = std::min(t.find_first_of("eE"), t.size());
  const std::string_view mantissa = t.substr(t[0] == '-' ? 1 : 0, exp_at - (t[0] == '-' ? 1 : 0));
  const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
  constexpr std::uint64_t kMax = ~std::uint64_t{0};
  std::uint64_t significand = 0;
  long long exponent = 0;
  bool full = false;
  for (std::size_t k = 0; k < mantissa.size(); ++k) {
    if (k == point) {
      full = false;  // serde_json tries again with the first fraction digit
      continue;
    }
    const std::uint64_t d = static_cast<std::uint64_t>(mantissa[k] - '0');
    full = full || significand > kMax / 10 || (significand == kMax / 10 && d > kMax % 10);
    if (!full) {
      significand = significand * 10 + d;
      if (k > point) --exponent;
    } else if (k < point) {
      ++exponent;
    }
  }
  const bool is_float = exp_at < t.size() || point < mantissa.size() || exponent > 0;
  if (!is_float) return false;
  if (exp_at < t.size()) {
    std::string_view digits = t.substr(exp_at + 1);
    const bool negative = digits[0] == '-';
    if (digits[0] == '-' || digits[0] == '+') digits.remove_prefix(1);
    long long value = 0;
    for (const char c : digits) {
      value = value * 10 + (c - '0');
      if (value > 2147483647LL) return significand != 0 && !negative;
    }
    exponent = std::clamp(negative ? exponent - value : exponent + value, -2147483648LL, 2147483647LL);
  }
  static const std::array<double, 309> powers = [] {
    std::array<double, 309> table{};
    for (std::size_t k = 0; k < table.size(); ++k) table[k] = std::strtod(("1e" + std::to_string(k)).c_str(), nullptr);
    return table;
  }();
  double value = static_cast<double>(significand);
  while (exponent > 308 || exponent < -308) {
    if (value == 0.0) return false;
    if (exponent > 0) return true;
    value /= 1e308;
    exponent += 308;
  }
  return exponent >= 0 && std::isinf(value * powers[static_cast<std::size_t>(exponent)]);
}

// simdjson holds integers in [-2^63, 2^64-1] and finite doubles.
bool simdjson_can_hold(std::string_view t) {
  if (!is_integer_spelling(t)) return !is_overflowing_double(t);
  const bool negative = t[0] == '-';
  const auto magnitude = decimal_value(negative ? t.substr(1) : t);
  if (!magnitude) return false;
  return !negative || *magnitude <= (std::uint64_t{1} << 63);
}

// Number tokens outside strings, in document order. Exact for valid JSON,
// which is the only case in which the tokens are used.
std::vector<NumberToken> lex_numbers(std::string_view text) {
  std::vector<NumberToken> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? std::size_t{2} : std::size_t{1};
      ++i;
    } else if (c == '-' || is_digit(c)) {
      const std::size_t start = i;
      while (i < text.size() && (is_digit(text[i]) || text[i] == '-' || text[i] == '+' || text[i] == '.' ||
                                 text[i] == 'e' || text[i] == 'E')) {
        ++i;
      }
      const std::string_view token = text.substr(start, i - start);
      const bool out_of_range = is_json_number(token) && !simdjson_can_hold(token);
      const bool refused = is_json_number(token) && reference_refuses_number(token);
      tokens.push_back(NumberToken{start, std::string(token), out_of_range, refused});
    } else {
      ++i;
    }
  }
  return tokens;
}

// simdjson's side of level 1: its tree as the same event list, plus depth.
struct SimdjsonEvents {
  std::vector<Event> events;
  std::vector<simdjson::dom::element> numbers;  // the number elements, in order
  std::uint64_t max_depth = 0;
};

void walk(simdjson::dom::element element, std::uint64_t depth, SimdjsonEvents& out) {
  using Type = simdjson::dom::element_type;
  switch (element.type()) {
    case Type::OBJECT:
      out.max_depth = std::max(out.max_depth, depth + 1);
      out.events.push_back(Event{Event::object_start, {}});
      for (const auto field : simdjson::dom::object(element)) {
        out.events.push_back(Event{Event::key, std::string(field.key)});
        walk(field.value, depth + 1, out);
      }
      out.events.push_back(Event{Event::object_end, {}});
      break;
    case Type::ARRAY:
      out.max_depth = std::max(out.max_depth, depth + 1);
      out.events.push_back(Event{Event::array_start, {}});
      for (const auto item : simdjson::dom::array(element)) walk(item, depth + 1, out);
      out.events.push_back(Event{Event::array_end, {}});
      break;
    case Type::STRING:
      out.events.push_back(Event{Event::string, std::string(std::string_view(element))});
      break;
    case Type::INT64:
    case Type::UINT64:
    case Type::DOUBLE:
      out.events.push_back(Event{Event::number, {}});
      out.numbers.push_back(element);
      break;
    case Type::BOOL:
      out.events.push_back(Event{Event::boolean, {}, bool(element)});
      break;
    case Type::NULL_VALUE:
      out.events.push_back(Event{Event::null, {}});
      break;
  }
}

// One number: RapidJSON's raw text must be the lexer's token, and simdjson's
// value must be what that spelling means.
void compare_number(const std::string& raw, const NumberToken& token, simdjson::dom::element value) {
  using Type = simdjson::dom::element_type;
  FUZZ_CHECK_MSG(raw == token.text, raw + " vs lexer " + token.text);
  if (token.out_of_range) {  // simdjson saw the "0" placeholder
    FUZZ_CHECK(value.type() == Type::INT64 && int64_t(value) == 0);
    return;
  }
  if (is_integer_spelling(raw)) {
    const bool negative = raw[0] == '-';
    const auto magnitude = decimal_value(std::string_view(raw).substr(negative ? 1 : 0));
    FUZZ_CHECK_MSG(magnitude.has_value(), raw);
    if (value.type() == Type::UINT64) {
      FUZZ_CHECK_MSG(!negative && uint64_t(value) == *magnitude, raw);
    } else {
      FUZZ_CHECK_MSG(value.type() == Type::INT64, raw);
      const std::int64_t v = int64_t(value);
      const std::uint64_t v_magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
      FUZZ_CHECK_MSG(v_magnitude == *magnitude && (v < 0) == (negative && *magnitude != 0), raw);
    }
    return;
  }
  FUZZ_CHECK_MSG(value.type() == Type::DOUBLE, raw);
  const double expected = as_double(raw);
  const double got = double(value);
  FUZZ_CHECK_MSG(got == expected && std::signbit(got) == std::signbit(expected), raw);
}

// ----------------------------------------------------------------- model ---

struct ModelTensor {
  std::string dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

struct Model {
  enum Verdict : std::uint8_t { ok, schema_error, layout_error } verdict = ok;
  ErrorCode layout_code = ErrorCode::internal_error;
  std::string layout_tensor;
  std::map<std::string, ModelTensor> tensors;  // last wins
  std::map<std::string, std::string> metadata;  // last wins
  bool has_metadata_object = false;
};

// The 22 dtypes and their bits (docs/format.md#dtypes), written out here on purpose.
constexpr std::array<std::pair<std::string_view, unsigned>, 22> kDtypes{{
    {"BOOL", 8}, {"F4", 4}, {"F6_E2M3", 6}, {"F6_E3M2", 6}, {"U8", 8}, {"I8", 8},
    {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"F8_E4M3FNUZ", 8}, {"F8_E5M2FNUZ", 8},
    {"I16", 16}, {"U16", 16}, {"F16", 16}, {"BF16", 16}, {"I32", 32}, {"U32", 32}, {"F32", 32},
    {"C64", 64}, {"F64", 64}, {"I64", 64}, {"U64", 64},
}};

std::optional<unsigned> dtype_bits_of(std::string_view name) noexcept {
  for (const auto& [dtype, bits] : kDtypes) {
    if (dtype == name) return bits;
  }
  return std::nullopt;
}

class ModelBuilder {
 public:
  explicit ModelBuilder(const std::vector<NumberToken>& tokens) : tokens_(tokens) {}

  Model build(simdjson::dom::element root) {
    Model model;
    if (!read_root(root, model)) model.verdict = Model::schema_error;
    if (model.verdict == Model::ok) check_layout(model);
    return model;
  }

 private:
  using Type = simdjson::dom::element_type;

  // Numbers are matched to their tokens by pre-order position: every number
  // in the tree is counted, including those inside skipped values.
  bool is_number(simdjson::dom::element e) const {
    return e.type() == Type::INT64 || e.type() == Type::UINT64 || e.type() == Type::DOUBLE;
  }
  void skip(simdjson::dom::element e) {
    if (is_number(e)) {
      ++next_number_;
    } else if (e.type() == Type::OBJECT) {
      for (const auto field : simdjson::dom::object(e)) skip(field.value);
    } else if (e.type() == Type::ARRAY) {
      for (const auto item : simdjson::dom::array(e)) skip(item);
    }
  }
  // A plain JSON integer 0..2^64-1, judged by its spelling.
  bool read_integer(simdjson::dom::element e, std::uint64_t& out) {
    if (!is_number(e)) return false;
    const std::string& text = tokens_.at(next_number_++).text;
    if (text.empty() || text[0] == '-' || !is_integer_spelling(text)) return false;
    if (text.size() > 1 && text[0] == '0') return false;
    const auto value = decimal_value(text);
    if (!value) return false;
    out = *value;
    return true;
  }

  bool read_metadata(simdjson::dom::element value, Model& model) {
    if (value.type() == Type::NULL_VALUE) return true;
    if (value.type() != Type::OBJECT) return false;
    model.has_metadata_object = true;
    for (const auto field : simdjson::dom::object(value)) {
      if (field.value.type() != Type::STRING) return false;
      model.metadata[std::string(field.key)] = std::string(std::string_view(field.value));
    }
    return true;
  }

  bool read_tensor(simdjson::dom::element value, ModelTensor& tensor) {
    if (value.type() != Type::OBJECT) return false;
    bool has_dtype = false;
    bool has_shape = false;
    bool has_offsets = false;
    for (const auto field : simdjson::dom::object(value)) {
      if (field.key == "dtype") {
        if (has_dtype || field.value.type() != Type::STRING) return false;
        has_dtype = true;
        tensor.dtype = std::string(std::string_view(field.value));
        if (!dtype_bits_of(tensor.dtype)) return false;
      } else if (field.key == "shape") {
        if (has_shape || field.value.type() != Type::ARRAY) return false;
        has_shape = true;
        for (const auto item : simdjson::dom::array(field.value)) {
          std::uint64_t dim = 0;
          if (!read_integer(item, dim)) return false;
          tensor.shape.push_back(dim);
        }
      } else if (field.key == "data_offsets") {
        if (has_offsets || field.value.type() != Type::ARRAY) return false;
        has_offsets = true;
        const simdjson::dom::array pair(field.value);
        if (pair.size() != 2) return false;
        if (!read_integer(pair.at(0).value_unsafe(), tensor.begin)) return false;
        if (!read_integer(pair.at(1).value_unsafe(), tensor.end)) return false;
      } else {
        skip(field.value);  // compat ignores unknown fields
      }
    }
    return has_dtype && has_shape && has_offsets;
  }

  bool read_root(simdjson::dom::element root, Model& model) {
    if (root.type() != Type::OBJECT) return false;
    bool metadata_seen = false;
    for (const auto field : simdjson::dom::object(root)) {
      if (field.key == "__metadata__") {
        if (metadata_seen) return false;
        metadata_seen = true;
        if (!read_metadata(field.value, model)) return false;
        continue;
      }
      ModelTensor tensor;
      if (!read_tensor(field.value, tensor)) return false;
      model.tensors[std::string(field.key)] = std::move(tensor);
    }
    return true;
  }

  static void check_layout(Model& model) {
    std::vector<std::pair<const std::string*, const ModelTensor*>> order;
    for (const auto& [name, tensor] : model.tensors) order.emplace_back(&name, &tensor);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second->begin, a.second->end, *a.first) < std::tie(b.second->begin, b.second->end, *b.first);
    });
    std::uint64_t running_end = 0;
    for (const auto& entry : order) {
      const ModelTensor* tensor = entry.second;
      const auto fail = [&model, &entry](ErrorCode code) {
        model.verdict = Model::layout_error;
        model.layout_code = code;
        model.layout_tensor = *entry.first;
      };
      if (tensor->end < tensor->begin) return fail(ErrorCode::invalid_offsets);
      if (tensor->begin != running_end) return fail(ErrorCode::non_contiguous);
      std::uint64_t elements = 1;
      for (const std::uint64_t dim : tensor->shape) {
        if (__builtin_mul_overflow(elements, dim, &elements)) return fail(ErrorCode::shape_overflow);
      }
      std::uint64_t bits = 0;
      if (__builtin_mul_overflow(elements, std::uint64_t{*dtype_bits_of(tensor->dtype)}, &bits)) {
        return fail(ErrorCode::shape_overflow);
      }
      if (bits % 8 != 0) return fail(ErrorCode::subbyte_misaligned);
      if (tensor->end - tensor->begin != bits / 8) return fail(ErrorCode::size_mismatch);
      running_end = tensor->end;
    }
  }

  const std::vector<NumberToken>& tokens_;
  std::size_t next_number_ = 0;
};

void compare_model(const Model& model, const stguard::Result<stguard::Header>& ours) {
  const std::string got = fz::describe(ours);
  switch (model.verdict) {
    case Model::schema_error:
      FUZZ_CHECK_MSG(!ours && ours.error().error_class() == ErrorClass::schema, "model: schema error, ours " + got);
      return;
    case Model::layout_error:
      FUZZ_CHECK_MSG(!ours && ours.error().code == model.layout_code && ours.error().tensor == model.layout_tensor,
                     "model: " + std::string(stguard::error_code_name(model.layout_code)) + ", ours " + got);
      return;
    case Model::ok:
      break;
  }
  FUZZ_CHECK_MSG(ours.ok(), "model: ok, ours " + got);
  const stguard::Header& header = *ours;
  FUZZ_CHECK(header.tensor_count() == model.tensors.size());
  for (const stguard::TensorInfo& tensor : header.tensors()) {
    const auto it = model.tensors.find(tensor.name);
    FUZZ_CHECK_MSG(it != model.tensors.end(), tensor.name);
    const ModelTensor& expected = it->second;
    FUZZ_CHECK_MSG(stguard::dtype_name(tensor.dtype) == expected.dtype, tensor.name);
    FUZZ_CHECK_MSG(tensor.shape == expected.shape, tensor.name);
    FUZZ_CHECK_MSG(tensor.begin == expected.begin && tensor.end == expected.end, tensor.name);
  }
  FUZZ_CHECK(header.has_metadata_object() == model.has_metadata_object);
  FUZZ_CHECK(header.metadata().size() == model.metadata.size());
  auto expected = model.metadata.begin();
  for (const stguard::MetadataEntry& entry : header.metadata()) {
    FUZZ_CHECK_MSG(entry.key == expected->first && entry.value == expected->second, entry.key);
    ++expected;
  }
}

// Level 1, our side: UTF-8 first (as the core does), then the JSON layer.
std::optional<Error> run_our_json_layer(std::string_view text, EventSink& sink) {
  const stguard::ByteCursor cursor(fz::as_bytes(text));
  if (stguard::detail::find_invalid_utf8(cursor)) {
    return stguard::make_error(ErrorCode::invalid_utf8, "invalid UTF-8");
  }
  stguard::detail::TokenizerConfig config;
  config.max_depth = kMaxDepth;
  config.strict = false;
  stguard::detail::TokenizerNotes notes;
  std::vector<char> scratch(text.begin(), text.end());  // in-situ parsing overwrites it
  return stguard::detail::tokenize_json(std::span<char>(scratch), config, sink, notes);
}

// The text with the chosen numbers replaced by "0" and spaces (same length,
// so offsets do not move).
std::string rewrite_numbers(std::string_view text, const std::vector<NumberToken>& tokens, bool refused_too) {
  std::string out(text);
  for (const NumberToken& token : tokens) {
    if (!token.out_of_range && !(refused_too && token.reference_refuses)) continue;
    out.replace(token.position, token.text.size(), token.text.size(), ' ');
    out[token.position] = '0';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<NumberToken> tokens = lex_numbers(text);
  std::string for_simdjson = rewrite_numbers(text, tokens, false);

  auto sink = std::make_unique<EventSink>();
  std::optional<Error> ours_error = run_our_json_layer(text, *sink);
  // The first number the reference refuses: stguard must refuse it, there.
  const auto refused = std::find_if(tokens.begin(), tokens.end(), [](const NumberToken& t) { return t.reference_refuses; });
  if (ours_error && ours_error->code == ErrorCode::json_invalid_number && refused != tokens.end() &&
      ours_error->offset == 8 + refused->position) {
    // Judge both on the text without the refused numbers, so the rest is still compared.
    text = rewrite_numbers(text, tokens, true);
    for_simdjson = text;
    tokens = lex_numbers(text);
    sink = std::make_unique<EventSink>();
    ours_error = run_our_json_layer(text, *sink);
  }
  if (ours_error) fz::check_error(*ours_error, 8 + size);
  if (!ours_error) {
    for (const NumberToken& token : tokens) {
      FUZZ_CHECK_MSG(!token.reference_refuses, "the reference refuses " + token.text + ", stguard accepted it");
    }
  }

  static simdjson::dom::parser parser;  // reused: its buffers are not a leak
  const simdjson::padded_string padded(for_simdjson);
  simdjson::dom::element root;
  const bool simdjson_ok = parser.parse(padded).get(root) == simdjson::SUCCESS;

  if (!simdjson_ok) {
    FUZZ_CHECK_MSG(ours_error.has_value(), "simdjson rejects, stguard's JSON layer accepts");
    return 0;
  }
  SimdjsonEvents theirs;
  walk(root, 0, theirs);
  if (theirs.max_depth > kMaxDepth) {
    FUZZ_CHECK_MSG(ours_error && ours_error->code == ErrorCode::limit_depth,
                   "depth " + std::to_string(theirs.max_depth) + ", ours " +
                       (ours_error ? fz::describe(*ours_error) : std::string("ok")));
    return 0;
  }
  FUZZ_CHECK_MSG(!ours_error, "simdjson accepts, ours " + fz::describe(*ours_error));

  // Same events, same strings, same numbers.
  const std::vector<Event>& events = sink->events;
  FUZZ_CHECK(events.size() == theirs.events.size());
  FUZZ_CHECK(tokens.size() == theirs.numbers.size());
  std::size_t number_index = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& a = events[i];
    const Event& b = theirs.events[i];
    FUZZ_CHECK_MSG(a.kind == b.kind, "event " + std::to_string(i));
    if (a.kind == Event::number) {
      compare_number(a.text, tokens[number_index], theirs.numbers[number_index]);
      ++number_index;
    } else {
      FUZZ_CHECK_MSG(a.text == b.text && a.flag == b.flag, "event " + std::to_string(i) + ": " + a.text);
    }
  }

  // Level 2: the compat header against the model.
  const auto header = stguard::detail::parse_header_bytes(fz::as_bytes(text), std::nullopt, stguard::Options::compat());
  ModelBuilder builder(tokens);
  compare_model(builder.build(root), header);
  return 0;
}
