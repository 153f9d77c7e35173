// The reader: tensor access to a validated safetensors file.
//
// A Reader is created only by validating first (validate_fd / validate_file
// under the profile you choose), so holding one is proof that the file passed
// and nothing of a tensor is reachable before that. It owns the data region:
// a read-only private mapping, a private copy, a descriptor read with pread,
// or a borrowed caller buffer (ReaderMode says which and what it guarantees;
// docs/reader.md and SECURITY.md state it exactly).
//
// Lifetimes are explicit:
//   - Reader is the owner: movable, not copyable. Moving it keeps every view
//     valid (the state lives on the heap); destroying it ends them all.
//   - TensorView and TensorSlice BORROW from the Reader that made them (their
//     spans point into its mapping or buffer). They must not outlive it. The
//     accessors are deleted on rvalue Readers, so `open(...).value().tensor()`
//     does not compile.
//   - OwnedTensor / TensorMap (to_owned, copy_all, load_file, load) own their
//     bytes: the escape hatch when data must outlive the file.
//
// All const member functions are safe to call from many threads at once on
// one Reader (the state is immutable after opening; pread has no shared file
// offset). Errors are values (Result/Status); nothing throws. Dereferencing
// a failed Result<Reader>, Result<TensorView> or Result<TensorSlice> gives a
// poison object (error.hpp): every fallible call on it returns an error with
// the failed Result's code (a Reader: invalid_argument), never a crash.
#pragma once

#include <array>
#include <bit>
#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "stguard/convert.hpp"
#include "stguard/cursor.hpp"
#include "stguard/dtype.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"
#include "stguard/slice.hpp"

