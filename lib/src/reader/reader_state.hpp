// ReaderState: everything a Reader owns, kept on the heap so that moving the
// Reader never moves what its views point to (internal to the library).
// Immutable once built, which is what makes concurrent const access safe.
#pragma once

#include <memory>

#include "reader/reader_source.hpp"
#include "stguard/header.hpp"
#include "stguard/reader.hpp"

namespace stguard::detail {

struct ReaderState {
  Header header;
  ReaderMode mode = ReaderMode::mapped;
  std::unique_ptr<DataSource> source;
};

}  // namespace stguard::detail
