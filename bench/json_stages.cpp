// The JSON stages of json_stages.hpp. Uses the library's internal headers
// (lib/src), as the tests and fuzzers do: it runs the code the library runs.
#include "json_stages.hpp"

#include "core/json_tokenizer.hpp"  // first: it sets RAPIDJSON_ASSERT before RapidJSON is included

#include <rapidjson/reader.h>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace stguard::bench {
namespace {

constexpr unsigned kLibraryFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag |
                                   rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseInsituFlag;
constexpr unsigned kRecursiveFlags = kLibraryFlags & ~static_cast<unsigned>(rapidjson::kParseIterativeFlag);

// Accepts every event: what RapidJSON costs with nothing to do.
struct NoopHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, NoopHandler> {};

// The tokenizer's sink interface (HeaderBuilder's), accepting everything.
struct NoopSink {
  bool on_object_start(std::uint64_t) { return true; }
  bool on_object_end(std::uint64_t) { return true; }
  bool on_array_start(std::uint64_t) { return true; }
  bool on_array_end(std::uint64_t) { return true; }
  bool on_key(std::string_view key, std::uint64_t) {
    benchmark::DoNotOptimize(key.data());
    return true;
  }
  bool on_string(std::string_view value, std::uint64_t) {
    benchmark::DoNotOptimize(value.data());
    return true;
  }
  bool on_number(std::string_view raw, std::uint64_t) {
    benchmark::DoNotOptimize(raw.data());
    return true;
  }
  bool on_bool(bool, std::uint64_t) { return true; }
  bool on_null(std::uint64_t) { return true; }
  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }
  std::optional<Error> error_;
};

template <unsigned Flags>
bool parse_raw(char* text) {
  rapidjson::InsituStringStream stream(text);
  NoopHandler handler;
  rapidjson::Reader reader;
  return !reader.Parse<Flags>(stream, handler).IsError();
}

}  // namespace

bool rapidjson_noop(std::span<char> text, bool iterative) {
  return iterative ? parse_raw<kLibraryFlags>(text.data()) : parse_raw<kRecursiveFlags>(text.data());
}

bool rapidjson_cursor_noop(std::span<char> text) {
  detail::CursorStream stream(text.data(), text.size());
  NoopHandler handler;
  rapidjson::Reader reader;
  return !reader.Parse<kLibraryFlags>(stream, handler).IsError();
}

bool tokenizer_noop(std::span<char> text) {
  NoopSink sink;
  detail::TokenizerNotes notes;
  const detail::TokenizerConfig config;
  return !detail::tokenize_json(text, config, sink, notes);
}

}  // namespace stguard::bench