namespace stguard {

// Where the bytes of the tensors come from, and what that guarantees if
// another process changes the file after it was opened.
enum class ReaderMode : std::uint8_t {
  // Read-only private mapping of the data region (PROT_READ, MAP_PRIVATE).
  // Opening costs O(header); views are zero-copy. If the file is truncated
  // while open, touching a lost page raises SIGBUS; in-place writes by
  // others may be visible. Use it for files nobody modifies in place.
  mapped = 0,
  // The whole file is read into private memory when opening and validated
  // again from that copy. Costs O(file) time and memory; afterwards nothing
  // that happens to the file is visible. Views are zero-copy into the copy.
  snapshot = 1,
  // Never maps: every access preads the bytes it needs. Opening costs
  // O(header); reads after a truncation fail with io_file_changed (never a
  // signal); in-place writes of the same size are visible. No zero-copy
  // bytes(): use read(), copy_bytes() or the typed accessors.
  pread = 2,
  // A caller's buffer (Reader::from_memory), validated as a whole. The
  // caller keeps it alive and unchanged for the Reader's lifetime.
  borrowed = 3,
};

[[nodiscard]] std::string_view reader_mode_name(ReaderMode mode) noexcept;

struct ReaderOptions {
  Options validation = Options::strict();
  ReaderMode mode = ReaderMode::mapped;  // borrowed is for from_memory only
};

class Reader;
class TensorView;
class TensorSlice;

namespace detail {

struct ReaderState;  // lib/src/reader/reader_state.hpp
template <typename Owner>
struct TypedReadSource;  // the typed reads of TensorView and TensorSlice

// Which dtypes a C++ element type may read. Raw-bit types are allowed where
// C++ has no native type: uint16_t for F16/BF16, uint8_t for BOOL and the
// F8 kinds. Sub-byte dtypes (F4, F6_*) have no element type: use bytes.
template <typename T>
struct ElementTraits;

// A type's display name as a template argument (a string literal).
template <std::size_t Size>
struct ElementName {
  char text[Size];
  // NOLINTNEXTLINE(google-explicit-constructor): converts the literal in the table below
  constexpr ElementName(const char (&literal)[Size]) noexcept {
    for (std::size_t i = 0; i < Size; ++i) text[i] = literal[i];
  }
};

// One row of the table below: the type's name, the width of one of its
// scalars (a std::complex<float> is two f32 scalars) and the dtypes it reads.
template <ElementName Name, std::size_t ScalarBytes, Dtype... Accepted>
struct ElementRule {
  static constexpr std::string_view name{Name.text, sizeof(Name.text) - 1};
  static constexpr std::size_t scalar_bytes = ScalarBytes;
  [[nodiscard]] static constexpr bool accepts(Dtype dtype) noexcept { return ((dtype == Accepted) || ...); }
};

// clang-format off
template <> struct ElementTraits<float> : ElementRule<"float", 4, Dtype::F32> {};
template <> struct ElementTraits<double> : ElementRule<"double", 8, Dtype::F64> {};
template <> struct ElementTraits<std::complex<float>> : ElementRule<"std::complex<float>", 4, Dtype::C64> {};
template <> struct ElementTraits<std::int8_t> : ElementRule<"int8_t", 1, Dtype::I8> {};
template <> struct ElementTraits<std::uint8_t> : ElementRule<"uint8_t", 1, Dtype::U8, Dtype::BOOL, Dtype::F8_E5M2,
    Dtype::F8_E4M3, Dtype::F8_E8M0, Dtype::F8_E4M3FNUZ, Dtype::F8_E5M2FNUZ> {};
template <> struct ElementTraits<std::int16_t> : ElementRule<"int16_t", 2, Dtype::I16> {};
template <> struct ElementTraits<std::uint16_t> : ElementRule<"uint16_t", 2, Dtype::U16, Dtype::F16, Dtype::BF16> {};
template <> struct ElementTraits<std::int32_t> : ElementRule<"int32_t", 4, Dtype::I32> {};
template <> struct ElementTraits<std::uint32_t> : ElementRule<"uint32_t", 4, Dtype::U32> {};
template <> struct ElementTraits<std::int64_t> : ElementRule<"int64_t", 8, Dtype::I64> {};
template <> struct ElementTraits<std::uint64_t> : ElementRule<"uint64_t", 8, Dtype::U64> {};
// clang-format on

// dtype_mismatch (or internal_error if the widths disagree), naming both types.
// These never throw: an allocation failure while building the message gives
// a plain OUT_OF_MEMORY instead.
[[nodiscard]] std::optional<Error> check_element_type(Dtype dtype, bool accepted, std::string_view requested,
                                                      std::size_t element_bytes, const std::string& tensor) noexcept;
[[nodiscard]] Error element_index_error(std::uint64_t index, std::uint64_t count, const std::string& tensor) noexcept;
[[nodiscard]] Error slice_range_error(const std::string& tensor) noexcept;
[[nodiscard]] Error owned_size_error(const std::string& tensor) noexcept;
// invalid_argument: a read_into output of `given` elements for `needed`.
[[nodiscard]] Error output_size_error(std::uint64_t given, std::uint64_t needed, const std::string& tensor) noexcept;

// The element types Conversion::exact converts to (convert.hpp).
template <typename T>
inline constexpr bool kConversionTarget = std::is_same_v<T, float> || std::is_same_v<T, double>;

// True when a typed read as T of `dtype` goes through the conversion kernels.
template <typename T>
[[nodiscard]] constexpr bool reads_converted(Dtype dtype) noexcept {
  if constexpr (kConversionTarget<T>) {
    return !ElementTraits<T>::accepts(dtype);
  } else {
    return false;
  }
}

// The check every typed read makes before it allocates or reads anything:
// T must be the dtype's own type, or a conversion target that
// Conversion::exact reaches from it when `conversion` asks for one.
template <typename T>
[[nodiscard]] std::optional<Error> check_typed_read(Dtype dtype, Conversion conversion,
                                                    const std::string& tensor) noexcept {
  if (reads_converted<T>(dtype)) {
    const bool convertible = std::is_same_v<T, float> ? converts_to_float(dtype) : converts_to_double(dtype);
    if (conversion == Conversion::exact && convertible) return std::nullopt;
    return conversion_refused_error(dtype, ElementTraits<T>::name, conversion, tensor);
  }
  return check_element_type(dtype, ElementTraits<T>::accepts(dtype), ElementTraits<T>::name, sizeof(T), tensor);
}

// True when `bytes` hold exactly `count` elements of `dtype`.
[[nodiscard]] bool holds_elements(Dtype dtype, std::size_t bytes, std::uint64_t count) noexcept;

// File bytes are little-endian; on a big-endian host each scalar is reversed.
template <typename T>
void little_endian_to_native(std::span<std::uint8_t> bytes) noexcept {
  if constexpr (std::endian::native == std::endian::big) {
    constexpr std::size_t unit = ElementTraits<T>::scalar_bytes;
    for (std::size_t at = 0; at + unit <= bytes.size(); at += unit) {
      for (std::size_t i = 0; i < unit / 2; ++i) std::swap(bytes[at + i], bytes[at + unit - 1 - i]);
    }
  }
}

// Decodes a whole buffer of elements; the byte count must be a multiple of sizeof(T).
template <typename T>
[[nodiscard]] Result<std::vector<T>> decode_elements(std::span<const std::uint8_t> bytes) {
  return without_exceptions([&]() -> Result<std::vector<T>> {
    std::vector<T> values(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    little_endian_to_native<T>(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(values.data()),
                                                       values.size() * sizeof(T)));
    return values;
  });
}

}  // namespace detail

// A C++ type the typed accessors accept (see detail::ElementTraits).
template <typename T>
concept TensorElement = std::is_trivially_copyable_v<T> && requires {
  { detail::ElementTraits<T>::accepts(Dtype::U8) } -> std::same_as<bool>;
};

// A tensor copied out of its file: owns its bytes, outlives any Reader.
struct OwnedTensor {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<std::uint64_t> shape;
  std::uint64_t element_count = 0;
  std::vector<std::uint8_t> data;  // little-endian, C order, exactly the file's bytes

