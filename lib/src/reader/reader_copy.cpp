// Copy-out: owned tensors that outlive the Reader and the file (to_owned,
// copy_all), and the one-call loaders load_file / load that mirror Python's
// safetensors.torch.load_file and load. Copies are read through the same
// checked accessors as everything else.
#include <string>

#include "reader/reader_state.hpp"
#include "stguard/reader.hpp"

namespace stguard {

Result<OwnedTensor> TensorView::to_owned() const {
  return detail::without_exceptions([&]() -> Result<OwnedTensor> {
    auto bytes = copy_bytes();
    if (!bytes) return std::move(bytes).error();
    OwnedTensor owned;
    owned.name = name();
    owned.dtype = dtype();
    owned.shape.assign(shape().begin(), shape().end());
    owned.element_count = element_count();
    owned.data = std::move(bytes).value();
    return owned;
  });
}

Result<TensorMap> Reader::copy_all() const {
  return detail::without_exceptions([&]() -> Result<TensorMap> {
    if (!state_) return make_error(ErrorCode::invalid_argument, "the Reader was moved from");
    TensorMap tensors;
    for (const TensorView view : this->tensors()) {
      auto owned = view.to_owned();
      if (!owned) return std::move(owned).error();
      // Names are unique in a validated Header (compat resolved duplicates).
      tensors.emplace(view.name(), std::move(owned).value());
    }
    return tensors;
  });
}

Result<TensorMap> load_file(const std::string& path, const Options& options) {
  // pread: each tensor is read once straight into its owned buffer, and a
  // file truncated meanwhile is an error, never a signal.
  ReaderOptions reader_options;
  reader_options.validation = options;
  reader_options.mode = ReaderMode::pread;
  auto reader = Reader::open(path, reader_options);
  if (!reader) return std::move(reader).error();
  return reader->copy_all();
}

Result<TensorMap> load(std::span<const std::uint8_t> file, const Options& options) {
  auto reader = Reader::from_memory(file, options);
  if (!reader) return std::move(reader).error();
  return reader->copy_all();
}

}  // namespace stguard
