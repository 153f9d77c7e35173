// The canonical layout: every strict rule checked on the writer's input, then
// the reference writer's order (dtype order descending, then name bytewise),
// contiguous offsets, compact JSON with "__metadata__" first and its keys
// sorted, spaces up to a multiple of 8. The serialised header is parsed back
// with the strict profile and compared with the plan before anyone may write
// it. Sorting, never pairwise comparison: O(n log n) in the tensor count.
#include <algorithm>
#include <cstring>
#include <new>
#include <numeric>
#include <string>

#include "core/utf8.hpp"
#include "stguard/cursor.hpp"
#include "stguard/escape.hpp"
#include "stguard/validate.hpp"
#include "writer/writer_internal.hpp"

namespace stguard {
namespace detail {

Limits effective_writer_limits(const Limits& requested) noexcept {
  Limits limits;
  for (const LimitInfo& row : kLimitTable) limits.*row.field = std::min(requested.*row.field, row.strict_default);
  return limits;
}

std::optional<Error> check_metadata_entry(std::string_view key, std::string_view value) {
  if (!is_valid_utf8(key)) return make_error(ErrorCode::invalid_metadata_key, "a __metadata__ key is not valid UTF-8");
  if (has_control_character(key)) {
    return make_error(ErrorCode::invalid_metadata_key,
                      "__metadata__ key " + quote_for_display(key) + " contains a control character");
  }
  if (!is_valid_utf8(value)) {
    return make_error(ErrorCode::invalid_metadata_value,
                      "__metadata__ value of key " + quote_for_display(key) + " is not valid UTF-8");
  }
  if (value.find('\0') != std::string_view::npos) {
    return make_error(ErrorCode::invalid_metadata_value,
                      "__metadata__ value of key " + quote_for_display(key) + " contains U+0000");
  }
  return std::nullopt;
}

}  // namespace detail

namespace {

// A prefix of a long name, for the error's tensor field (the parser does the same).
std::string name_for_error(const std::string& name) { return name.size() > 64 ? name.substr(0, 64) : name; }

Error tensor_error(ErrorCode code, const std::string& name, const std::string& what) {
  return make_error(code, "tensor " + quote_for_display(name_for_error(name)) + ": " + what, kNoOffset, name_for_error(name));
}

Result<std::uint64_t> check_tensor(const TensorSpec& spec, const Limits& limits) {
  const std::string& name = spec.name;
  const detail::NameFault name_fault = detail::written_tensor_name_fault(name);
  if (name_fault == detail::NameFault::empty) return make_error(ErrorCode::invalid_tensor_name, "a tensor name is empty");
  if (name.size() > limits.max_name_bytes) {
    return tensor_error(ErrorCode::limit_name_bytes, name,
                        "name of " + std::to_string(name.size()) + " bytes exceeds max_name_bytes (" +
                            std::to_string(limits.max_name_bytes) + ")");
  }
  switch (name_fault) {
    case detail::NameFault::invalid_utf8:
      return tensor_error(ErrorCode::invalid_tensor_name, name, "name is not valid UTF-8");
    case detail::NameFault::control_character:
      return tensor_error(ErrorCode::invalid_tensor_name, name, "name contains a control character");
    case detail::NameFault::reserved:
      return tensor_error(ErrorCode::invalid_tensor_name, name, "\"__metadata__\" is reserved for the metadata block");
    case detail::NameFault::none:
    case detail::NameFault::empty:
      break;
  }
  if (dtype_order(spec.dtype) >= kDtypeCount) {
    return tensor_error(ErrorCode::invalid_argument, name, "dtype value is not one of the 22 dtypes");
  }
  if (spec.shape.size() > limits.max_rank) {
    return tensor_error(ErrorCode::limit_rank, name,
                        "shape has " + std::to_string(spec.shape.size()) + " dimensions, more than max_rank (" +
                            std::to_string(limits.max_rank) + ")");
  }
  for (const std::uint64_t dim : spec.shape) {
    if (dim > limits.max_integer) {
      return tensor_error(ErrorCode::limit_integer, name,
                          "dimension " + std::to_string(dim) + " exceeds max_integer (" +
                              std::to_string(limits.max_integer) + ")");
    }
  }
  // The validator's rule, so the writer refuses a shape precisely when strict would.
  detail::TensorSize size;
  switch (detail::checked_tensor_size(spec.shape, spec.dtype, size)) {
    case detail::SizeFault::overflow:
      return tensor_error(ErrorCode::shape_overflow, name, std::string(detail::kShapeOverflowText));
    case detail::SizeFault::partial_byte:
      return tensor_error(ErrorCode::subbyte_misaligned, name, detail::partial_byte_text(size.elements, spec.dtype));
    case detail::SizeFault::none:
      break;
  }
  return size.bytes;
}

void append_decimal(std::string& out, std::uint64_t value) { out += std::to_string(value); }

// The parsed header must say exactly what was planned: same tensors (name,
// dtype, shape, offsets), same metadata, same data size.
bool header_matches_plan(const Header& header, const HeaderSpec& spec, const std::vector<std::uint64_t>& begins,
                         const std::vector<std::uint64_t>& ends, const std::vector<std::size_t>& metadata_order,
                         std::uint64_t data_size) {
  if (header.tensor_count() != spec.tensors.size() || header.data_size() != data_size) return false;
  for (std::size_t i = 0; i < spec.tensors.size(); ++i) {
    const TensorSpec& tensor = spec.tensors[i];
    const TensorInfo* info = header.find(tensor.name);
    if (info == nullptr || info->dtype != tensor.dtype || info->shape != tensor.shape || info->begin != begins[i] ||
        info->end != ends[i]) {
      return false;
    }
  }
  const auto metadata = header.metadata();
  if (metadata.size() != metadata_order.size() || header.has_metadata_object() != !metadata_order.empty()) {
    return false;
  }
  for (std::size_t k = 0; k < metadata_order.size(); ++k) {
    const MetadataEntry& planned = spec.metadata[metadata_order[k]];
    if (metadata[k].key != planned.key || metadata[k].value != planned.value) return false;
  }
  return true;
}

// Phase 1: every tensor's own rules; its byte size when they hold.
Result<std::vector<std::uint64_t>> check_tensors(const HeaderSpec& spec, const Limits& limits) {
  const std::size_t count = spec.tensors.size();
  if (count > limits.max_tensors) {
    return make_error(ErrorCode::limit_tensor_count, std::to_string(count) + " tensors exceed max_tensors (" +
                                                         std::to_string(limits.max_tensors) + ")");
  }
  std::vector<std::uint64_t> sizes(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto size = check_tensor(spec.tensors[i], limits);
    if (!size) return std::move(size).error();
    sizes[i] = *size;
  }
  return sizes;
}

// Indexes 0..count-1 in the order of key_of(index), ties by index, so equal
// keys sit together in input order.
template <typename KeyOf>
std::vector<std::size_t> indexes_by_key(std::size_t count, KeyOf key_of) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const int by_key = key_of(a).compare(key_of(b));
    return by_key != 0 ? by_key < 0 : a < b;
  });
  return order;
}