  // Typed copy of the values; dtype_mismatch unless T fits the dtype or,
  // with Conversion::exact, converts to it exactly (convert.hpp).
  template <TensorElement T>
  [[nodiscard]] Result<std::vector<T>> to_vector(Conversion conversion = Conversion::none) const {
    if (auto error = detail::check_typed_read<T>(dtype, conversion, name)) return *std::move(error);
    if constexpr (detail::kConversionTarget<T>) {
      if (detail::reads_converted<T>(dtype)) {
        if (!detail::holds_elements(dtype, data.size(), element_count)) return detail::owned_size_error(name);
        return convert_owned<T>();
      }
    }
    // The fields are public, so check they still agree before decoding.
    if (data.size() % sizeof(T) != 0 || data.size() / sizeof(T) != element_count) {
      return detail::owned_size_error(name);
    }
    return detail::decode_elements<T>(data);
  }

 private:
  template <typename T>
  [[nodiscard]] Result<std::vector<T>> convert_owned() const {
    return detail::without_exceptions([&]() -> Result<std::vector<T>> {
      std::vector<T> values(static_cast<std::size_t>(element_count));
      if (Status status = convert_elements(dtype, data, std::span<T>(values)); !status) {
        Error error = status.error();
        error.tensor = name;
        return error;
      }
      return values;
    });
  }
};

// Owned tensors by name (ordered by name; no hashing of untrusted names).
using TensorMap = std::map<std::string, OwnedTensor, std::less<>>;

// A borrowed view of one tensor of a Reader: metadata always, bytes on request.
// Cheap to copy; valid while the Reader that made it lives.
class TensorView {
 public:
  [[nodiscard]] const TensorInfo& info() const noexcept { return *info_; }
  [[nodiscard]] const std::string& name() const noexcept { return info_->name; }
  [[nodiscard]] Dtype dtype() const noexcept { return info_->dtype; }
  [[nodiscard]] std::span<const std::uint64_t> shape() const noexcept { return info_->shape; }
  [[nodiscard]] std::size_t rank() const noexcept { return info_->shape.size(); }
  [[nodiscard]] std::uint64_t element_count() const noexcept { return info_->element_count; }
  [[nodiscard]] std::uint64_t byte_size() const noexcept { return info_->byte_size(); }
  // data_offsets: [begin, end) relative to the data region.
  [[nodiscard]] std::uint64_t data_begin() const noexcept { return info_->begin; }
  [[nodiscard]] std::uint64_t data_end() const noexcept { return info_->end; }
  // Offset of the tensor's first byte in the file (8 + N + begin).
  [[nodiscard]] std::uint64_t file_offset() const noexcept;

