// The slice planner: a specification, a dtype and a shape in; the selected
// shape and byte ranges (or a slice_* error) out. Hermetic (no I/O).
//
// Why the ranges look the way they do: in C order, once the last dimension
// whose selection is not whole is known (call it p), every choice of indices
// in the dimensions before p selects one contiguous run of
// count_p * stride_p elements. Dimensions before p with a single selected
// index only shift the start; the others are iterated like an odometer.
// For sub-byte dtypes every run must start and end on a byte; the starts are
// base + sum(i_j * stride_j), so that holds exactly when the base, the run
// length and the stride of every iterated dimension are whole bytes.
#include "stguard/slice.hpp"

#include <string>


namespace stguard {
namespace {

[[nodiscard]] bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) noexcept {
  return !__builtin_mul_overflow(a, b, &out);
}
[[nodiscard]] bool checked_add(std::uint64_t a, std::uint64_t b, std::uint64_t& out) noexcept {
  return !__builtin_add_overflow(a, b, &out);
}

struct DimSelection {
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  bool kept = true;  // false for a single index: the dimension leaves the shape
};

std::string dimension_label(std::size_t dim) { return "dimension " + std::to_string(dim); }

// Checks one entry against its dimension; fills `out` on success.
std::optional<Error> select_dimension(const SliceIndex& index, std::size_t dim, std::uint64_t size,
                                      DimSelection& out) {
  if (index.kind == SliceIndex::Kind::single) {
    if (index.start >= size) {
      return make_error(ErrorCode::slice_out_of_range, dimension_label(dim) + ": index " +
                                                           std::to_string(index.start) +
                                                           " is out of range (size " + std::to_string(size) + ")");
    }
    out = DimSelection{index.start, 1, false};
    return std::nullopt;
  }
  // An open stop means "to the end", so only an explicit stop can precede
  // the start; an open range starting past the end is out of range.
  const std::uint64_t stop = index.stop.value_or(size);
  if (index.stop && stop < index.start) {
    return make_error(ErrorCode::slice_stop_before_start, dimension_label(dim) + ": range " +
                                                              std::to_string(index.start) + ":" +
                                                              std::to_string(stop) + " stops before it starts");
  }
  if (index.start > size) {
    return make_error(ErrorCode::slice_out_of_range, dimension_label(dim) + ": start " +
                                                         std::to_string(index.start) + " is past the end (size " +
                                                         std::to_string(size) + ")");
  }
  if (stop > size) {
    return make_error(ErrorCode::slice_out_of_range, dimension_label(dim) + ": stop " + std::to_string(stop) +
                                                         " is past the end (size " + std::to_string(size) + ")");
  }
  out = DimSelection{index.start, stop - index.start, true};
  return std::nullopt;
}

// Elements of `shape`: 0 if any dimension is 0 (whatever the others are, as
// the validator's fold allows), otherwise the checked product.
bool element_count_of(std::span<const std::uint64_t> shape, std::uint64_t& out) noexcept {
  for (const std::uint64_t dim : shape) {
    if (dim == 0) {
      out = 0;
      return true;
    }
  }
  std::uint64_t product = 1;
  for (const std::uint64_t dim : shape) {
    if (!checked_mul(product, dim, product)) return false;
  }
  out = product;
  return true;
}

// Converts an element count to bytes; false when it is not a whole number of
// bytes or overflows.
bool whole_bytes(std::uint64_t elements, unsigned bits, std::uint64_t& bytes) noexcept {
  std::uint64_t total_bits = 0;
  if (!checked_mul(elements, bits, total_bits) || total_bits % 8 != 0) return false;
  bytes = total_bits / 8;
  return true;
}

Error not_byte_aligned(Dtype dtype) {
  return make_error(ErrorCode::slice_not_byte_aligned,
                    "the selection of this " + std::string(dtype_name(dtype)) + " tensor (" +
                        std::to_string(dtype_bits(dtype)) + " bits per element) does not start and end on a byte");
}

}  // namespace

