// ReaderState: everything a Reader owns, kept on the heap so that moving the
// Reader never moves what its views point to (internal to the library).
// Immutable once built, which is what makes concurrent const access safe.
// Also the guard that keeps exceptions out of the reader's public API.
#pragma once

#include <memory>
#include <new>
#include <stdexcept>

#include "reader/reader_source.hpp"
#include "stguard/header.hpp"
#include "stguard/reader.hpp"

namespace stguard::detail {

struct ReaderState {
  Header header;
  ReaderMode mode = ReaderMode::mapped;
  std::unique_ptr<DataSource> source;
};

// Runs `body` and turns an allocation failure (a copy, or building an error
// message) into OUT_OF_MEMORY, so no exception leaves the public API. The
// replacement message fits the small-string buffer: making it cannot throw.
template <typename Body>
auto without_exceptions(Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::out_of_memory, "out of memory");
  } catch (const std::length_error&) {
    return make_error(ErrorCode::out_of_memory, "out of memory");
  }
}

}  // namespace stguard::detail
