// The layout layer: after the schema has produced entries, resolve duplicate
// names (strict: reject; compat: last wins, as the reference), sort tensors by
// (begin, end), walk them checking contiguity from 0 and checked shape
// arithmetic in the reference's order, and compare the covered size with the
// data region. Everything here is O(n log n) in the number of entries: sorting,
// never pairwise comparison, so no input can make it quadratic.
#include <algorithm>
#include <numeric>
#include <string>
#include <string_view>

#include "core/header_builder.hpp"
#include "core/tensor_rules.hpp"
#include "stguard/escape.hpp"

namespace stguard {
namespace {

// Indexes of `count` items sorted by key, ties by index, so equal keys sit
// together in input order and the result never depends on the sort algorithm.
// Writers emit names in order (the reference's keys are sorted), so keys
// already strictly ascending (`known_ascending`, or one pass finds them so)
// keep the input's order, with no equal keys, and the sort is skipped.
template <typename KeyOf>
std::vector<std::uint32_t> sorted_indexes(std::size_t count, KeyOf key_of, bool known_ascending = false) {
  std::vector<std::uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0U);
  if (known_ascending) return order;
  const auto ascending = std::adjacent_find(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return key_of(a).compare(key_of(b)) >= 0;
  });
  if (ascending == order.end()) return order;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int order_of_keys = key_of(a).compare(key_of(b));
    return order_of_keys != 0 ? order_of_keys < 0 : a < b;
  });
  return order;
}

}  // namespace

// Both storages' entries (TensorInfo, TensorEntryView) go through the
// same code: names (compared as string views) and element counts come from the table.
template <typename Entries>
std::optional<Error> HeaderBuilder::resolve_duplicate_tensors(Entries& tensors) {
  // One sort by name serves both duplicate detection and, through each
  // survivor's rank, the Header's name index (built in finish()).
  const auto name = [&](std::uint32_t i) { return tensors_.name_of(tensors[i]); };
  const auto order = sorted_indexes(tensors.size(), name, tensors_.names_ascending());
  std::vector<bool> superseded(tensors.size(), false);
  std::optional<std::uint32_t> first_repeat;  // the repeat that comes first in the file
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (name(order[k]) != name(order[k - 1])) continue;
    superseded[order[k - 1]] = true;  // a later entry of the same name wins
    if (!first_repeat || order[k] < *first_repeat) first_repeat = order[k];
  }
  if (first_repeat) {
    const std::string_view repeat = name(*first_repeat);
    Error error = make_error(ErrorCode::duplicate_tensor_name,
                             "tensor name \"" + escape_for_display(repeat) + "\" appears more than once",
                             places_[*first_repeat].key_offset, std::string(repeat));
    if (options_.profile == Profile::strict) return error;
    note_strict_violation(std::move(error));
  }
  std::uint32_t rank = 0;
  for (const std::uint32_t index : order) {
    if (!superseded[index]) places_[index].name_rank = rank++;
  }
  if (first_repeat) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (superseded[i]) continue;
      // Never move an entry onto itself: a self-move-assigned vector is left
      // empty by libstdc++, which would erase the tensor's shape.
      if (kept != i) {
        tensors[kept] = std::move(tensors[i]);
        places_[kept] = places_[i];
      }
      ++kept;
    }
    tensors.resize(kept);
    places_.resize(kept);
  }
  return std::nullopt;
}

std::optional<Error> HeaderBuilder::resolve_duplicate_metadata() {
  const auto order = sorted_indexes(metadata_.size(), [&](std::uint32_t i) -> const std::string& {
    return metadata_[i].key;
  });
  std::optional<std::uint32_t> first_repeat;  // the repeat that comes first in the file
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (metadata_[order[k]].key != metadata_[order[k - 1]].key) continue;
    if (!first_repeat || order[k] < *first_repeat) first_repeat = order[k];
  }
  if (first_repeat) {
    Error error = make_error(ErrorCode::duplicate_metadata_key,
                             "__metadata__ key \"" + escape_for_display(metadata_[*first_repeat].key) +
                                 "\" appears more than once",
                             metadata_offsets_[*first_repeat]);
    if (options_.profile == Profile::strict) return error;
    note_strict_violation(std::move(error));
  }
  std::vector<MetadataEntry> resolved;  // sorted by key, the last value of a key wins
  resolved.reserve(metadata_.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const bool last_of_run = k + 1 == order.size() || metadata_[order[k + 1]].key != metadata_[order[k]].key;
    if (last_of_run) resolved.push_back(std::move(metadata_[order[k]]));
  }
  header_.metadata_ = std::move(resolved);
  return std::nullopt;
}

