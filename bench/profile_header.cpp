// profile_header: one stage of header validation on one corpus file's header,
// held in memory, repeated --calls times: the subject that
// bench/profile_header.sh runs under callgrind, with collection switched on
// only inside run_once, so reading the file and starting the process are not
// counted. Prints what the script needs to turn instruction counts into
// per-call and per-tensor figures.
//
//   profile_header FILE [--stage STAGE] [--calls N]
//   STAGE: strict (default), compat: parse_header and freeing its result, as
//          one iteration of header/strict; summary: the same strict rules
//          through the summary storage (what st-validate runs: names as
//          views, no tensor table); rapidjson, rapidjson-recursive,
//          rapidjson-cursor, tokenizer: the JSON stages of json_stages.hpp
//          over a scratch copy refilled each call, as json/* does
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench_common.hpp"
#include "core/core_internal.hpp"
#include "json_stages.hpp"
#include "stguard/validate.hpp"

namespace stguard::bench {

enum class Stage { strict, compat, summary, rapidjson, rapidjson_recursive, rapidjson_cursor, tokenizer };

// Out of line so callgrind can switch collection on by its name. Returns the
// tensor count for the parse stages, 0 for the JSON stages, -1 on a rejection.
[[gnu::noinline]] long run_once(Stage stage, const HeaderBytes& bytes, std::vector<char>& scratch) {
  const auto header = bytes.header();
  if (stage == Stage::strict || stage == Stage::compat) {
    auto parsed = parse_header(header, bytes.data_size, stage == Stage::strict ? Options::strict() : Options::compat());
    if (!parsed) {
      std::fprintf(stderr, "profile_header: %s\n", parsed.error().message.c_str());
      return -1;
    }
    return static_cast<long>(parsed->tensor_count());
  }
  if (stage == Stage::summary) {
    auto summary = detail::summarize_header_bytes(header, bytes.data_size, Options::strict());
    if (!summary) {
      std::fprintf(stderr, "profile_header: %s\n", summary.error().message.c_str());
      return -1;
    }
    return static_cast<long>(summary->tensor_count);
  }
  std::memcpy(scratch.data(), header.data(), header.size());
  const std::span<char> text = std::span(scratch).first(header.size());
  bool accepted = false;
  switch (stage) {
    case Stage::rapidjson: accepted = rapidjson_noop(scratch, true); break;
    case Stage::rapidjson_recursive: accepted = rapidjson_noop(scratch, false); break;
    case Stage::rapidjson_cursor: accepted = rapidjson_cursor_noop(text); break;
    default: accepted = tokenizer_noop(text); break;
  }
  return accepted ? 0 : -1;
}

}  // namespace stguard::bench

int main(int argc, char** argv) {
  using stguard::bench::Stage;
  std::string path;
  Stage stage = Stage::strict;
  long calls = 1;
  bool usage_error = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--calls" && i + 1 < argc) {
      calls = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--stage" && i + 1 < argc) {
      const std::string_view name = argv[++i];
      if (name == "strict") stage = Stage::strict;
      else if (name == "compat") stage = Stage::compat;
      else if (name == "summary") stage = Stage::summary;
      else if (name == "rapidjson") stage = Stage::rapidjson;
      else if (name == "rapidjson-recursive") stage = Stage::rapidjson_recursive;
      else if (name == "rapidjson-cursor") stage = Stage::rapidjson_cursor;
      else if (name == "tokenizer") stage = Stage::tokenizer;
      else usage_error = true;
    } else if (path.empty() && !arg.starts_with("-")) {
      path = arg;
    } else {
      usage_error = true;
    }
  }
  if (usage_error || path.empty() || calls < 1) {
    std::fprintf(stderr,
                 "usage: profile_header FILE [--stage strict|compat|summary|rapidjson|rapidjson-recursive|"
                 "rapidjson-cursor|tokenizer] [--calls N]\n");
    return 2;
  }
  const stguard::bench::HeaderBytes bytes = stguard::bench::read_header_bytes(path);
  std::vector<char> scratch(bytes.header().size() + 1, '\0');  // the NUL stops RapidJSON's raw stream
  long tensors = 0;
  for (long call = 0; call < calls; ++call) {
    tensors = stguard::bench::run_once(stage, bytes, scratch);
    if (tensors < 0) {
      std::fprintf(stderr, "profile_header: %s rejected\n", path.c_str());
      return 1;
    }
  }
  std::printf("file=%s calls=%ld tensors=%ld header_bytes=%zu\n", path.c_str(), calls, tensors, bytes.header().size());
  return 0;
}
