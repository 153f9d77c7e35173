// The tokenizer's two RapidJSON readers against each other: the recursive
// one (used under the depth bound, kRecursiveReaderMaxDepth) must give the
// iterative one's events, in the same order, at the same offsets, and the
// same error (code, offset, message) on every input: every corpus file and
// fuzz seed (whole, and without the 8- or 16-byte prefix), byte mutations of
// them, with the depth bound at 127 and at 3, and with a sink that stops at
// each event of short inputs.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/json_tokenizer.hpp"
#include "json_event_log.hpp"  // fuzz/: the event log the json_readers fuzzer compares too
#include "support/test_files.hpp"

namespace fs = std::filesystem;
using namespace stguard;

namespace {

struct Run {
  std::string log;
  std::size_t events = 0;
};

Run run(const std::string& text, bool recursive, std::uint64_t max_depth, std::optional<std::size_t> stop_at) {
  detail::TokenizerConfig config;
  config.max_depth = max_depth;
  config.allow_recursive_reader = recursive;
  REQUIRE(detail::uses_recursive_reader(config) == recursive);
  fuzz::JsonRun result = fuzz::run_json_reader(text, recursive, max_depth, stop_at);
  return Run{std::move(result.log), result.events};
}

struct Tally {
  std::size_t inputs = 0;
  std::size_t rejected = 0;
  std::size_t events = 0;
};

void expect_same_readers(const std::string& text, const std::string& what, Tally& tally) {
  for (const std::uint64_t depth : {std::uint64_t{127}, std::uint64_t{3}}) {
    INFO(what << " (max_depth " << depth << ")");
    const Run iterative = run(text, false, depth, std::nullopt);
    const Run recursive = run(text, true, depth, std::nullopt);
    REQUIRE(recursive.log == iterative.log);
    ++tally.inputs;
    tally.events += iterative.events;
    if (iterative.log.find("\nerror ") != std::string::npos || iterative.log.rfind("error ", 0) == 0) ++tally.rejected;
  }
}

// Deterministic byte mutations: the JSON structure characters most likely
// to move a reader onto a different path, at seeded positions.
std::vector<std::string> mutations(const std::string& text, std::uint32_t seed) {
  static constexpr char kBytes[] = {'{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\0', '0', '-', 'n', 't'};
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::mt19937 random(seed);
  for (int i = 0; i < 6; ++i) {
    std::string mutated = text;
    const std::size_t at = random() % mutated.size();
    switch (random() % 3) {
      case 0: mutated[at] = kBytes[random() % sizeof kBytes]; break;
      case 1: mutated.insert(mutated.begin() + static_cast<std::ptrdiff_t>(at), kBytes[random() % sizeof kBytes]); break;
      default: mutated.resize(at); break;
    }
    out.push_back(std::move(mutated));
  }
  return out;
}

std::vector<fs::path> files_under(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

void compare_file(const fs::path& path, Tally& tally) {
  const test::Bytes bytes = test::read_file(path);
  const std::string whole = test::as_string(bytes);
  std::vector<std::string> texts{whole};
  for (const std::size_t prefix : {std::size_t{8}, std::size_t{16}}) {  // file prefix, header_parser's parameters
    if (whole.size() > prefix) texts.push_back(whole.substr(prefix));
  }
  std::uint32_t seed = static_cast<std::uint32_t>(std::hash<std::string>{}(path.filename().string()));
  for (const std::string& text : texts) {
    expect_same_readers(text, path.string(), tally);
    for (const std::string& mutated : mutations(text.substr(0, 4096), seed++)) {
      expect_same_readers(mutated, path.string() + " (mutated)", tally);
    }
  }
}

}  // namespace

TEST_CASE("the recursive reader gives the iterative reader's events and errors on the corpus", "[json][readers]") {
  Tally tally;
  for (const fs::path& path : files_under(fs::path(STGUARD_SOURCE_DIR) / "corpus")) compare_file(path, tally);
  CHECK(tally.inputs > 1000);
  CHECK(tally.rejected > 100);
  CHECK(tally.events > 10000);
}

TEST_CASE("the recursive reader gives the iterative reader's events and errors on every fuzz seed",
          "[json][readers]") {
  Tally tally;
  for (const fs::path& path : files_under(fs::path(STGUARD_SOURCE_DIR) / "fuzz" / "corpus")) {
    compare_file(path, tally);
  }
  CHECK(tally.inputs > 100000);
  CHECK(tally.rejected > 10000);
}

TEST_CASE("the two readers agree where each one's own rules differ", "[json][readers]") {
  Tally tally;
  // Misplaced root tokens (the iterative reader's "document empty"), every
  // truncation of a nested document, depth at and past the bound, and a
  // sink that stops at each event in turn.
  for (const std::string text : {"]", " }", "\t,", ":", "", "   ", "x", "{}", "[]", "0", "\"s\"", "{]", "[}",
                                 "{\"a\":[1,{\"b\":[[]]},null,true,false,\"\\u0041\"]}  ", "{\"a\":1,}", "[1,]",
                                 "{\"a\" 1}", "{\"a\":1 \"b\":2}", "[1 2]", "{\"\\udc00\":1}", "{\"a\":01}"}) {
    expect_same_readers(text, "literal " + text, tally);
  }
  const std::string nested = "{\"a\":[{\"b\":{\"c\":[1,2,{\"d\":null}]}},\"e\"],\"f\":{}}";
  for (std::size_t length = 0; length <= nested.size(); ++length) {
    expect_same_readers(nested.substr(0, length), "prefix of " + nested, tally);
  }
  for (const std::size_t levels : {std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{127},
                                   std::size_t{128}, std::size_t{129}, std::size_t{5000}}) {
    expect_same_readers(std::string(levels, '[') + std::string(levels, ']'), std::to_string(levels) + " levels",
                        tally);
  }
  const Run all = run(nested, false, 127, std::nullopt);
  for (std::size_t stop = 0; stop < all.events; ++stop) {
    INFO("stop at event " << stop);
    CHECK(run(nested, true, 127, stop).log == run(nested, false, 127, stop).log);
  }
  // A raised bound (strict with --max-depth above it) keeps the iterative reader.
  detail::TokenizerConfig deep;
  deep.max_depth = detail::kRecursiveReaderMaxDepth + 1;
  CHECK_FALSE(detail::uses_recursive_reader(deep));
  deep.max_depth = detail::kRecursiveReaderMaxDepth;
  CHECK(detail::uses_recursive_reader(deep));
}
