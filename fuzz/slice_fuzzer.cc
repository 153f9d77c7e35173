// slice: fuzzer-chosen slice specifications (as text for parse_slice_spec, or
// as SliceIndex values with any 64-bit bounds) over a valid tensor of a
// fuzzer-chosen dtype and shape (a file built here and opened with
// Reader::from_memory). A naive model enumerates the selected elements one by
// one in C order and checks:
//   * bounds errors never crash and are the documented ones, in the
//     documented order (too many indices, stop before start, out of range,
//     then not byte aligned for sub-byte dtypes), and nothing else;
//   * an accepted plan has the model's shape and element count, and its byte
//     ranges are exactly the model's maximal runs (ascending, equally long,
//     inside the tensor);
//   * the bytes TensorSlice::copy_bytes, read and for_each_span return are
//     the model's gather of the tensor's bytes;
//   * format_slice_spec and parse_slice_spec round-trip.
//
// Input: [0] dtype (% 22)  [1] rank (% 5)  [..] dims (% 7)
//        [next] mode: bit 0 text (the rest of the input is the spec text),
//        otherwise entries: count, then per entry a kind byte (bit 0 single,
//        bit 1 explicit stop, bit 2 full 64-bit bounds) and the bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "stguard/reader.hpp"
#include "stguard/slice.hpp"

namespace {

namespace fz = stguard::fuzz;
using stguard::ErrorCode;
using stguard::SliceIndex;

// A one-tensor file: {"t": {dtype, shape, [0, bytes]}} padded, then the bytes.
std::vector<std::uint8_t> make_file(stguard::Dtype dtype, const std::vector<std::uint64_t>& shape,
                                    std::uint64_t byte_size) {
  std::string header = "{\"t\":{\"dtype\":\"";
  header += stguard::dtype_name(dtype);
  header += "\",\"shape\":[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) header += ',';
    header += std::to_string(shape[i]);
  }
  header += "],\"data_offsets\":[0,";
  header += std::to_string(byte_size);
  header += "]}}";
  while (header.size() % 8 != 0) header += ' ';
  std::vector<std::uint8_t> file;
  file.reserve(8 + header.size() + byte_size);
  for (int i = 0; i < 8; ++i) file.push_back(static_cast<std::uint8_t>(header.size() >> (8 * i)));
  for (const char c : header) file.push_back(static_cast<std::uint8_t>(c));
  for (std::uint64_t i = 0; i < byte_size; ++i) file.push_back(static_cast<std::uint8_t>(i * 131 + 7));
  return file;
}

// The documented first error of `spec` on `shape`, before byte alignment.
std::optional<ErrorCode> expected_bounds_error(const std::vector<std::uint64_t>& shape,
                                               const std::vector<SliceIndex>& spec) {
  if (spec.size() > shape.size()) return ErrorCode::slice_too_many_indices;
  for (std::size_t d = 0; d < spec.size(); ++d) {
    const SliceIndex& index = spec[d];
    if (index.kind == SliceIndex::Kind::single) {
      if (index.start >= shape[d]) return ErrorCode::slice_out_of_range;
      continue;
    }
    if (index.stop && *index.stop < index.start) return ErrorCode::slice_stop_before_start;
    if (index.start > shape[d] || index.stop.value_or(shape[d]) > shape[d]) return ErrorCode::slice_out_of_range;
  }
  return std::nullopt;
}

struct Model {
  std::vector<std::uint64_t> shape;                              // of the result
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;     // maximal element runs [begin, end)
  std::uint64_t elements = 0;
};

// Enumerates the selected flat indices in C order (an odometer over the
// selected index ranges) and merges consecutive ones into runs.
Model model_selection(const std::vector<std::uint64_t>& shape, const std::vector<SliceIndex>& spec) {
  Model model;
  const std::size_t rank = shape.size();
  std::vector<std::uint64_t> first(rank), count(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    if (d < spec.size() && spec[d].kind == SliceIndex::Kind::single) {
      first[d] = spec[d].start;
      count[d] = 1;
    } else {
      first[d] = d < spec.size() ? spec[d].start : 0;
      count[d] = (d < spec.size() ? spec[d].stop.value_or(shape[d]) : shape[d]) - first[d];
      model.shape.push_back(count[d]);
    }
  }
  model.elements = 1;
  for (const std::uint64_t c : count) model.elements *= c;
  if (model.elements == 0) return model;
  std::vector<std::uint64_t> at(rank, 0);
  while (true) {
    std::uint64_t flat = 0;
    for (std::size_t d = 0; d < rank; ++d) flat = flat * shape[d] + first[d] + at[d];
    if (!model.runs.empty() && model.runs.back().second == flat) {
      ++model.runs.back().second;
    } else {
      model.runs.emplace_back(flat, flat + 1);
    }
    std::size_t d = rank;
    while (d > 0 && ++at[d - 1] == count[d - 1]) at[--d] = 0;
    if (d == 0) break;
  }
  return model;
}

