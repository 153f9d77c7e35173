// Conversion::exact reads of views and slices: the selected byte ranges of a
// tensor go through the conversion kernels (dtype_convert.hpp), straight
// from the mapping or buffer when the data is resident, through one bounded
// chunk buffer read with pread otherwise. Every range was checked against
// the tensor by the slice planner or is the whole tensor.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype_convert.hpp"
#include "core/tensor_rules.hpp"
#include "reader/reader_state.hpp"
#include "stguard/reader.hpp"

namespace stguard {
namespace {

template <typename Out>
constexpr std::string_view target_name() {
  return std::is_same_v<Out, float> ? "float" : "double";
}

// Converts the bytes [range.offset, range.offset + range.length) of `view`
// into `out` (exactly the elements they hold); `first_index` numbers the
// first of them in the whole read, for the error.
template <typename Out>
Status convert_range(const TensorView& view, const std::optional<std::span<const std::uint8_t>>& resident,
                     std::vector<std::uint8_t>& chunk, ByteRange range, std::span<Out> out,
                     std::uint64_t first_index) {
  const Dtype dtype = view.dtype();
  const unsigned bits = dtype_bits(dtype);
  std::uint64_t done = 0;
  while (done < range.length) {
    std::span<const std::uint8_t> bytes;
    if (resident) {
      ByteCursor cursor(*resident);
      if (range.offset > SIZE_MAX || range.length > SIZE_MAX || !cursor.skip(static_cast<std::size_t>(range.offset)) ||
          !cursor.read_bytes(static_cast<std::size_t>(range.length), bytes)) {
        return detail::slice_range_error(view.name());
      }
    } else {
      if (chunk.empty()) chunk.resize(detail::kConversionChunkBytes);
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), range.length - done));
      const std::span<std::uint8_t> part(chunk.data(), take);
      if (Status status = view.read(range.offset + done, part); !status) return status;
      bytes = part;
    }
    // Ranges and chunks start and end on element boundaries (the planner
    // refuses others; chunks are a multiple of every element size).
    const std::uint64_t first = done * 8 / bits;
    const std::size_t count = bytes.size() * 8 / bits;
    const std::size_t converted = detail::decode_elements(dtype, bytes.data(), out.subspan(first, count));
    if (converted != count) {
      return detail::conversion_inexact_error(dtype, bytes.data() + converted * bits / 8, first_index + first + converted,
                                              target_name<Out>(), view.name());
    }
    done += bytes.size();
  }
  return {};
}

}  // namespace

namespace detail {

Error output_size_error(std::uint64_t given, std::uint64_t needed, const std::string& tensor) noexcept {
  return without_exceptions([&]() -> Result<int> {
           return make_error(ErrorCode::invalid_argument,
                             "the output holds " + std::to_string(given) + " elements, the read gives " +
                                 std::to_string(needed),
                             kNoOffset, tensor);
         })
      .error();
}

bool holds_elements(Dtype dtype, std::size_t bytes, std::uint64_t count) noexcept {
  return is_exact_byte_size(count, dtype, bytes);
}

}  // namespace detail

Result<std::optional<std::span<const std::uint8_t>>> TensorView::resident_bytes() const {
  if (!state_->source->resident()) return std::optional<std::span<const std::uint8_t>>{};
  auto all = bytes_unguarded();
  if (!all) return std::move(all).error();
  return std::optional<std::span<const std::uint8_t>>(*all);
}

namespace {

template <typename Out>
Status convert_view(const TensorView& view, const Result<std::optional<std::span<const std::uint8_t>>>& resident,
                    std::span<Out> out) {
  if (!resident) return resident.error();
  std::vector<std::uint8_t> chunk;
  return convert_range(view, *resident, chunk, ByteRange{0, view.byte_size()}, out, 0);
}

template <typename Out>
Status convert_slice(const TensorView& view, const Result<std::optional<std::span<const std::uint8_t>>>& resident,
                     const SlicePlan& plan, std::span<Out> out) {
  if (!resident) return resident.error();
  std::vector<std::uint8_t> chunk;
  const unsigned bits = dtype_bits(view.dtype());
  SliceRangeCursor ranges = plan.ranges();
  ByteRange range;
  std::uint64_t written = 0;
  while (ranges.next(range)) {
    // The ranges add up to the slice's elements, which out holds.
    const auto count = static_cast<std::size_t>(range.length * 8 / bits);
    if (Status status = convert_range(view, *resident, chunk, range, out.subspan(written, count), written); !status) {
      return status;
    }
    written += count;
  }
  return {};
}

}  // namespace

Status TensorView::read_converted(std::span<float> out) const {
  return detail::without_exceptions([&]() { return convert_view(*this, resident_bytes(), out); });
}

Status TensorView::read_converted(std::span<double> out) const {
  return detail::without_exceptions([&]() { return convert_view(*this, resident_bytes(), out); });
}

Status TensorSlice::read_converted(std::span<float> out) const {
  return detail::without_exceptions([&]() { return convert_slice(view_, view_.resident_bytes(), plan_, out); });
}

Status TensorSlice::read_converted(std::span<double> out) const {
  return detail::without_exceptions([&]() { return convert_slice(view_, view_.resident_bytes(), plan_, out); });
}

}  // namespace stguard
