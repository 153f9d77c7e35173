// The layout layer: after the schema has produced entries, resolve duplicate
// names (strict: reject; compat: last wins, as the reference), sort tensors by
// (begin, end), walk them checking contiguity from 0 and checked shape
// arithmetic in the reference's order, and compare the covered size with the
// data region. Everything here is O(n log n) in the number of entries: sorting,
// never pairwise comparison, so no input can make it quadratic.
#include <algorithm>
#include <numeric>
#include <string>

#include "core/header_builder.hpp"
#include "stguard/escape.hpp"

namespace stguard {
namespace {

// Element count as the reference folds it: left to right, stop on overflow.
bool checked_element_count(const std::vector<std::uint64_t>& shape, std::uint64_t& out) noexcept {
  std::uint64_t count = 1;
  for (const std::uint64_t dim : shape) {
    if (__builtin_mul_overflow(count, dim, &count)) return false;
  }
  out = count;
  return true;
}

// Indexes of `count` items sorted by key, ties by index, so equal keys sit
// together in input order and the result never depends on the sort algorithm.
template <typename KeyOf>
std::vector<std::uint32_t> sorted_indexes(std::size_t count, KeyOf key_of) {
  std::vector<std::uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int order_of_keys = key_of(a).compare(key_of(b));
    return order_of_keys != 0 ? order_of_keys < 0 : a < b;
  });
  return order;
}

}  // namespace

std::optional<Error> HeaderBuilder::resolve_duplicate_tensors() {
  // One sort by name serves both duplicate detection and, through each
  // survivor's rank, the Header's name index (built in finish()).
  const auto order = sorted_indexes(tensors_.size(), [&](std::uint32_t i) -> const std::string& {
    return tensors_[i].info.name;
  });
  std::vector<bool> superseded(tensors_.size(), false);
  std::optional<std::uint32_t> first_repeat;  // the repeat that comes first in the file
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (tensors_[order[k]].info.name != tensors_[order[k - 1]].info.name) continue;
    superseded[order[k - 1]] = true;  // a later entry of the same name wins
    if (!first_repeat || order[k] < *first_repeat) first_repeat = order[k];
  }
  if (first_repeat) {
    const PendingTensor& repeat = tensors_[*first_repeat];
    Error error = make_error(ErrorCode::duplicate_tensor_name,
                             "tensor name \"" + escape_for_display(repeat.info.name) + "\" appears more than once",
                             repeat.key_offset, repeat.info.name);
    if (options_.profile == Profile::strict) return error;
    note_strict_violation(std::move(error));
  }
  std::uint32_t rank = 0;
  for (const std::uint32_t index : order) {
    if (!superseded[index]) tensors_[index].name_rank = rank++;
  }
  if (first_repeat) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      if (superseded[i]) continue;
      // Never move an entry onto itself: a self-move-assigned vector is left
      // empty by libstdc++, which would erase the tensor's shape.
      if (kept != i) tensors_[kept] = std::move(tensors_[i]);
      ++kept;
    }
    tensors_.resize(kept);
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

std::optional<Error> HeaderBuilder::check_layout() {
  std::sort(tensors_.begin(), tensors_.end(), [](const PendingTensor& a, const PendingTensor& b) {
    if (a.info.begin != b.info.begin) return a.info.begin < b.info.begin;
    if (a.info.end != b.info.end) return a.info.end < b.info.end;
    return a.info.name < b.info.name;
  });
  std::uint64_t running_end = 0;
  for (PendingTensor& pending : tensors_) {
    TensorInfo& info = pending.info;
    const std::uint64_t at = pending.key_offset;
    if (info.end < info.begin) {
      return make_error(ErrorCode::invalid_offsets,
                        "data_offsets end " + std::to_string(info.end) + " is before begin " + std::to_string(info.begin),
                        at, info.name);
    }
    if (info.begin != running_end) {
      const bool gap = info.begin > running_end;
      return make_error(ErrorCode::non_contiguous,
                        std::string(gap ? "gap" : "overlap") + ": tensor begins at " + std::to_string(info.begin) +
                            ", previous data ends at " + std::to_string(running_end),
                        at, info.name);
    }
    std::uint64_t elements = 0;
    std::uint64_t bits = 0;
    if (!checked_element_count(info.shape, elements) ||
        __builtin_mul_overflow(elements, std::uint64_t{dtype_bits(info.dtype)}, &bits)) {
      return make_error(ErrorCode::shape_overflow, "shape x dtype size overflows 64 bits", at, info.name);
    }
    if (bits % 8 != 0) {
      return make_error(ErrorCode::subbyte_misaligned,
                        std::to_string(elements) + " elements of " + std::string(dtype_name(info.dtype)) +
                            " do not fill whole bytes",
                        at, info.name);
    }
    if (info.end - info.begin != bits / 8) {
      return make_error(ErrorCode::size_mismatch,
                        "data_offsets span " + std::to_string(info.end - info.begin) + " bytes, shape x dtype needs " +
                            std::to_string(bits / 8),
                        at, info.name);
    }
    info.element_count = elements;
    running_end = info.end;
  }
  header_.data_size_ = running_end;
  return std::nullopt;
}

Result<Header> HeaderBuilder::finish(std::optional<std::uint64_t> data_size) {
  if (error_) return *error_;
  if (state_ != State::done) {
    return make_error(ErrorCode::internal_error, "JSON ended in an incomplete schema state", 8 + header_length_);
  }
  if (auto error = resolve_duplicate_tensors()) return *std::move(error);
  if (auto error = resolve_duplicate_metadata()) return *std::move(error);
  if (auto error = check_layout()) return *std::move(error);

  header_.tensors_.reserve(tensors_.size());
  header_.by_name_.resize(tensors_.size());
  for (std::size_t position = 0; position < tensors_.size(); ++position) {
    header_.by_name_[tensors_[position].name_rank] = static_cast<std::uint32_t>(position);
    header_.tensors_.push_back(std::move(tensors_[position].info));
  }
  tensors_.clear();
  header_.header_length_ = header_length_;
  header_.profile_ = options_.profile;
  header_.has_metadata_object_ = metadata_is_object_;
  header_.strict_violations_ = std::move(violations_);
  header_.violations_truncated_ = violations_truncated_;
  if (data_size) {
    if (auto error = check_data_size(header_, *data_size)) return *std::move(error);
  }
  return std::move(header_);
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