  // Zero-copy bytes, valid while the Reader lives. Not available in pread
  // mode (invalid_argument): use read() or copy_bytes() there.
  [[nodiscard]] Result<std::span<const std::uint8_t>> bytes() const;
  // Copies bytes [offset, offset + out.size()) of the tensor; works in every mode.
  [[nodiscard]] Status read(std::uint64_t offset, std::span<std::uint8_t> out) const;
  [[nodiscard]] Result<std::vector<std::uint8_t>> copy_bytes() const;
  [[nodiscard]] Result<OwnedTensor> to_owned() const;

  // All values as T, copied (so the data may sit at any address); refuses a
  // dtype T does not fit with dtype_mismatch. Conversion::exact also reads
  // float or double from the dtypes that convert to it exactly (BF16, F16,
  // F8_*, F6_*, F4, integers that fit: convert.hpp), never a rounded value.
  template <TensorElement T>
  [[nodiscard]] Result<std::vector<T>> to_vector(Conversion conversion = Conversion::none) const;
  // The same into `out`, which must hold exactly element_count() values
  // (invalid_argument otherwise): no allocation.
  template <TensorElement T>
  [[nodiscard]] Status read_into(std::span<T> out, Conversion conversion = Conversion::none) const;
  // The value at flat index `index` (C order).
  template <TensorElement T>
  [[nodiscard]] Result<T> at(std::uint64_t index) const;

  // Plans a slice of this tensor (see slice.hpp); errors carry the tensor name.
  [[nodiscard]] Result<TensorSlice> slice(std::span<const SliceIndex> spec) const;
  // Same, from the textual form "a:b,i".
  [[nodiscard]] Result<TensorSlice> slice(std::string_view spec) const;

  // True for the poison value of a failed Result<TensorView>: no tensor (an
  // empty name, no elements); bytes(), read(), to_vector() ... return errors.
  [[nodiscard]] bool is_poison() const noexcept { return state_ == nullptr; }

 private:
  friend class Reader;
  friend class TensorRange;
  friend class TensorSlice;
  friend struct ResultPoison<TensorView>;
  friend struct detail::TypedReadSource<TensorView>;
  TensorView(const detail::ReaderState* state, const TensorInfo* info) noexcept : state_(state), info_(info) {}
  [[nodiscard]] Result<std::span<const std::uint8_t>> bytes_unguarded() const;
  [[nodiscard]] Status read_unguarded(std::uint64_t offset, std::span<std::uint8_t> out) const;
  // Conversion::exact reads (reader_convert.cpp): the tensor's bytes through
  // the conversion kernels, zero-copy when resident, in chunks otherwise.
  [[nodiscard]] Status read_converted(std::span<float> out) const;
  [[nodiscard]] Status read_converted(std::span<double> out) const;
  // The tensor's bytes when they are resident (nullopt in pread mode).
  [[nodiscard]] Result<std::optional<std::span<const std::uint8_t>>> resident_bytes() const;
  // The error every data access of a poison view returns.
  [[nodiscard]] Error poison_error() const;