template <typename Entries>
std::optional<Error> HeaderBuilder::check_layout(Entries& tensors) {
  using Entry = typename Entries::value_type;
  const auto in_data_order = [&](const Entry& a, const Entry& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end < b.end;
    return tensors_.name_of(a) < tensors_.name_of(b);
  };
  // Files are written in data order: one pass instead of a sort for them.
  // Any other order sorts indexes, then moves both arrays into that order.
  if (!std::is_sorted(tensors.begin(), tensors.end(), in_data_order)) {
    std::vector<std::uint32_t> order(tensors.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return in_data_order(tensors[a], tensors[b]); });
    Entries sorted;
    std::vector<TensorPlace> sorted_places;
    sorted.reserve(tensors.size());
    sorted_places.reserve(tensors.size());
    for (const std::uint32_t index : order) {
      sorted.push_back(std::move(tensors[index]));
      sorted_places.push_back(places_[index]);
    }
    tensors = std::move(sorted);
    places_ = std::move(sorted_places);
  }
  std::uint64_t running_end = 0;
  for (std::size_t position = 0; position < tensors.size(); ++position) {
    Entry& info = tensors[position];
    const std::uint64_t at = places_[position].key_offset;
    if (info.end < info.begin) {
      return make_error(ErrorCode::invalid_offsets,
                        "data_offsets end " + std::to_string(info.end) + " is before begin " + std::to_string(info.begin),
                        at, std::string(tensors_.name_of(info)));
    }
    if (info.begin != running_end) {
      const bool gap = info.begin > running_end;
      return make_error(ErrorCode::non_contiguous,
                        std::string(gap ? "gap" : "overlap") + ": tensor begins at " + std::to_string(info.begin) +
                            ", previous data ends at " + std::to_string(running_end),
                        at, std::string(tensors_.name_of(info)));
    }
    std::uint64_t elements = 0;
    std::uint64_t bytes = 0;
    const detail::SizeFault fault = tensors_.element_count_of(info, elements)
                                        ? detail::checked_byte_size(elements, info.dtype, bytes)
                                        : detail::SizeFault::overflow;
    switch (fault) {
      case detail::SizeFault::overflow:
        return make_error(ErrorCode::shape_overflow, std::string(detail::kShapeOverflowText), at,
                          std::string(tensors_.name_of(info)));
      case detail::SizeFault::partial_byte:
        return make_error(ErrorCode::subbyte_misaligned, detail::partial_byte_text(elements, info.dtype), at,
                          std::string(tensors_.name_of(info)));
      case detail::SizeFault::none:
        break;
    }
    if (info.end - info.begin != bytes) {
      return make_error(ErrorCode::size_mismatch,
                        "data_offsets span " + std::to_string(info.end - info.begin) + " bytes, shape x dtype needs " +
                            std::to_string(bytes),
                        at, std::string(tensors_.name_of(info)));
    }
    running_end = info.end;
  }
  header_.data_size_ = running_end;
  return std::nullopt;
}

std::optional<Error> HeaderBuilder::check_complete_header(std::optional<std::uint64_t> data_size) {
  if (error_) return *error_;
  if (state_ != State::done) {
    return make_error(ErrorCode::internal_error, "JSON ended in an incomplete schema state", 8 + header_length_);
  }
  if (auto error = tensors_.visit([&](auto& tensors) { return resolve_duplicate_tensors(tensors); })) {
    return *std::move(error);
  }
  if (auto error = resolve_duplicate_metadata()) return *std::move(error);
  if (auto error = tensors_.visit([&](auto& tensors) { return check_layout(tensors); })) return *std::move(error);

  header_.header_length_ = header_length_;
  header_.profile_ = options_.profile;
  header_.has_metadata_object_ = metadata_is_object_;
  header_.strict_violations_ = std::move(violations_);
  header_.violations_truncated_ = violations_truncated_;
  if (data_size) return check_data_size(header_, *data_size);
  return std::nullopt;
}

Result<Header> HeaderBuilder::finish(std::optional<std::uint64_t> data_size) {
  if (auto error = check_complete_header(data_size)) return *std::move(error);
  header_.tensors_ = tensors_.take_owned();
  header_.by_name_.resize(places_.size());
  for (std::size_t position = 0; position < places_.size(); ++position) {
    header_.by_name_[places_[position].name_rank] = static_cast<std::uint32_t>(position);
  }
  std::vector<TensorPlace>().swap(places_);
  return std::move(header_);
}

Result<HeaderSummary> HeaderBuilder::finish_summary(std::optional<std::uint64_t> data_size) {
  if (auto error = check_complete_header(data_size)) return *std::move(error);
  HeaderSummary summary;
  summary.tensor_count = places_.size();
  summary.header_length = header_.header_length_;
  summary.data_size = header_.data_size_;
  summary.profile = header_.profile_;
  summary.has_metadata_object = header_.has_metadata_object_;
  summary.strict_violations = std::move(header_.strict_violations_);
  summary.violations_truncated = header_.violations_truncated_;
  return summary;
}

std::optional<Error> HeaderBuilder::check_data_size(const Header& header, std::uint64_t actual_data_size) {
  const std::uint64_t needed = header.data_size();
  if (needed == actual_data_size) return std::nullopt;
  const std::uint64_t data_start = header.data_offset();
  const auto saturating_add = [](std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? kNoOffset - 1 : sum;
  };
  if (needed > actual_data_size) {
    return make_error(ErrorCode::data_truncated,
                      "tensors need " + std::to_string(needed) + " data bytes, the file has " +
                          std::to_string(actual_data_size),
                      saturating_add(data_start, actual_data_size));
  }
  // The message names no byte count: a stream validator that stops reading
  // at the first extra byte must report exactly what whole-file validation does.
  return make_error(ErrorCode::trailing_bytes,
                    "the file continues after the last tensor's data (which ends at data offset " +
                        std::to_string(needed) + ")",
                    saturating_add(data_start, needed));
}

}  // namespace stguard