// Phase 2: no name twice (sorted, never pairwise).
Status check_names_distinct(const HeaderSpec& spec) {
  const std::vector<std::size_t> by_name =
      indexes_by_key(spec.tensors.size(), [&](std::size_t i) -> const std::string& { return spec.tensors[i].name; });
  for (std::size_t k = 1; k < by_name.size(); ++k) {
    const std::string& name = spec.tensors[by_name[k]].name;
    if (name == spec.tensors[by_name[k - 1]].name) {
      return tensor_error(ErrorCode::duplicate_tensor_name, name, "the name is given more than once");
    }
  }
  return {};
}

// Phase 3: the metadata checked, in output (key) order.
Result<std::vector<std::size_t>> sorted_metadata(const HeaderSpec& spec) {
  std::vector<std::size_t> metadata_order =
      indexes_by_key(spec.metadata.size(), [&](std::size_t i) -> const std::string& { return spec.metadata[i].key; });
  for (std::size_t k = 0; k < metadata_order.size(); ++k) {
    const MetadataEntry& entry = spec.metadata[metadata_order[k]];
    if (auto error = detail::check_metadata_entry(entry.key, entry.value)) return *std::move(error);
    if (k > 0 && entry.key == spec.metadata[metadata_order[k - 1]].key) {
      return make_error(ErrorCode::duplicate_metadata_key, "__metadata__ key " + quote_for_display(entry.key) + " is given more than once");
    }
  }
  return metadata_order;
}