  const detail::ReaderState* state_;
  const TensorInfo* info_;
  ErrorCode failed_code_ = ErrorCode::invalid_argument;  // of the failed Result, for a poison view
};

namespace detail {
// The empty tensor a poison TensorView describes.
[[nodiscard]] const TensorInfo& poison_tensor_info() noexcept;
}  // namespace detail

template <>
struct ResultPoison<TensorView> {
  [[nodiscard]] static TensorView make(const Error& why) noexcept {
    TensorView view(nullptr, &detail::poison_tensor_info());
    view.failed_code_ = why.code;
    return view;
  }
};

// A planned slice of a tensor: the shape, the byte ranges, and ways to copy
// or visit the selected bytes. Borrows from the Reader like TensorView.
class TensorSlice {
 public:
  [[nodiscard]] const TensorView& tensor() const noexcept { return view_; }
  // The ranges (relative to tensor().file_offset() for file offsets).
  [[nodiscard]] const SlicePlan& plan() const noexcept { return plan_; }
  [[nodiscard]] std::span<const std::uint64_t> shape() const noexcept { return plan_.shape(); }
  [[nodiscard]] std::uint64_t element_count() const noexcept { return plan_.element_count(); }
  [[nodiscard]] std::uint64_t byte_size() const noexcept { return plan_.byte_size(); }

  // Copies the selected bytes, in order, into `out` (exactly byte_size() long).
  [[nodiscard]] Status read(std::span<std::uint8_t> out) const;
  [[nodiscard]] Result<std::vector<std::uint8_t>> copy_bytes() const;
  // The selected values as T, in order, as TensorView::to_vector (same
  // types, same Conversion), and the same into `out` (exactly
  // element_count() values).
  template <TensorElement T>
  [[nodiscard]] Result<std::vector<T>> to_vector(Conversion conversion = Conversion::none) const;
  template <TensorElement T>
  [[nodiscard]] Status read_into(std::span<T> out, Conversion conversion = Conversion::none) const;
  // Zero-copy: calls visit(std::span<const std::uint8_t>) for each range in
  // order until it returns false. Not available in pread mode.
  template <typename Visit>
  [[nodiscard]] Status for_each_span(Visit&& visit) const;

 private:
  friend class TensorView;
  friend struct ResultPoison<TensorSlice>;
  friend struct detail::TypedReadSource<TensorSlice>;
  TensorSlice(TensorView view, SlicePlan plan) : view_(view), plan_(std::move(plan)) {}
  [[nodiscard]] Status read_converted(std::span<float> out) const;
  [[nodiscard]] Status read_converted(std::span<double> out) const;

  TensorView view_;
  SlicePlan plan_;
};

// A slice of a poison view: selects nothing, and read() / copy_bytes() /
// for_each_span() return the failed Result's error.
template <>
struct ResultPoison<TensorSlice> {
  [[nodiscard]] static TensorSlice make(const Error& why) noexcept {
    return TensorSlice(ResultPoison<TensorView>::make(why), SlicePlan{});
  }
};

// The tensors of a Reader in data order, as views.
class TensorRange {
 public:
  class iterator {
   public:
    using value_type = TensorView;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    [[nodiscard]] TensorView operator*() const noexcept { return TensorView(state_, info_); }
    iterator& operator++() noexcept {
      ++info_;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++info_;
      return before;
    }
    friend bool operator==(const iterator&, const iterator&) noexcept = default;

   private:
    friend class TensorRange;
    iterator(const detail::ReaderState* state, const TensorInfo* info) noexcept : state_(state), info_(info) {}
    const detail::ReaderState* state_ = nullptr;
    const TensorInfo* info_ = nullptr;
  };

  [[nodiscard]] iterator begin() const noexcept { return iterator(state_, tensors_.data()); }
  [[nodiscard]] iterator end() const noexcept { return iterator(state_, tensors_.data() + tensors_.size()); }
  [[nodiscard]] std::size_t size() const noexcept { return tensors_.size(); }

 private:
  friend class Reader;
  TensorRange(const detail::ReaderState* state, std::span<const TensorInfo> tensors) noexcept
      : state_(state), tensors_(tensors) {}
  const detail::ReaderState* state_;
  std::span<const TensorInfo> tensors_;
};

class Reader {
 public:
  // Opens `path` read-only, validates it (prefix and size, as validate_fd),
  // then sets up the data source of `options.mode`.
  [[nodiscard]] static Result<Reader> open(const std::string& path, const ReaderOptions& options = {});
  // Same for a regular file open on `fd`. The descriptor is not taken over
  // and its offset is not used: pread mode keeps a duplicate of it.
  [[nodiscard]] static Result<Reader> open_fd(int fd, const ReaderOptions& options = {});
  // A whole file in a caller's buffer, validated with validate_file. Borrows:
  // the buffer must outlive the Reader and stay unchanged.
  [[nodiscard]] static Result<Reader> from_memory(std::span<const std::uint8_t> file,
                                                  const Options& options = Options::strict());
  // A whole file in a buffer the Reader takes over (mode snapshot).
  [[nodiscard]] static Result<Reader> from_bytes(std::vector<std::uint8_t> file,
                                                 const Options& options = Options::strict());

