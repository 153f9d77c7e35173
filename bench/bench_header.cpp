// Header validation benchmarks: parse_header (strict and compat) on the
// named corpus headers, and the same bytes through each stage below it, so
// the gap to a target can be attributed rather than guessed:
//
//   json/copy_header           the private scratch copy parse_header makes
//   json/utf8_check            the strict UTF-8 pass (lib/src/utf8.cpp)
//   json/rapidjson_insitu_noop RapidJSON 1.1's SAX reader alone, a handler that
//                              does nothing, the library's flags (iterative,
//                              in situ, numbers as strings, stop when done)
//                              over RapidJSON's own raw-pointer stream: the
//                              ceiling of the mandated tokenizer
//   json/rapidjson_recursive_insitu_noop  the same without kParseIterativeFlag
//   json/rapidjson_cursor_noop the same reader over the library's bounds-
//                              checked CursorStream (ByteCursor underneath)
//   json/tokenizer_noop_sink   the library's whole JSON layer (tokenize_json:
//                              CursorStream + SaxAdapter with depth and
//                              surrogate checks) feeding a sink that accepts
//   header/strict, header/compat  everything: the above plus HeaderBuilder
//                              (schema, integers, layout sort, name index)
//
// The stage benchmarks use the library's internal headers (lib/src), as the
// tests and fuzzers do; they measure the code the library runs, not a copy.
#include "json_tokenizer.hpp"  // first: it sets RAPIDJSON_ASSERT before RapidJSON is included
#include "utf8.hpp"

#include <rapidjson/reader.h>

#include <cstring>
#include <memory>

#include "bench_common.hpp"
#include "bench_files.hpp"
#include "stguard/validate.hpp"

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

struct Subject {
  std::string file;
  HeaderBytes bytes;
  std::size_t tensors = 0;
};

void set_rate(benchmark::State& state, const Subject& subject) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(subject.bytes.header().size()));
  state.counters["header_bytes"] = static_cast<double>(subject.bytes.header().size());
  state.counters["tensors"] = static_cast<double>(subject.tensors);
}

// A scratch buffer with a NUL after the header: RapidJSON's in-situ stream
// reads until it stops, and kParseStopWhenDoneFlag stops it at the closing '}'.
std::vector<char> scratch_for(const Subject& subject) {
  return std::vector<char>(subject.bytes.header().size() + 1, '\0');
}

void refill(std::vector<char>& scratch, const Subject& subject) {
  const auto header = subject.bytes.header();
  std::memcpy(scratch.data(), header.data(), header.size());
}

void bench_parse(benchmark::State& state, const std::shared_ptr<const Subject>& subject, const Options& options) {
  for (auto _ : state) {
    auto header = parse_header(subject->bytes.header(), subject->bytes.data_size, options);
    if (!ok_or_skip(state, header, "parse_header")) break;
    benchmark::DoNotOptimize(header);
  }
  set_rate(state, *subject);
}

void bench_copy(benchmark::State& state, const std::shared_ptr<const Subject>& subject) {
  std::vector<char> scratch = scratch_for(*subject);
  for (auto _ : state) {
    refill(scratch, *subject);
    benchmark::ClobberMemory();
  }
  set_rate(state, *subject);
}

void bench_utf8(benchmark::State& state, const std::shared_ptr<const Subject>& subject) {
  for (auto _ : state) {
    auto bad = detail::find_invalid_utf8(ByteCursor(subject->bytes.header()));
    if (bad) {
      state.SkipWithError("invalid UTF-8 in a corpus header");
      break;
    }
    benchmark::DoNotOptimize(bad);
  }
  set_rate(state, *subject);
}

template <unsigned Flags>
void bench_rapidjson_raw(benchmark::State& state, const std::shared_ptr<const Subject>& subject) {
  std::vector<char> scratch = scratch_for(*subject);
  for (auto _ : state) {
    refill(scratch, *subject);
    rapidjson::InsituStringStream stream(scratch.data());
    NoopHandler handler;
    rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<Flags>(stream, handler);
    if (result.IsError()) {
      state.SkipWithError("RapidJSON rejected a corpus header");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  set_rate(state, *subject);
}

void bench_rapidjson_cursor(benchmark::State& state, const std::shared_ptr<const Subject>& subject) {
  std::vector<char> scratch = scratch_for(*subject);
  const std::size_t size = subject->bytes.header().size();
  for (auto _ : state) {
    refill(scratch, *subject);
    detail::CursorStream stream(scratch.data(), size);
    NoopHandler handler;
    rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<kLibraryFlags>(stream, handler);
    if (result.IsError()) {
      state.SkipWithError("RapidJSON rejected a corpus header");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  set_rate(state, *subject);
}

void bench_tokenizer(benchmark::State& state, const std::shared_ptr<const Subject>& subject) {
  std::vector<char> scratch = scratch_for(*subject);
  const std::size_t size = subject->bytes.header().size();
  detail::TokenizerConfig config;
  for (auto _ : state) {
    refill(scratch, *subject);
    NoopSink sink;
    detail::TokenizerNotes notes;
    auto error = detail::tokenize_json(std::span<char>(scratch.data(), size), config, sink, notes);
    if (error) {
      state.SkipWithError("the tokenizer rejected a corpus header");
      break;
    }
    benchmark::DoNotOptimize(error);
  }
  set_rate(state, *subject);
}

}  // namespace

void register_header_benchmarks() {
  std::vector<std::string> files;
  for (const std::size_t count : header_series_counts()) files.push_back(header_series_name(count));
  files.insert(files.end(), {kGpt2Name, kLlamaName, kAllDtypesName});

  for (const std::string& file : files) {
    const std::string path = corpus_path(file);
    if (!file_exists(path)) continue;
    auto subject = std::make_shared<Subject>();
    subject->file = file;
    subject->bytes = read_header_bytes(path);
    auto parsed = parse_header(subject->bytes.header(), subject->bytes.data_size);
    subject->tensors = parsed ? parsed->tensor_count() : 0;
    std::shared_ptr<const Subject> shared = subject;

    // Big headers take ~0.1 s a parse: fewer, longer iterations are fine.
    const auto add = [&](const std::string& name, auto function) {
      benchmark::RegisterBenchmark((name + "/" + file).c_str(),
                                   [shared, function](benchmark::State& state) { function(state, shared); })
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    };
    add("header/strict", [](benchmark::State& s, const auto& x) { bench_parse(s, x, Options::strict()); });
    add("header/compat", [](benchmark::State& s, const auto& x) { bench_parse(s, x, Options::compat()); });
    add("json/copy_header", [](benchmark::State& s, const auto& x) { bench_copy(s, x); });
    add("json/utf8_check", [](benchmark::State& s, const auto& x) { bench_utf8(s, x); });
    add("json/rapidjson_insitu_noop", [](benchmark::State& s, const auto& x) { bench_rapidjson_raw<kLibraryFlags>(s, x); });
    add("json/rapidjson_recursive_insitu_noop",
        [](benchmark::State& s, const auto& x) { bench_rapidjson_raw<kRecursiveFlags>(s, x); });
    add("json/rapidjson_cursor_noop", [](benchmark::State& s, const auto& x) { bench_rapidjson_cursor(s, x); });
    add("json/tokenizer_noop_sink", [](benchmark::State& s, const auto& x) { bench_tokenizer(s, x); });
  }
}

}  // namespace stguard::bench
