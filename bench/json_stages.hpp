// The stages of header validation below the schema, each alone over a text
// the caller has copied into a writable buffer: what the header benchmarks
// (bench_header.cpp) time and what profile_header counts under callgrind, so
// both measure the same code.
//
//   rapidjson_noop          RapidJSON 1.1's SAX reader with a handler that
//                           does nothing, the library's flags (in situ,
//                           numbers as strings, stop when done; iterative or
//                           not) over RapidJSON's raw-pointer stream: the
//                           ceiling of the mandated tokenizer
//   rapidjson_cursor_noop   the same reader over the library's bounds-checked
//                           CursorStream (ByteCursor underneath)
//   tokenizer_noop          the library's whole JSON layer (tokenize_json:
//                           CursorStream + SaxAdapter with depth and
//                           surrogate checks) feeding a sink that accepts
// Each returns false when the text is rejected (a corpus bug).
#pragma once

#include <cstddef>
#include <span>

namespace stguard::bench {

// `text` is the header followed by one NUL (RapidJSON's in-situ stream reads
// until kParseStopWhenDoneFlag stops it at the closing brace).
[[nodiscard]] bool rapidjson_noop(std::span<char> text, bool iterative);
// `text` is the header alone (CursorStream knows its size).
[[nodiscard]] bool rapidjson_cursor_noop(std::span<char> text);
[[nodiscard]] bool tokenizer_noop(std::span<char> text);

}  // namespace stguard::bench