  Reader(Reader&& other) noexcept;
  Reader& operator=(Reader&& other) noexcept;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

  // A moved-from Reader may only be destroyed or assigned to; its accessors
  // return invalid_argument where they return a Result.
  [[nodiscard]] const Header& header() const& noexcept;
  [[nodiscard]] ReaderMode mode() const noexcept;
  // True when zero-copy bytes() and for_each_span() are available (every mode but pread).
  [[nodiscard]] bool has_resident_data() const noexcept;
  [[nodiscard]] std::size_t tensor_count() const noexcept;

  [[nodiscard]] Result<TensorView> tensor(std::string_view name) const&;
  // The index-th tensor in data order (invalid_argument past the end).
  [[nodiscard]] Result<TensorView> tensor_at(std::size_t index) const&;
  [[nodiscard]] TensorRange tensors() const& noexcept;
  [[nodiscard]] std::span<const MetadataEntry> metadata() const& noexcept;
  [[nodiscard]] const std::string* metadata_value(std::string_view key) const& noexcept;

  // Every tensor copied into owned memory: the file can then be closed,
  // replaced or deleted. Metadata stays available by copying header().
  [[nodiscard]] Result<TensorMap> copy_all() const;

  // Borrowed results from a temporary Reader would dangle at the end of the
  // statement: these overloads make that a compile error.
  const Header& header() const&& = delete;
  Result<TensorView> tensor(std::string_view) const&& = delete;
  Result<TensorView> tensor_at(std::size_t) const&& = delete;
  TensorRange tensors() const&& = delete;
  std::span<const MetadataEntry> metadata() const&& = delete;
  const std::string* metadata_value(std::string_view) const&& = delete;

 private:
  friend struct ResultPoison<Reader>;
  explicit Reader(std::unique_ptr<detail::ReaderState> state) noexcept;