Result<SlicePlan> plan_slice(Dtype dtype, std::span<const std::uint64_t> shape, std::span<const SliceIndex> spec) {
  return detail::without_exceptions([&]() -> Result<SlicePlan> {
    const std::size_t rank = shape.size();
    if (spec.size() > rank) {
      return make_error(ErrorCode::slice_too_many_indices, "the slice has " + std::to_string(spec.size()) +
                                                               " indices but the tensor has rank " +
                                                               std::to_string(rank));
    }
    std::vector<DimSelection> selection(rank);
    for (std::size_t dim = 0; dim < rank; ++dim) {
      if (dim < spec.size()) {
        if (auto error = select_dimension(spec[dim], dim, shape[dim], selection[dim])) return *std::move(error);
      } else {
        selection[dim] = DimSelection{0, shape[dim], true};
      }
    }

    const unsigned bits = dtype_bits(dtype);
    std::uint64_t tensor_elements = 0;
    std::uint64_t tensor_bytes = 0;
    if (!element_count_of(shape, tensor_elements) || !whole_bytes(tensor_elements, bits, tensor_bytes)) {
      return make_error(ErrorCode::invalid_argument,
                        "the tensor's shape does not describe a whole number of bytes that fits in 64 bits");
    }

    SlicePlan plan;
    bool empty = false;
    for (const DimSelection& dim : selection) {
      if (dim.kept) plan.shape_.push_back(dim.count);
      if (dim.count == 0) empty = true;
    }
    if (empty) return plan;  // bounds were checked; nothing is selected

    // Every selected count is now >= 1, so every dimension is >= 1 and the
    // strides below are bounded by tensor_elements: no product can overflow,
    // but each is still checked.
    std::vector<std::uint64_t> stride(rank, 1);
    for (std::size_t dim = rank; dim-- > 1;) {
      if (!checked_mul(stride[dim], shape[dim], stride[dim - 1])) {
        return make_error(ErrorCode::internal_error, "slice stride overflow");
      }
    }
    std::size_t last_partial = rank;  // rank = every dimension is selected whole
    for (std::size_t dim = 0; dim < rank; ++dim) {
      if (selection[dim].start != 0 || selection[dim].count != shape[dim]) last_partial = dim;
    }

    std::uint64_t run_elements = tensor_elements;
    std::uint64_t base_elements = 0;
    if (last_partial < rank) {
      if (!checked_mul(selection[last_partial].count, stride[last_partial], run_elements)) {
        return make_error(ErrorCode::internal_error, "slice run overflow");
      }
      for (std::size_t dim = 0; dim <= last_partial; ++dim) {
        std::uint64_t shift = 0;
        if (!checked_mul(selection[dim].start, stride[dim], shift) ||
            !checked_add(base_elements, shift, base_elements)) {
          return make_error(ErrorCode::internal_error, "slice offset overflow");
        }
      }
    }
    if (!whole_bytes(run_elements, bits, plan.range_bytes_) || !whole_bytes(base_elements, bits, plan.first_offset_)) {
      return not_byte_aligned(dtype);
    }
    plan.range_count_ = 1;
    const std::size_t iterated_below = last_partial < rank ? last_partial : 0;  // all whole: one run
    for (std::size_t dim = 0; dim < iterated_below; ++dim) {
      if (selection[dim].count <= 1) continue;
      SlicePlan::IteratedDim iterated;
      iterated.count = selection[dim].count;
      if (!whole_bytes(stride[dim], bits, iterated.stride_bytes)) return not_byte_aligned(dtype);
      if (!checked_mul(plan.range_count_, iterated.count, plan.range_count_)) {
        return make_error(ErrorCode::internal_error, "slice range count overflow");
      }
      plan.iterated_.push_back(iterated);
    }
    if (!checked_mul(plan.range_count_, run_elements, plan.element_count_) ||
        !checked_mul(plan.range_count_, plan.range_bytes_, plan.byte_size_)) {
      return make_error(ErrorCode::internal_error, "slice size overflow");
    }
    return plan;
  });
}

SliceRangeCursor::SliceRangeCursor(const SlicePlan& plan)
    : plan_(&plan), counters_(plan.iterated_.size(), 0), offset_(plan.first_offset_) {}

bool SliceRangeCursor::next(ByteRange& out) noexcept {
  if (produced_ >= plan_->range_count_) return false;
  out = ByteRange{offset_, plan_->range_bytes_};
  ++produced_;
  // Advance the odometer: the innermost iterated dimension moves fastest.
  // Offsets stay below the tensor's byte size, so the sums cannot wrap.
  for (std::size_t k = counters_.size(); k-- > 0;) {
    const SlicePlan::IteratedDim& dim = plan_->iterated_[k];
    ++counters_[k];
    offset_ += dim.stride_bytes;
    if (counters_[k] < dim.count) break;
    offset_ -= dim.count * dim.stride_bytes;
    counters_[k] = 0;
  }
  return true;
}

}  // namespace stguard
