// Header lookups (binary searches over name-sorted data, no hashing) and
// the summary of a Header.
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

HeaderSummary HeaderSummary::of(const Header& header) {
  HeaderSummary summary;
  summary.tensor_count = header.tensor_count();
  summary.header_length = header.header_length();
  summary.data_size = header.data_size();
  summary.profile = header.profile();
  summary.has_metadata_object = header.has_metadata_object();
  summary.strict_violations.assign(header.strict_violations().begin(), header.strict_violations().end());
  summary.violations_truncated = header.violations_truncated();
  return summary;
}

}  // namespace stguard