std::vector<SliceIndex> structured_spec(fz::ParamReader& params, const std::vector<std::uint64_t>& shape) {
  std::vector<SliceIndex> spec(params.byte() % (shape.size() + 2));
  for (std::size_t d = 0; d < spec.size(); ++d) {
    const std::uint8_t kind = params.byte();
    const std::uint64_t dim = d < shape.size() ? shape[d] : 3;
    const bool wide = (kind & 4) != 0;
    const std::uint64_t start = wide ? params.u64() : params.byte() % (dim + 3);
    const std::uint64_t stop = wide ? params.u64() : params.byte() % (dim + 3);
    if ((kind & 1) != 0) {
      spec[d] = SliceIndex::single(start);
    } else {
      spec[d] = SliceIndex::range(start, (kind & 2) != 0 ? std::optional<std::uint64_t>(stop) : std::nullopt);
    }
  }
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fz::ParamReader params({data, size});
  auto dtype = static_cast<stguard::Dtype>(params.byte() % 22U);
  std::vector<std::uint64_t> shape(params.byte() % 5U);
  for (std::uint64_t& dim : shape) dim = params.byte() % 7U;
  std::uint64_t elements = 1;
  for (const std::uint64_t dim : shape) elements *= dim;
  if (elements * stguard::dtype_bits(dtype) % 8 != 0) dtype = stguard::Dtype::U8;  // keep the tensor valid
  const unsigned bits = stguard::dtype_bits(dtype);
  const std::uint64_t byte_size = elements * bits / 8;

  std::vector<SliceIndex> spec;
  const std::uint8_t mode = params.byte();
  if ((mode & 1) != 0) {
    const auto text = params.rest();
    const std::string_view spec_text(reinterpret_cast<const char*>(text.data()), text.size());
    auto parsed = stguard::parse_slice_spec(spec_text);
    if (!parsed) {
      fz::check_error_basics(parsed.error());
      FUZZ_CHECK_MSG(parsed.error().code == ErrorCode::slice_syntax, fz::describe(parsed.error()));
      return 0;
    }
    spec = std::move(parsed).value();
  } else {
    spec = structured_spec(params, shape);
  }
  // Text round trip: the canonical form parses back to the same entries.
  const std::string canonical = stguard::format_slice_spec(spec);
  const auto reparsed = stguard::parse_slice_spec(canonical);
  FUZZ_CHECK_MSG(reparsed && *reparsed == spec, canonical);

  const auto plan = stguard::plan_slice(dtype, shape, spec);
  const auto bounds_error = expected_bounds_error(shape, spec);
  if (bounds_error) {
    FUZZ_CHECK_MSG(!plan && plan.error().code == *bounds_error, plan ? "plan ok" : fz::describe(plan.error()));
    fz::check_error_basics(plan.error());
    return 0;
  }
  const Model model = model_selection(shape, spec);
  bool aligned = true;
  for (const auto& [begin, end] : model.runs) aligned = aligned && begin * bits % 8 == 0 && end * bits % 8 == 0;
  if (!aligned) {
    FUZZ_CHECK_MSG(!plan && plan.error().code == ErrorCode::slice_not_byte_aligned,
                   plan ? "plan ok" : fz::describe(plan.error()));
    return 0;
  }
  FUZZ_CHECK_MSG(plan.ok(), fz::describe(plan.error()));
  FUZZ_CHECK(std::equal(plan->shape().begin(), plan->shape().end(), model.shape.begin(), model.shape.end()));
  FUZZ_CHECK(plan->element_count() == model.elements);
  FUZZ_CHECK(plan->range_count() == model.runs.size());
  std::uint64_t total = 0;
  auto ranges = plan->ranges();
  stguard::ByteRange range;
  for (const auto& [begin, end] : model.runs) {
    FUZZ_CHECK(ranges.next(range));
    FUZZ_CHECK(range.offset == begin * bits / 8 && range.length == (end - begin) * bits / 8);
    FUZZ_CHECK(range.length == plan->range_bytes());
    FUZZ_CHECK(range.offset + range.length <= byte_size);
    total += range.length;
  }
  FUZZ_CHECK(!ranges.next(range));
  FUZZ_CHECK(plan->byte_size() == total);

  // Through the reader: the same plan, and the model's bytes.
  const std::vector<std::uint8_t> file = make_file(dtype, shape, byte_size);
  const auto reader = stguard::Reader::from_memory(file, stguard::Options::strict());
  FUZZ_CHECK_MSG(reader.ok(), fz::describe(reader.error()));
  const auto view = reader->tensor("t");
  FUZZ_CHECK(view.ok());
  const auto slice = view->slice(spec);
  FUZZ_CHECK_MSG(slice.ok(), fz::describe(slice.error()));
  std::vector<std::uint8_t> expected;
  const auto tensor_bytes = view->bytes();
  FUZZ_CHECK(tensor_bytes.ok());
  for (const auto& [begin, end] : model.runs) {
    expected.insert(expected.end(), tensor_bytes->begin() + static_cast<std::ptrdiff_t>(begin * bits / 8),
                    tensor_bytes->begin() + static_cast<std::ptrdiff_t>(end * bits / 8));
  }
  const auto copied = slice->copy_bytes();
  FUZZ_CHECK(copied.ok() && *copied == expected);
  std::vector<std::uint8_t> read_out(expected.size());
  FUZZ_CHECK(slice->read(read_out).ok() && read_out == expected);
  std::vector<std::uint8_t> visited;
  const auto status = slice->for_each_span([&visited](std::span<const std::uint8_t> part) {
    visited.insert(visited.end(), part.begin(), part.end());
    return true;
  });
  FUZZ_CHECK(status.ok() && visited == expected);
  return 0;
}
