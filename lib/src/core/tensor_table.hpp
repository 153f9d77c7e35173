// TensorTable: where the schema puts the tensors it accepts, in one of two
// storages, so that one builder (the same rules, the same code) serves both
// results of the core:
//   * owned: the Header's own TensorInfo array (a name string and a shape
//     vector per tensor), for every caller that gets a Header;
//   * views: 40-byte entries whose names are positions in the in-situ
//     header buffer and whose shapes are kept as the rank and the element
//     count folded as the dimensions arrive (fold_dimension, the same fold
//     the layout applies to an owned shape), for a verdict that needs no
//     tensor table (HeaderSummary: st-validate). No allocation per tensor,
//     under half of the owned storage's memory.
// The schema appends and edits the last entry through the calls below; the
// layout walks either array through TensorTable::visit with one template.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/tensor_rules.hpp"
#include "stguard/dtype.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

enum class TensorStorage : std::uint8_t { owned, views };

// One step of detail::checked_element_count (core/tensor_rules.hpp), for a
// shape folded as its dimensions arrive: left to right, and once a product
// overflows 64 bits it stays overflowed.
inline void fold_dimension(std::uint64_t& count, bool& overflowed, std::uint64_t dim) noexcept {
  if (!overflowed) overflowed = __builtin_mul_overflow(count, dim, &count);
}

// A tensor of the views storage. The name is text[name_at, name_at +
// name_size) of the in-situ buffer, which outlives the builder's finish().
struct TensorEntryView {
  std::uint32_t name_at = 0;
  std::uint32_t name_size = 0;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t element_count = 1;  // the shape's fold so far
  std::uint32_t rank = 0;
  Dtype dtype = Dtype::U8;
  bool count_overflowed = false;
};

// Positions and sizes in the header fit 32 bits: a header is at most
// kFormatMaxHeaderBytes long; every dimension takes at least two bytes ("0,").
static_assert(kFormatMaxHeaderBytes < (std::uint64_t{1} << 32));

class TensorTable {
 public:
  // `text`: the in-situ buffer the names lie in (views storage only).
  TensorTable(TensorStorage storage, std::string_view text) noexcept : storage_(storage), text_(text) {}

  [[nodiscard]] std::size_t size() const noexcept {
    return storage_ == TensorStorage::owned ? owned_.size() : views_.size();
  }
  void reserve(std::size_t count) {
    if (storage_ == TensorStorage::owned) {
      owned_.reserve(count);
    } else {
      views_.reserve(count);
    }
  }

  // A new last entry named `name` (for the views storage, text inside `text`).
  void add(std::string_view name) {
    if (names_ascending_ && size() > 0) names_ascending_ = last_name().compare(name) < 0;
    if (storage_ == TensorStorage::owned) {
      TensorInfo& tensor = owned_.emplace_back();
      tensor.name.assign(name);
      tensor.element_count = 1;  // the shape's fold so far
    } else {
      TensorEntryView& entry = views_.emplace_back();
      entry.name_at = static_cast<std::uint32_t>(name.data() - text_.data());
      entry.name_size = static_cast<std::uint32_t>(name.size());
    }
  }
  // The last entry's name; empty when there is none.
  [[nodiscard]] std::string_view last_name() const noexcept {
    if (storage_ == TensorStorage::owned) return owned_.empty() ? std::string_view{} : owned_.back().name;
    return views_.empty() ? std::string_view{} : name_of(views_.back());
  }
  void set_last_dtype(Dtype dtype) noexcept {
    if (storage_ == TensorStorage::owned) {
      owned_.back().dtype = dtype;
    } else {
      views_.back().dtype = dtype;
    }
  }
  [[nodiscard]] std::size_t last_rank() const noexcept {
    return storage_ == TensorStorage::owned ? owned_.back().shape.size() : views_.back().rank;
  }
  void push_last_dim(std::uint64_t dim) {
    if (storage_ == TensorStorage::owned) {
      TensorInfo& tensor = owned_.back();
      // Three dimensions cost malloc's smallest chunk, as one does: most
      // shapes get one allocation instead of one per doubling.
      if (tensor.shape.empty()) tensor.shape.reserve(3);
      tensor.shape.push_back(dim);
      bool overflowed = false;
      fold_dimension(tensor.element_count, overflowed, dim);
      any_owned_overflow_ = any_owned_overflow_ || overflowed;
    } else {
      TensorEntryView& entry = views_.back();
      fold_dimension(entry.element_count, entry.count_overflowed, dim);
      ++entry.rank;
    }
  }
  [[nodiscard]] std::uint64_t& last_begin() noexcept {
    return storage_ == TensorStorage::owned ? owned_.back().begin : views_.back().begin;
  }
  [[nodiscard]] std::uint64_t& last_end() noexcept {
    return storage_ == TensorStorage::owned ? owned_.back().end : views_.back().end;
  }

  // Whether the names, in the order added, are strictly ascending (then no
  // name repeats and the name order is the input's): kept as each name
  // arrives, while the previous one is still in cache, so the layout does not
  // read every name again to find out. Meaningful until the layout removes
  // or reorders entries.
  [[nodiscard]] bool names_ascending() const noexcept { return names_ascending_; }

  // Runs `walk` on the array in use (std::vector<TensorInfo> or
  // std::vector<TensorEntryView>), with the accessors below for what differs.
  template <typename Walk>
  decltype(auto) visit(Walk&& walk) {
    if (storage_ == TensorStorage::owned) return walk(owned_);
    return walk(views_);
  }

  [[nodiscard]] static std::string_view name_of(const TensorInfo& tensor) noexcept { return tensor.name; }
  [[nodiscard]] std::string_view name_of(const TensorEntryView& tensor) const noexcept {
    return text_.substr(tensor.name_at, tensor.name_size);
  }
  // The shape's element count, false when it overflows 64 bits, folded as
  // the dimensions arrived (so the layout never reads the shapes again). An
  // owned entry has no room for an overflow flag: once any fold overflowed
  // (only in a header about to be refused) each shape is folded again here.
  [[nodiscard]] bool element_count_of(const TensorInfo& tensor, std::uint64_t& out) const noexcept {
    if (!any_owned_overflow_) {
      out = tensor.element_count;
      return true;
    }
    return detail::checked_element_count(tensor.shape, out);
  }
  [[nodiscard]] static bool element_count_of(const TensorEntryView& tensor, std::uint64_t& out) noexcept {
    out = tensor.element_count;
    return !tensor.count_overflowed;
  }

  // The owned array, for the Header (owned storage only).
  [[nodiscard]] std::vector<TensorInfo> take_owned() noexcept { return std::move(owned_); }

 private:
  TensorStorage storage_;
  std::string_view text_;
  bool any_owned_overflow_ = false;
  bool names_ascending_ = true;
  std::vector<TensorInfo> owned_;
  std::vector<TensorEntryView> views_;
};

}  // namespace stguard