struct DataLayout {
  std::vector<std::size_t> order;  // spec indexes in data order
  std::vector<std::uint64_t> begins;
  std::vector<std::uint64_t> ends;
  std::uint64_t data_size = 0;
};

// Phase 4: the reference order, dtype order descending, then name bytewise
// (names are distinct now, so the order is total and the output
// deterministic), and contiguous offsets from 0.
Result<DataLayout> lay_out(const HeaderSpec& spec, const std::vector<std::uint64_t>& sizes, const Limits& limits) {
  const std::size_t count = spec.tensors.size();
  DataLayout layout;
  layout.order.resize(count);
  std::iota(layout.order.begin(), layout.order.end(), std::size_t{0});
  std::sort(layout.order.begin(), layout.order.end(), [&](std::size_t a, std::size_t b) {
    const unsigned order_a = dtype_order(spec.tensors[a].dtype);
    const unsigned order_b = dtype_order(spec.tensors[b].dtype);
    if (order_a != order_b) return order_a > order_b;
    return spec.tensors[a].name < spec.tensors[b].name;
  });
  layout.begins.resize(count);
  layout.ends.resize(count);
  std::uint64_t offset = 0;
  for (const std::size_t index : layout.order) {
    std::uint64_t end = 0;
    if (__builtin_add_overflow(offset, sizes[index], &end) || end > limits.max_integer) {
      return tensor_error(ErrorCode::limit_integer, spec.tensors[index].name,
                          "its data would end beyond offset max_integer (" + std::to_string(limits.max_integer) +
                              "): the tensors hold too many bytes for one file");
    }
    layout.begins[index] = offset;
    layout.ends[index] = end;
    offset = end;
  }
  layout.data_size = offset;
  return layout;
}

// Phase 5: the 8-byte length and the compact JSON, "__metadata__" first,
// padded with spaces to a multiple of 8; refused above the size limits.
Result<std::vector<std::uint8_t>> header_bytes(const HeaderSpec& spec, const std::vector<std::size_t>& metadata_order,
                                               const DataLayout& layout, const Limits& limits) {
  // The 8-byte length goes first and is patched once the length is known.
  std::string text(8, '\0');
  text += '{';
  bool first = true;
  if (!metadata_order.empty()) {
    text += "\"__metadata__\":{";
    for (std::size_t k = 0; k < metadata_order.size(); ++k) {
      if (k > 0) text += ',';
      const MetadataEntry& entry = spec.metadata[metadata_order[k]];
      detail::append_json_string(text, entry.key);
      text += ':';
      detail::append_json_string(text, entry.value);
    }
    text += '}';
    first = false;
  }
  for (const std::size_t index : layout.order) {
    const TensorSpec& tensor = spec.tensors[index];
    if (!first) text += ',';
    first = false;
    detail::append_json_string(text, tensor.name);
    text += ":{\"dtype\":\"";
    text += dtype_name(tensor.dtype);
    text += "\",\"shape\":[";
    for (std::size_t d = 0; d < tensor.shape.size(); ++d) {
      if (d > 0) text += ',';
      append_decimal(text, tensor.shape[d]);
    }
    text += "],\"data_offsets\":[";
    append_decimal(text, layout.begins[index]);
    text += ',';
    append_decimal(text, layout.ends[index]);
    text += "]}";
  }
  text += '}';
  const std::size_t unpadded = text.size() - 8;
  text.append((8 - unpadded % 8) % 8, ' ');
  const std::uint64_t header_length = text.size() - 8;
  if (header_length > kFormatMaxHeaderBytes) {
    return make_error(ErrorCode::header_too_large, "the header would be " + std::to_string(header_length) +
                                                       " bytes, more than the format maximum of 100000000");
  }
  if (header_length > limits.max_header_bytes) {
    return make_error(ErrorCode::limit_header_bytes, "the header would be " + std::to_string(header_length) +
                                                         " bytes, more than max_header_bytes (" +
                                                         std::to_string(limits.max_header_bytes) + ")");
  }
  for (std::size_t i = 0; i < 8; ++i) text[i] = static_cast<char>((header_length >> (8 * i)) & 0xFFU);
  return std::vector<std::uint8_t>(text.begin(), text.end());
}

