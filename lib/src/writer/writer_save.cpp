// save_file / save (save.hpp): a TensorMap into a FileBuilder, then the
// builder's own save paths, so the one-call form checks and writes exactly
// as FileBuilder does.
#include <new>
#include <string>

#include "stguard/escape.hpp"
#include "stguard/save.hpp"

namespace stguard {
namespace {

// Each tensor is saved under its key; a name field that says otherwise is
// refused rather than guessed at.
Status check_names(const TensorMap& tensors) {
  for (const auto& [key, tensor] : tensors) {
    if (tensor.name.empty() || tensor.name == key) continue;
    return make_error(ErrorCode::invalid_argument,
                      "tensor " + quote_for_display(key) + ": its OwnedTensor::name is " +
                          quote_for_display(tensor.name) + " (save uses the map key; set name to it or leave it empty)",
                      kNoOffset, key.substr(0, 64));
  }
  return {};
}

// Adds every tensor (borrowing its bytes) and the metadata: the first refusal.
Status fill(FileBuilder& builder, const TensorMap& tensors, const MetadataMap& metadata) {
  if (Status names = check_names(tensors); !names) return names;
  for (const auto& [key, tensor] : tensors) {
    if (Status added = builder.add_tensor(key, tensor.dtype, tensor.shape, tensor.data); !added) return added;
  }
  for (const auto& [key, value] : metadata) {
    if (Status set = builder.set_metadata(key, value); !set) return set;
  }
  return {};
}

}  // namespace

Status save_file(const TensorMap& tensors, const std::string& path, const MetadataMap& metadata,
                 const WriterOptions& options) noexcept {
  // with_path(Status) keeps the error as it is when adding the path runs out of memory.
  return with_path(detail::without_exceptions([&]() -> Status {
                     FileBuilder builder(options);
                     if (Status filled = fill(builder, tensors, metadata); !filled) return filled;
                     return builder.save_to_path(path);
                   }),
                   path);
}

Result<std::vector<std::uint8_t>> save(const TensorMap& tensors, const MetadataMap& metadata,
                                       const WriterOptions& options) noexcept {
  return detail::without_exceptions([&]() -> Result<std::vector<std::uint8_t>> {
    FileBuilder builder(options);
    if (Status filled = fill(builder, tensors, metadata); !filled) return filled.error();
    return builder.save();
  });
}

Result<MetadataMap> metadata_map(std::span<const MetadataEntry> entries) noexcept {
  return detail::without_exceptions([&]() -> Result<MetadataMap> {
    MetadataMap map;
    for (const MetadataEntry& entry : entries) map.insert_or_assign(entry.key, entry.value);
    return map;
  });
}

}  // namespace stguard
