// Header validation benchmarks: parse_header (strict and compat) on the
// named corpus headers, and the same bytes through each stage below it, so
// the gap to a target can be attributed rather than guessed:
//
//   json/copy_header           the private scratch copy parse_header makes
//   json/utf8_check            the strict UTF-8 pass (lib/src/core/utf8.cpp)
//   json/rapidjson_insitu_noop RapidJSON's SAX reader alone, no-op handler,
//                              the library's flags: the tokenizer's ceiling
//   json/rapidjson_recursive_insitu_noop  the same without kParseIterativeFlag
//   json/rapidjson_cursor_noop the same reader over the library's CursorStream
//   json/tokenizer_noop_sink   the library's whole JSON layer, a sink that accepts
//   header/strict, header/compat  everything: the above plus HeaderBuilder
//                              (schema, integers, layout sort, name index)
//
// The JSON stages are json_stages.hpp, shared with the profiling driver
// (profile_header) so callgrind counts the code timed here. The UTF-8 stage
// uses the library's internal header (lib/src), as the tests and fuzzers do.
#include "core/utf8.hpp"

#include <cstring>
#include <memory>

#include "bench_common.hpp"
#include "bench_files.hpp"
#include "json_stages.hpp"
#include "stguard/validate.hpp"

namespace stguard::bench {
namespace {

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

// One iteration refills the scratch buffer (the in-situ parse overwrites it)
// and runs `stage` over it: the copy is part of the cost, as in parse_header.
template <typename Stage>
void bench_stage(benchmark::State& state, const std::shared_ptr<const Subject>& subject, Stage stage) {
  std::vector<char> scratch = scratch_for(*subject);
  for (auto _ : state) {
    refill(scratch, *subject);
    if (!stage(scratch)) {
      state.SkipWithError("the JSON stage rejected a corpus header");
      break;
    }
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
    // RapidJSON's own stream reads up to the NUL; the library's streams take the header alone.
    add("json/rapidjson_insitu_noop", [](benchmark::State& s, const auto& x) {
      bench_stage(s, x, [](std::vector<char>& b) { return rapidjson_noop(b, true); });
    });
    add("json/rapidjson_recursive_insitu_noop", [](benchmark::State& s, const auto& x) {
      bench_stage(s, x, [](std::vector<char>& b) { return rapidjson_noop(b, false); });
    });
    add("json/rapidjson_cursor_noop", [](benchmark::State& s, const auto& x) {
      bench_stage(s, x, [](std::vector<char>& b) { return rapidjson_cursor_noop(std::span(b).first(b.size() - 1)); });
    });
    add("json/tokenizer_noop_sink", [](benchmark::State& s, const auto& x) {
      bench_stage(s, x, [](std::vector<char>& b) { return tokenizer_noop(std::span(b).first(b.size() - 1)); });
    });
  }
}

}  // namespace stguard::bench
