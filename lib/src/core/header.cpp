// Header lookups: binary searches over name-sorted data, no hashing.
#include "stguard/header.hpp"

#include <algorithm>

namespace stguard {

const TensorInfo* Header::find(std::string_view name) const noexcept {
  const auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                                   [&](std::uint32_t index, std::string_view key) {
                                     return std::string_view(tensors_[index].name) < key;
                                   });
  if (it == by_name_.end() || tensors_[*it].name != name) return nullptr;
  return &tensors_[*it];
}

const std::string* Header::metadata_value(std::string_view key) const noexcept {
  const auto it = std::lower_bound(metadata_.begin(), metadata_.end(), key,
                                   [](const MetadataEntry& entry, std::string_view k) {
                                     return std::string_view(entry.key) < k;
                                   });
  if (it == metadata_.end() || it->key != key) return nullptr;
  return &it->value;
}

}  // namespace stguard