// Phase 6, defence in depth: the bytes about to be written must pass strict
// and describe exactly the plan. A failure here is a writer bug.
Result<Header> read_back(const std::vector<std::uint8_t>& bytes, const HeaderSpec& spec, const DataLayout& layout,
                         const std::vector<std::size_t>& metadata_order, const Limits& limits) {
  Options strict = Options::strict();
  strict.limits = limits;
  auto parsed = parse_header(std::span<const std::uint8_t>(bytes).subspan(8), layout.data_size, strict);
  if (!parsed) {
    const Error& error = parsed.error();
    if (error.code == ErrorCode::out_of_memory) return error;  // not a writer bug: the read-back ran out of memory
    return make_error(ErrorCode::internal_error,
                      "the writer produced a header that strict rejects: [" + std::string(error_code_name(error.code)) +
                          "] " + error.message,
                      error.offset, error.tensor);
  }
  if (!header_matches_plan(parsed.value(), spec, layout.begins, layout.ends, metadata_order, layout.data_size)) {
    return make_error(ErrorCode::internal_error, "the writer's header does not read back as planned");
  }
  return parsed;
}

Result<SerializedHeader> serialize_checked(const HeaderSpec& spec, const WriterOptions& options) {
  const Limits limits = detail::effective_writer_limits(options.limits);
  auto sizes = check_tensors(spec, limits);
  if (!sizes) return std::move(sizes).error();
  if (Status distinct = check_names_distinct(spec); !distinct) return distinct.error();
  auto metadata_order = sorted_metadata(spec);
  if (!metadata_order) return std::move(metadata_order).error();
  auto layout = lay_out(spec, *sizes, limits);
  if (!layout) return std::move(layout).error();
  auto bytes = header_bytes(spec, *metadata_order, *layout, limits);
  if (!bytes) return std::move(bytes).error();
  auto header = read_back(*bytes, spec, *layout, *metadata_order, limits);
  if (!header) return std::move(header).error();
  SerializedHeader out;
  out.bytes = std::move(bytes).value();
  out.header = std::move(header).value();
  out.layout = std::move(layout->order);
  out.byte_sizes = std::move(sizes).value();
  return out;
}

}  // namespace

Result<std::uint64_t> checked_tensor_byte_size(const TensorSpec& spec, const WriterOptions& options) noexcept {
  return detail::without_exceptions([&]() -> Result<std::uint64_t> {
    return check_tensor(spec, detail::effective_writer_limits(options.limits));
  });
}

Result<SerializedHeader> serialize_header(const HeaderSpec& spec, const WriterOptions& options) noexcept {
  return detail::without_exceptions([&]() -> Result<SerializedHeader> {
    return serialize_checked(spec, options);
  });
}

}  // namespace stguard
