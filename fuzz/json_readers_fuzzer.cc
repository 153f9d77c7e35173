// json_readers: the JSON layer's two RapidJSON readers on the same bytes
// (the input is JSON text, as a header's N bytes): the recursive reader,
// used while the depth bound allows it (kRecursiveReaderMaxDepth), must give
// exactly the iterative reader's events (kind, decoded text, offset) and
// error (code, offset, message), with the depth bound at 127 and at a small
// one chosen by the input's length, and with a sink that refuses an event
// chosen by the input. Replays its own seeds, json_differential's and
// header_parser's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "json_event_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fz = stguard::fuzz;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::uint64_t small_depth = 1 + size % 6;
  for (const std::uint64_t depth : {std::uint64_t{127}, small_depth}) {
    const fz::JsonRun iterative = fz::run_json_reader(text, false, depth);
    const fz::JsonRun recursive = fz::run_json_reader(text, true, depth);
    FUZZ_CHECK_MSG(recursive.log == iterative.log, "iterative:\n" + iterative.log + "recursive:\n" + recursive.log);
    if (iterative.events > 0) {
      const std::size_t stop = (size * 31 + 7) % iterative.events;
      const fz::JsonRun iterative_stopped = fz::run_json_reader(text, false, depth, stop);
      const fz::JsonRun recursive_stopped = fz::run_json_reader(text, true, depth, stop);
      FUZZ_CHECK_MSG(recursive_stopped.log == iterative_stopped.log,
                     "iterative:\n" + iterative_stopped.log + "recursive:\n" + recursive_stopped.log);
    }
  }
  return 0;
}
