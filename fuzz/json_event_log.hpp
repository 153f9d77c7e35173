// The JSON layer's events as text, for comparing its two RapidJSON readers
// (the recursive one under the depth bound, the iterative one): every event
// with its offset and decoded text, then the error (code, offset, message).
// Shared by the json_readers fuzzer and tests/json_reader_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_tokenizer.hpp"

namespace stguard::fuzz {

// Records every event as one line; optionally refuses the event numbered `stop_at`.
class JsonEventLog {
 public:
  explicit JsonEventLog(std::optional<std::size_t> stop_at = std::nullopt) : stop_at_(stop_at) {}
  bool on_object_start(std::uint64_t offset) { return add("{", offset); }
  bool on_object_end(std::uint64_t offset) { return add("}", offset); }
  bool on_array_start(std::uint64_t offset) { return add("[", offset); }
  bool on_array_end(std::uint64_t offset) { return add("]", offset); }
  bool on_key(std::string_view text, std::uint64_t offset) { return add("key " + std::string(text), offset); }
  bool on_string(std::string_view text, std::uint64_t offset) { return add("string " + std::string(text), offset); }
  bool on_number(std::string_view raw, std::uint64_t offset) { return add("number " + std::string(raw), offset); }
  bool on_bool(bool value, std::uint64_t offset) { return add(value ? "true" : "false", offset); }
  bool on_null(std::uint64_t offset) { return add("null", offset); }
  std::optional<Error>& error() noexcept { return error_; }

  std::string log;
  std::size_t count = 0;

 private:
  bool add(const std::string& event, std::uint64_t offset) {
    log += event + " @" + std::to_string(offset) + "\n";
    const bool stop = stop_at_ && count == *stop_at_;
    ++count;
    if (stop) error_ = make_error(ErrorCode::internal_error, "stopped by the sink", offset);
    return !stop;
  }
  std::optional<std::size_t> stop_at_;
  std::optional<Error> error_;
};

struct JsonRun {
  std::string log;     // the events, then "error ..." when rejected
  std::size_t events = 0;
  bool rejected = false;
};

// tokenize_json over a private copy of `text` with the chosen reader.
inline JsonRun run_json_reader(std::string_view text, bool recursive, std::uint64_t max_depth,
                               std::optional<std::size_t> stop_at = std::nullopt) {
  detail::TokenizerConfig config;
  config.max_depth = max_depth;
  config.allow_recursive_reader = recursive;
  std::vector<char> scratch(text.begin(), text.end());
  JsonEventLog sink(stop_at);
  const auto error = detail::tokenize_json(std::span<char>(scratch), config, sink);
  JsonRun run{std::move(sink.log), sink.count, error.has_value()};
  if (error) {
    run.log += "error " + std::string(error_code_name(error->code)) + " @" + std::to_string(error->offset) + ": " +
               error->message + "\n";
  }
  return run;
}

}  // namespace stguard::fuzz
