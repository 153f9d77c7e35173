// Reader, TensorView and TensorSlice: lookups and byte access over a
// ReaderState. Every byte goes through the state's DataSource (a ByteCursor
// over resident memory, or pread_exact), and every range is checked against
// the tensor before it is turned into a data-region offset.
#include "stguard/reader.hpp"

#include <new>
#include <stdexcept>
#include <string>

#include "reader/reader_state.hpp"

namespace stguard {
namespace {

Error moved_from_error() {
  return make_error(ErrorCode::invalid_argument, "no file: the Reader was moved from or is the value of a failed Result");
}

Error with_tensor(Error error, const std::string& tensor) {
  if (error.tensor.empty()) error.tensor = tensor;
  return error;
}

}  // namespace

namespace detail {

std::optional<Error> check_element_type(Dtype dtype, bool accepted, std::string_view requested,
                                        std::size_t element_bytes, const std::string& tensor) noexcept {
  if (accepted && dtype_bits(dtype) == element_bytes * 8) return std::nullopt;
  return without_exceptions([&]() -> Result<int> {
           if (!accepted) {
             return make_error(ErrorCode::dtype_mismatch, "typed access as " + std::string(requested) +
                                                              " does not fit dtype " + std::string(dtype_name(dtype)),
                               kNoOffset, tensor);
           }
           return make_error(ErrorCode::internal_error, "element type width does not match the dtype", kNoOffset,
                             tensor);
         })
      .error();
}

Error element_index_error(std::uint64_t index, std::uint64_t count, const std::string& tensor) noexcept {
  return without_exceptions([&]() -> Result<int> {
           return make_error(ErrorCode::invalid_argument,
                             "element index " + std::to_string(index) + " is out of range (" +
                                 std::to_string(count) + " elements)",
                             kNoOffset, tensor);
         })
      .error();
}

Error slice_range_error(const std::string& tensor) noexcept {
  return without_exceptions([&]() -> Result<int> {
           return make_error(ErrorCode::internal_error, "a slice range lies outside its tensor", kNoOffset, tensor);
         })
      .error();
}

Error owned_size_error(const std::string& tensor) noexcept {
  return without_exceptions([&]() -> Result<int> {
           return make_error(ErrorCode::invalid_argument,
                             "the owned tensor's data does not hold element_count values of this type", kNoOffset,
                             tensor);
         })
      .error();
}

}  // namespace detail

std::string_view reader_mode_name(ReaderMode mode) noexcept {
  switch (mode) {
    case ReaderMode::mapped: return "mapped";
    case ReaderMode::snapshot: return "snapshot";
    case ReaderMode::pread: return "pread";
    case ReaderMode::borrowed: return "borrowed";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------
// Reader

Reader::Reader(std::unique_ptr<detail::ReaderState> state) noexcept : state_(std::move(state)) {}
Reader ResultPoison<Reader>::make(const Error& /*why*/) noexcept { return Reader(nullptr); }
Reader::Reader(Reader&& other) noexcept = default;
Reader& Reader::operator=(Reader&& other) noexcept = default;
Reader::~Reader() = default;

const Header& Reader::header() const& noexcept {
  static const Header empty;  // what a moved-from Reader shows
  return state_ ? state_->header : empty;
}

ReaderMode Reader::mode() const noexcept { return state_ ? state_->mode : ReaderMode::mapped; }

bool Reader::has_resident_data() const noexcept { return state_ && state_->source->resident().has_value(); }

std::size_t Reader::tensor_count() const noexcept { return state_ ? state_->header.tensor_count() : 0; }

Result<TensorView> Reader::tensor(std::string_view name) const& {
  return detail::without_exceptions([&]() -> Result<TensorView> {
    if (!state_) return moved_from_error();
    const TensorInfo* info = state_->header.find(name);
    if (info == nullptr) {
      return make_error(ErrorCode::tensor_not_found, "no tensor with this name in the file", kNoOffset,
                        std::string(name));
    }
    return TensorView(state_.get(), info);
  });
}

Result<TensorView> Reader::tensor_at(std::size_t index) const& {
  return detail::without_exceptions([&]() -> Result<TensorView> {
    if (!state_) return moved_from_error();
    const auto tensors = state_->header.tensors();
    if (index >= tensors.size()) {
      return make_error(ErrorCode::invalid_argument, "tensor index " + std::to_string(index) +
                                                         " is out of range (" + std::to_string(tensors.size()) +
                                                         " tensors)");
    }
    return TensorView(state_.get(), &tensors[index]);
  });
}

TensorRange Reader::tensors() const& noexcept {
  if (!state_) return TensorRange(nullptr, {});
  return TensorRange(state_.get(), state_->header.tensors());
}

std::span<const MetadataEntry> Reader::metadata() const& noexcept { return header().metadata(); }

const std::string* Reader::metadata_value(std::string_view key) const& noexcept {
  return header().metadata_value(key);
}

// ---------------------------------------------------------------------------
// TensorView

const TensorInfo& detail::poison_tensor_info() noexcept {
  static const TensorInfo none{};
  return none;
}

Error TensorView::poison_error() const {
  return make_error(failed_code_,
                    "no tensor: this TensorView is the value of a failed Result (check ok() before using it)");
}

std::uint64_t TensorView::file_offset() const noexcept {
  if (is_poison()) return 0;
  // Validation proved data_offset + end <= file size, so this cannot wrap.
  return state_->header.data_offset() + info_->begin;
}

Result<std::span<const std::uint8_t>> TensorView::bytes() const {
  return detail::without_exceptions([&]() { return bytes_unguarded(); });
}

Result<std::span<const std::uint8_t>> TensorView::bytes_unguarded() const {
  if (is_poison()) return poison_error();
  const auto region = state_->source->resident();
  if (!region) {
    return make_error(ErrorCode::invalid_argument,
                      "zero-copy bytes are not available in pread mode; use read() or copy_bytes()", kNoOffset,
                      name());
  }
  ByteCursor cursor(*region);
  std::span<const std::uint8_t> out;
  if (info_->begin > SIZE_MAX || byte_size() > SIZE_MAX || !cursor.skip(static_cast<std::size_t>(info_->begin)) ||
      !cursor.read_bytes(static_cast<std::size_t>(byte_size()), out)) {
    return make_error(ErrorCode::internal_error, "a validated tensor lies outside the data region", kNoOffset,
                      name());
  }
  return out;
}

Status TensorView::read(std::uint64_t offset, std::span<std::uint8_t> out) const {
  return detail::without_exceptions([&]() { return read_unguarded(offset, out); });
}

Status TensorView::read_unguarded(std::uint64_t offset, std::span<std::uint8_t> out) const {
  if (is_poison()) return poison_error();
  std::uint64_t end = 0;
  std::uint64_t data_position = 0;
  if (__builtin_add_overflow(offset, out.size(), &end) || end > byte_size() ||
      __builtin_add_overflow(info_->begin, offset, &data_position)) {
    return make_error(ErrorCode::invalid_argument,
                      "a read of " + std::to_string(out.size()) + " bytes at " + std::to_string(offset) +
                          " is outside the tensor (" + std::to_string(byte_size()) + " bytes)",
                      kNoOffset, name());
  }
  Status status = state_->source->read(data_position, out);
  if (!status) return with_tensor(status.error(), name());
  return {};
}

Result<std::vector<std::uint8_t>> TensorView::copy_bytes() const {
  return detail::without_exceptions([&]() -> Result<std::vector<std::uint8_t>> {
    if (byte_size() > SIZE_MAX) return out_of_memory_error();
    std::vector<std::uint8_t> out(static_cast<std::size_t>(byte_size()));
    if (Status status = read(0, out); !status) return status.error();
    return out;
  });
}

Result<TensorSlice> TensorView::slice(std::span<const SliceIndex> spec) const {
  return detail::without_exceptions([&]() -> Result<TensorSlice> {
    if (is_poison()) return poison_error();
    auto plan = plan_slice(dtype(), shape(), spec);
    if (!plan) return with_tensor(std::move(plan).error(), name());
    return TensorSlice(*this, std::move(plan).value());
  });
}

Result<TensorSlice> TensorView::slice(std::string_view spec) const {
  return detail::without_exceptions([&]() -> Result<TensorSlice> {
    auto parsed = parse_slice_spec(spec);
    if (!parsed) return with_tensor(std::move(parsed).error(), name());
    return slice(std::span<const SliceIndex>(*parsed));
  });
}

// ---------------------------------------------------------------------------
// TensorSlice

Status TensorSlice::read(std::span<std::uint8_t> out) const {
  if (view_.is_poison()) return detail::without_exceptions([&]() -> Status { return view_.poison_error(); });
  if (out.size() != byte_size()) {
    return detail::without_exceptions([&]() -> Status {
      return make_error(ErrorCode::invalid_argument,
                        "the output holds " + std::to_string(out.size()) + " bytes, the slice selects " +
                            std::to_string(byte_size()),
                        kNoOffset, view_.name());
    });
  }
  SliceRangeCursor ranges = plan_.ranges();
  ByteRange range;
  std::size_t written = 0;
  while (ranges.next(range)) {
    // The plan's ranges add up to byte_size() == out.size(), so they fit.
    const auto length = static_cast<std::size_t>(range.length);
    if (Status status = view_.read(range.offset, out.subspan(written, length)); !status) return status;
    written += length;
  }
  return {};
}

Result<std::vector<std::uint8_t>> TensorSlice::copy_bytes() const {
  return detail::without_exceptions([&]() -> Result<std::vector<std::uint8_t>> {
    if (byte_size() > SIZE_MAX) return out_of_memory_error();
    std::vector<std::uint8_t> out(static_cast<std::size_t>(byte_size()));
    if (Status status = read(out); !status) return status.error();
    return out;
  });
}

}  // namespace stguard