  std::unique_ptr<detail::ReaderState> state_;
};

// A failed Result<Reader> dereferences to a Reader with no file: like a
// moved-from one, it has no tensors and its Result-returning calls fail.
template <>
struct ResultPoison<Reader> {
  [[nodiscard]] static Reader make(const Error& why) noexcept;  // reader.cpp: ReaderState is incomplete here
};

// Validates the file at `path` and copies every tensor into owned memory
// (read with pread, never mapped), like Python's safetensors.torch.load_file.
[[nodiscard]] Result<TensorMap> load_file(const std::string& path, const Options& options = Options::strict());
// The same from a whole file in memory, like safetensors.torch.load(bytes).
[[nodiscard]] Result<TensorMap> load(std::span<const std::uint8_t> file, const Options& options = Options::strict());

// ---------------------------------------------------------------------------
// Template definitions.

// The typed reads of views and slices share one body: check (before any
// allocation), size the output, then either the conversion kernels or the
// raw bytes put in native byte order.
namespace detail {

template <typename T, typename Source>
[[nodiscard]] Status read_typed_into(const Source& source, Dtype dtype, const std::string& tensor, std::span<T> out,
                                     Conversion conversion) {
  if (auto error = check_typed_read<T>(dtype, conversion, tensor)) return *std::move(error);
  if (out.size() != source.element_count()) return output_size_error(out.size(), source.element_count(), tensor);
  if constexpr (kConversionTarget<T>) {
    if (reads_converted<T>(dtype)) return source.read_converted(out);
  }
  const std::span<std::uint8_t> raw(reinterpret_cast<std::uint8_t*>(out.data()), out.size() * sizeof(T));
  if (Status status = source.read_raw(raw); !status) return status;
  little_endian_to_native<T>(raw);
  return {};
}

template <typename T, typename Source>
[[nodiscard]] Result<std::vector<T>> read_typed_vector(const Source& source, Dtype dtype, const std::string& tensor,
                                                       Conversion conversion) {
  if (auto error = check_typed_read<T>(dtype, conversion, tensor)) return *std::move(error);
  return without_exceptions([&]() -> Result<std::vector<T>> {
    std::vector<T> values(static_cast<std::size_t>(source.element_count()));
    if (Status status = read_typed_into<T>(source, dtype, tensor, std::span<T>(values), conversion); !status) {
      return status.error();
    }
    return values;
  });
}

// What read_typed_* needs of a view or a slice.
template <typename Owner>
struct TypedReadSource {
  const Owner& owner;
  [[nodiscard]] std::uint64_t element_count() const noexcept { return owner.element_count(); }
  [[nodiscard]] Status read_raw(std::span<std::uint8_t> raw) const {
    if constexpr (std::is_same_v<Owner, TensorView>) {
      return owner.read(0, raw);
    } else {
      return owner.read(raw);
    }
  }
  template <typename T>
  [[nodiscard]] Status read_converted(std::span<T> out) const {
    return owner.read_converted(out);
  }
};

}  // namespace detail

template <TensorElement T>
Result<std::vector<T>> TensorView::to_vector(Conversion conversion) const {
  if (is_poison()) return poison_error();
  return detail::read_typed_vector<T>(detail::TypedReadSource<TensorView>{*this}, dtype(), name(), conversion);
}

template <TensorElement T>
Status TensorView::read_into(std::span<T> out, Conversion conversion) const {
  if (is_poison()) return poison_error();
  return detail::read_typed_into<T>(detail::TypedReadSource<TensorView>{*this}, dtype(), name(), out, conversion);
}

template <TensorElement T>
Result<std::vector<T>> TensorSlice::to_vector(Conversion conversion) const {
  if (view_.is_poison()) return view_.poison_error();
  return detail::read_typed_vector<T>(detail::TypedReadSource<TensorSlice>{*this}, view_.dtype(), view_.name(),
                                      conversion);
}

template <TensorElement T>
Status TensorSlice::read_into(std::span<T> out, Conversion conversion) const {
  if (view_.is_poison()) return view_.poison_error();
  return detail::read_typed_into<T>(detail::TypedReadSource<TensorSlice>{*this}, view_.dtype(), view_.name(), out,
                                    conversion);
}

template <TensorElement T>
Result<T> TensorView::at(std::uint64_t index) const {
  if (is_poison()) return poison_error();
  if (auto error = detail::check_element_type(dtype(), detail::ElementTraits<T>::accepts(dtype()),
                                              detail::ElementTraits<T>::name, sizeof(T), name())) {
    return *std::move(error);
  }
  std::uint64_t offset = 0;
  if (index >= element_count() || __builtin_mul_overflow(index, std::uint64_t{sizeof(T)}, &offset)) {
    return detail::element_index_error(index, element_count(), name());
  }
  std::array<std::uint8_t, sizeof(T)> raw{};
  if (Status status = read(offset, raw); !status) return status.error();
  detail::little_endian_to_native<T>(raw);
  T value;
  std::memcpy(&value, raw.data(), sizeof(T));
  return value;
}

template <typename Visit>
Status TensorSlice::for_each_span(Visit&& visit) const {
  auto all = view_.bytes();
  if (!all) return all.error();
  SliceRangeCursor ranges = plan_.ranges();
  ByteRange range;
  while (ranges.next(range)) {
    ByteCursor cursor(*all);
    std::span<const std::uint8_t> part;
    if (range.offset > SIZE_MAX || range.length > SIZE_MAX || !cursor.skip(static_cast<std::size_t>(range.offset)) ||
        !cursor.read_bytes(static_cast<std::size_t>(range.length), part)) {
      return detail::slice_range_error(view_.name());
    }
    if (!visit(part)) break;
  }
  return {};
}

}  // namespace stguard
