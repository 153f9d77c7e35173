// Slicing a tensor like Python's `get_slice`: ranges and single indices on the
// leading dimensions, turned into the byte ranges they select.
//
// This file owns the hermetic part of slicing: a slice specification (parsed
// from text such as "0:2,1" or built in code) and a SlicePlan computed from a
// dtype and a shape. No I/O and no tensor bytes are involved, so the planner
// can be fuzzed on its own; the reader (reader.hpp) applies a plan to a
// tensor's bytes. Every bound is checked and reported as a slice_* error
// instead of being clamped: a range that stops before it starts, a start or
// index past the end of its dimension, more indices than the rank, and a
// sub-byte (F4, F6_*) selection that would not start and end on a byte.
// Negative indices and steps ("::2") are not supported (slice_syntax).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/dtype.hpp"
#include "stguard/error.hpp"

namespace stguard {

// One entry of a slice specification, applied to one leading dimension.
struct SliceIndex {
  enum class Kind : std::uint8_t {
    range,   // [start, stop): keeps the dimension
    single,  // one index: removes the dimension from the result's shape
  };
  Kind kind = Kind::range;
  std::uint64_t start = 0;            // range: first index kept; single: the index
  std::optional<std::uint64_t> stop;  // range only: one past the last; nullopt = to the end

  // ":" — the whole dimension.
  [[nodiscard]] static constexpr SliceIndex all() noexcept { return SliceIndex{}; }
  // "a:b" (or "a:" when stop is nullopt).
  [[nodiscard]] static constexpr SliceIndex range(std::uint64_t first,
                                                  std::optional<std::uint64_t> end = std::nullopt) noexcept {
    return SliceIndex{Kind::range, first, end};
  }
  // "i".
  [[nodiscard]] static constexpr SliceIndex single(std::uint64_t index) noexcept {
    return SliceIndex{Kind::single, index, std::nullopt};
  }

  friend constexpr bool operator==(const SliceIndex&, const SliceIndex&) noexcept = default;
};

using SliceSpec = std::vector<SliceIndex>;

// Parses the textual form used by st-inspect: comma-separated entries, each
// ":", "a:", ":b", "a:b" or "i", with decimal integers (no sign, no leading
// '+'); ASCII spaces around entries are ignored. The empty string is the
// empty specification (the whole tensor, and the only one a scalar accepts).
// Errors are slice_syntax with the character position in the message.
[[nodiscard]] Result<SliceSpec> parse_slice_spec(std::string_view text);

// The canonical text of a specification (parse_slice_spec gives it back).
[[nodiscard]] std::string format_slice_spec(std::span<const SliceIndex> spec);

// A byte range relative to the first byte of the tensor.
struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  friend constexpr bool operator==(const ByteRange&, const ByteRange&) noexcept = default;
};

class SlicePlan;

// Walks a plan's byte ranges in ascending order, without materialising them
// (a slice of a large tensor can select millions of ranges).
class SliceRangeCursor {
 public:
  // The next range; false once all have been produced.
  [[nodiscard]] bool next(ByteRange& out) noexcept;

 private:
  friend class SlicePlan;
  explicit SliceRangeCursor(const SlicePlan& plan);

  const SlicePlan* plan_;
  std::vector<std::uint64_t> counters_;  // one per iterated dimension, outermost first
  std::uint64_t produced_ = 0;
  std::uint64_t offset_ = 0;
};

// What a specification selects in a tensor of a given dtype and shape: the
// result's shape and its bytes as equally long, ascending, non-overlapping
// ranges (adjacent selections are merged, so a slice of whole rows is one
// range). Dimensions not named by the specification are kept whole.
class SlicePlan {
 public:
  // Shape of the result: ranges keep their dimension (with the selected
  // length), single indices drop it, unnamed trailing dimensions are kept.
  [[nodiscard]] std::span<const std::uint64_t> shape() const noexcept { return shape_; }
  [[nodiscard]] std::uint64_t element_count() const noexcept { return element_count_; }
  // Total bytes selected: range_count() * range_bytes().
  [[nodiscard]] std::uint64_t byte_size() const noexcept { return byte_size_; }
  // Number of ranges; 0 when the selection is empty.
  [[nodiscard]] std::uint64_t range_count() const noexcept { return range_count_; }
  // Length in bytes of every range.
  [[nodiscard]] std::uint64_t range_bytes() const noexcept { return range_bytes_; }
  // The ranges, relative to the tensor's first byte.
  [[nodiscard]] SliceRangeCursor ranges() const { return SliceRangeCursor(*this); }

 private:
  friend class SliceRangeCursor;
  friend Result<SlicePlan> plan_slice(Dtype, std::span<const std::uint64_t>, std::span<const SliceIndex>);

  struct IteratedDim {
    std::uint64_t count = 0;         // indices selected in this dimension (> 1)
    std::uint64_t stride_bytes = 0;  // bytes between consecutive indices
  };

  std::vector<std::uint64_t> shape_;
  std::vector<IteratedDim> iterated_;  // outermost first
  std::uint64_t first_offset_ = 0;
  std::uint64_t range_bytes_ = 0;
  std::uint64_t range_count_ = 0;
  std::uint64_t element_count_ = 0;
  std::uint64_t byte_size_ = 0;
};

// Plans `spec` over a tensor of `dtype` and `shape`. Errors: first
// slice_too_many_indices; then, entry by entry, slice_stop_before_start (an
// explicit stop below the start) and slice_out_of_range (a start or stop
// above the dimension, an index at or above it); then slice_not_byte_aligned
// for the whole selection.
// A shape whose byte size overflows 64 bits is invalid_argument. An empty
// selection (some selected length is 0) is valid and has no ranges.
[[nodiscard]] Result<SlicePlan> plan_slice(Dtype dtype, std::span<const std::uint64_t> shape,
                                           std::span<const SliceIndex> spec);

}  // namespace stguard
