// The hermetic slicing core: the textual parser (valid and invalid forms),
// the planner's ranges on hand-checked cases, every bound error, sub-byte
// dtypes, zero dimensions and overflowing shapes, and a brute-force model
// that enumerates elements one by one and must agree with the planner.
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "stguard/slice.hpp"

using stguard::ByteRange;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::SliceIndex;
using stguard::SlicePlan;
using stguard::SliceSpec;

namespace {

std::vector<ByteRange> all_ranges(const SlicePlan& plan) {
  std::vector<ByteRange> out;
  auto cursor = plan.ranges();
  ByteRange range;
  while (cursor.next(range)) out.push_back(range);
  return out;
}

stguard::Result<SlicePlan> plan_text(Dtype dtype, std::vector<std::uint64_t> shape, std::string_view text) {
  auto spec = stguard::parse_slice_spec(text);
  REQUIRE(spec.ok());
  return stguard::plan_slice(dtype, shape, *spec);
}

ErrorCode plan_error(Dtype dtype, std::vector<std::uint64_t> shape, std::string_view text) {
  auto plan = plan_text(dtype, std::move(shape), text);
  REQUIRE_FALSE(plan.ok());
  return plan.error().code;
}

}  // namespace

TEST_CASE("slice spec parser accepts the documented forms", "[slice]") {
  struct Case {
    std::string_view text;
    SliceSpec expected;
  };
  const std::vector<Case> cases = {
      {"", {}},
      {"   ", {}},
      {":", {SliceIndex::all()}},
      {"1:", {SliceIndex::range(1)}},
      {":3", {SliceIndex::range(0, 3)}},
      {"1:3", {SliceIndex::range(1, 3)}},
      {"2", {SliceIndex::single(2)}},
      {"0:2,1", {SliceIndex::range(0, 2), SliceIndex::single(1)}},
      {" 1 : 3 , 2 ", {SliceIndex::range(1, 3), SliceIndex::single(2)}},
      {"0,0,0", {SliceIndex::single(0), SliceIndex::single(0), SliceIndex::single(0)}},
      {"18446744073709551615", {SliceIndex::single(18446744073709551615ULL)}},
      {"007", {SliceIndex::single(7)}},
  };
  for (const Case& c : cases) {
    INFO("spec: '" << c.text << "'");
    auto parsed = stguard::parse_slice_spec(c.text);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.expected);
    // The canonical form parses back to the same specification.
    auto again = stguard::parse_slice_spec(stguard::format_slice_spec(*parsed));
    REQUIRE(again.ok());
    CHECK(*again == c.expected);
  }
  CHECK(stguard::format_slice_spec(SliceSpec{SliceIndex::range(0, 2), SliceIndex::single(1), SliceIndex::all(),
                                             SliceIndex::range(4)}) == ":2,1,:,4:");
}

TEST_CASE("slice spec parser rejects malformed text with slice_syntax", "[slice]") {
  const std::vector<std::string_view> bad = {
      ",",   "1,",  ",1",   "1,,2", "1:2:3", "::",   "-1",  "+1",   "a",    "1 2",
      "1:-2", "18446744073709551616", "99999999999999999999999", "1;2", ": :", "1:2 3", "\x1b[31m", "0x10",
  };
  for (const std::string_view text : bad) {
    INFO("spec: '" << text << "'");
    auto parsed = stguard::parse_slice_spec(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::slice_syntax);
    CHECK(parsed.error().message.find("character") != std::string::npos);
    CHECK(parsed.error().message.find('\x1b') == std::string::npos);  // quoted characters are escaped
  }
  auto negative = stguard::parse_slice_spec("0,-1");
  REQUIRE_FALSE(negative.ok());
  CHECK(negative.error().message.find("character 3: negative indices are not supported") != std::string::npos);
}

TEST_CASE("slice plans select the right byte ranges", "[slice]") {
  // F32 [4, 3]: rows of 12 bytes.
  auto rows = plan_text(Dtype::F32, {4, 3}, "1:3");
  REQUIRE(rows.ok());
  CHECK(std::vector<std::uint64_t>(rows->shape().begin(), rows->shape().end()) == std::vector<std::uint64_t>{2, 3});
  CHECK(all_ranges(*rows) == std::vector<ByteRange>{{12, 24}});
  CHECK(rows->byte_size() == 24);
  CHECK(rows->element_count() == 6);

  auto column = plan_text(Dtype::F32, {4, 3}, ":,1");
  REQUIRE(column.ok());
  CHECK(std::vector<std::uint64_t>(column->shape().begin(), column->shape().end()) == std::vector<std::uint64_t>{4});
  CHECK(all_ranges(*column) == std::vector<ByteRange>{{4, 4}, {16, 4}, {28, 4}, {40, 4}});
  CHECK(column->range_count() == 4);
  CHECK(column->range_bytes() == 4);

  auto block = plan_text(Dtype::F32, {4, 3}, "1:3,0:2");
  REQUIRE(block.ok());
  CHECK(all_ranges(*block) == std::vector<ByteRange>{{12, 8}, {24, 8}});

  auto single_row = plan_text(Dtype::F32, {4, 3}, "2");
  REQUIRE(single_row.ok());
  CHECK(std::vector<std::uint64_t>(single_row->shape().begin(), single_row->shape().end()) ==
        std::vector<std::uint64_t>{3});
  CHECK(all_ranges(*single_row) == std::vector<ByteRange>{{24, 12}});

  auto whole = plan_text(Dtype::U16, {4, 3}, ":,:");
  REQUIRE(whole.ok());
  CHECK(all_ranges(*whole) == std::vector<ByteRange>{{0, 24}});

  auto scalar = plan_text(Dtype::F64, {}, "");
  REQUIRE(scalar.ok());
  CHECK(scalar->shape().empty());
  CHECK(all_ranges(*scalar) == std::vector<ByteRange>{{0, 8}});

  // Rank 3, middle index fixed: runs of the last dimension.
  auto middle = plan_text(Dtype::I16, {2, 3, 4}, ":,1,1:3");
  REQUIRE(middle.ok());
  CHECK(all_ranges(*middle) == std::vector<ByteRange>{{10, 4}, {34, 4}});
}

TEST_CASE("slice bounds are errors, never clamped", "[slice]") {
  CHECK(plan_error(Dtype::F32, {4, 3}, "3:2") == ErrorCode::slice_stop_before_start);
  CHECK(plan_error(Dtype::F32, {4, 3}, "5:") == ErrorCode::slice_out_of_range);
  CHECK(plan_error(Dtype::F32, {4, 3}, ":5") == ErrorCode::slice_out_of_range);
  CHECK(plan_error(Dtype::F32, {4, 3}, "4") == ErrorCode::slice_out_of_range);
  CHECK(plan_error(Dtype::F32, {4, 3}, "0,3") == ErrorCode::slice_out_of_range);
  CHECK(plan_error(Dtype::F32, {4, 3}, "1,1,1") == ErrorCode::slice_too_many_indices);
  CHECK(plan_error(Dtype::F32, {}, "0") == ErrorCode::slice_too_many_indices);
  CHECK(plan_error(Dtype::F32, {4, 3}, "18446744073709551615:0") == ErrorCode::slice_stop_before_start);
  CHECK(plan_error(Dtype::F32, {4, 3}, "18446744073709551615") == ErrorCode::slice_out_of_range);

  // Empty selections at the very end are fine: Python's x[4:4] on 4 rows.
  auto at_end = plan_text(Dtype::F32, {4, 3}, "4:4");
  REQUIRE(at_end.ok());
  CHECK(at_end->range_count() == 0);
  CHECK(at_end->byte_size() == 0);
  CHECK(std::vector<std::uint64_t>(at_end->shape().begin(), at_end->shape().end()) ==
        std::vector<std::uint64_t>{0, 3});

  auto error = plan_text(Dtype::F32, {4, 3}, "0,7");
  REQUIRE_FALSE(error.ok());
  CHECK(error.error().message == "dimension 1: index 7 is out of range (size 3)");
}

TEST_CASE("sub-byte slices must start and end on a byte", "[slice]") {
  // F4: two elements per byte.
  CHECK(plan_error(Dtype::F4, {4}, "1:3") == ErrorCode::slice_not_byte_aligned);
  CHECK(plan_error(Dtype::F4, {4}, "0:1") == ErrorCode::slice_not_byte_aligned);
  CHECK(plan_error(Dtype::F4, {2, 3}, "0") == ErrorCode::slice_not_byte_aligned);   // 3 elements = 12 bits
  CHECK(plan_error(Dtype::F4, {4, 2}, ":,0") == ErrorCode::slice_not_byte_aligned);  // runs of one element
  auto f4 = plan_text(Dtype::F4, {4}, "2:4");
  REQUIRE(f4.ok());
  CHECK(all_ranges(*f4) == std::vector<ByteRange>{{1, 1}});
  auto f4_rows = plan_text(Dtype::F4, {3, 2}, "1");
  REQUIRE(f4_rows.ok());
  CHECK(all_ranges(*f4_rows) == std::vector<ByteRange>{{1, 1}});
  // F6: four elements per three bytes.
  auto f6 = plan_text(Dtype::F6_E2M3, {8}, "4:8");
  REQUIRE(f6.ok());
  CHECK(all_ranges(*f6) == std::vector<ByteRange>{{3, 3}});
  CHECK(plan_error(Dtype::F6_E3M2, {8}, "2:6") == ErrorCode::slice_not_byte_aligned);
  auto f6_columns = plan_text(Dtype::F6_E3M2, {2, 8}, ":,0:4");
  REQUIRE(f6_columns.ok());
  CHECK(all_ranges(*f6_columns) == std::vector<ByteRange>{{0, 3}, {6, 3}});
  // An empty selection has no bytes to misalign.
  auto empty = plan_text(Dtype::F4, {4}, "1:1");
  REQUIRE(empty.ok());
  CHECK(empty->range_count() == 0);
}

TEST_CASE("zero dimensions and overflowing shapes never crash the planner", "[slice]") {
  auto zero_rows = plan_text(Dtype::F32, {0, 5}, ":");
  REQUIRE(zero_rows.ok());
  CHECK(zero_rows->range_count() == 0);
  CHECK(zero_rows->element_count() == 0);
  CHECK(plan_error(Dtype::F32, {0, 5}, "0") == ErrorCode::slice_out_of_range);
  auto zero_cols = plan_text(Dtype::F32, {3, 0}, "1");
  REQUIRE(zero_cols.ok());
  CHECK(std::vector<std::uint64_t>(zero_cols->shape().begin(), zero_cols->shape().end()) ==
        std::vector<std::uint64_t>{0});
  CHECK(zero_cols->range_count() == 0);

  // compat accepts [0, 2^64-1, 2]: zero elements, but the strides would overflow.
  const std::uint64_t huge = ~std::uint64_t{0};
  auto zero_first = plan_text(Dtype::F64, {0, huge, 2}, "0:0,5,1");
  REQUIRE(zero_first.ok());
  CHECK(zero_first->byte_size() == 0);
  auto zero_last = plan_text(Dtype::F64, {huge, 2, 0}, "7,1");
  REQUIRE(zero_last.ok());
  CHECK(zero_last->byte_size() == 0);
  CHECK(plan_error(Dtype::F64, {huge, 2, 0}, "7,2") == ErrorCode::slice_out_of_range);
  // Not a valid tensor at all: reported, not computed.
  CHECK(plan_error(Dtype::U8, {std::uint64_t{1} << 40, std::uint64_t{1} << 40}, "0") == ErrorCode::invalid_argument);
  CHECK(plan_error(Dtype::F64, {std::uint64_t{1} << 62}, "0") == ErrorCode::invalid_argument);
  CHECK(plan_error(Dtype::F4, {3}, "") == ErrorCode::invalid_argument);  // 12 bits: not whole bytes
}

namespace {

// The reference model: walk every element in C order, keep the ones the
// specification selects, and list the bits they occupy.
struct ModelResult {
  std::optional<ErrorCode> error;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint64_t> selected_bits;  // ascending
};

ModelResult model_slice(Dtype dtype, const std::vector<std::uint64_t>& shape, const SliceSpec& spec) {
  ModelResult result;
  if (spec.size() > shape.size()) {
    result.error = ErrorCode::slice_too_many_indices;
    return result;
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> bounds;  // [lo, hi) per dimension
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (d >= spec.size()) {
      bounds.emplace_back(0, shape[d]);
      result.shape.push_back(shape[d]);
      continue;
    }
    const SliceIndex& index = spec[d];
    if (index.kind == SliceIndex::Kind::single) {
      if (index.start >= shape[d]) {
        result.error = ErrorCode::slice_out_of_range;
        return result;
      }
      bounds.emplace_back(index.start, index.start + 1);
      continue;
    }
    const std::uint64_t stop = index.stop.value_or(shape[d]);
    if (index.stop && stop < index.start) {
      result.error = ErrorCode::slice_stop_before_start;
      return result;
    }
    if (index.start > shape[d] || stop > shape[d]) {
      result.error = ErrorCode::slice_out_of_range;
      return result;
    }
    bounds.emplace_back(index.start, stop);
    result.shape.push_back(stop - index.start);
  }
  std::uint64_t total = 1;
  for (const std::uint64_t dim : shape) total *= dim;
  const unsigned bits = stguard::dtype_bits(dtype);
  for (std::uint64_t flat = 0; flat < total; ++flat) {
    std::uint64_t rest = flat;
    bool selected = true;
    for (std::size_t d = shape.size(); d-- > 0;) {
      const std::uint64_t i = rest % shape[d];
      rest /= shape[d];
      if (i < bounds[d].first || i >= bounds[d].second) selected = false;
    }
    if (!selected) continue;
    for (unsigned b = 0; b < bits; ++b) result.selected_bits.push_back(flat * bits + b);
  }
  return result;
}

}  // namespace

TEST_CASE("slice plans agree with an element-by-element model", "[slice]") {
  std::mt19937_64 random(20260517);
  const std::vector<Dtype> dtypes = {Dtype::U8, Dtype::F16, Dtype::F32, Dtype::C64, Dtype::F4, Dtype::F6_E2M3};
  int compared = 0;
  for (int round = 0; round < 3000; ++round) {
    const Dtype dtype = dtypes[random() % dtypes.size()];
    std::vector<std::uint64_t> shape(random() % 5);
    for (auto& dim : shape) dim = random() % 5;
    std::uint64_t total = 1;
    for (const auto dim : shape) total *= dim;
    if (total * stguard::dtype_bits(dtype) % 8 != 0) continue;  // not a valid tensor
    SliceSpec spec(random() % (shape.size() + 2));
    for (std::size_t d = 0; d < spec.size(); ++d) {
      const std::uint64_t size = d < shape.size() ? shape[d] : 3;
      const auto pick = [&] { return random() % (size + 2); };  // sometimes past the end
      switch (random() % 4) {
        case 0: spec[d] = SliceIndex::single(pick()); break;
        case 1: spec[d] = SliceIndex::all(); break;
        case 2: spec[d] = SliceIndex::range(pick()); break;
        default: spec[d] = SliceIndex::range(pick(), pick()); break;
      }
    }
    INFO("dtype " << stguard::dtype_name(dtype) << ", spec '" << stguard::format_slice_spec(spec) << "', rank "
                  << shape.size());
    const ModelResult expected = model_slice(dtype, shape, spec);
    const auto plan = stguard::plan_slice(dtype, shape, spec);
    if (expected.error) {
      REQUIRE_FALSE(plan.ok());
      CHECK(plan.error().code == *expected.error);
      continue;
    }
    // Representable as bytes exactly when the selected bits are whole bytes.
    std::set<std::uint64_t> bytes_touched;
    for (const std::uint64_t bit : expected.selected_bits) bytes_touched.insert(bit / 8);
    const bool whole_bytes = bytes_touched.size() * 8 == expected.selected_bits.size();
    if (!whole_bytes) {
      REQUIRE_FALSE(plan.ok());
      CHECK(plan.error().code == ErrorCode::slice_not_byte_aligned);
      continue;
    }
    REQUIRE(plan.ok());
    CHECK(std::vector<std::uint64_t>(plan->shape().begin(), plan->shape().end()) == expected.shape);
    std::vector<std::uint64_t> planned_bytes;
    std::uint64_t previous_end = 0;
    for (const ByteRange& range : all_ranges(*plan)) {
      CHECK(range.length == plan->range_bytes());
      CHECK((planned_bytes.empty() || range.offset > previous_end));  // ascending, never adjacent
      for (std::uint64_t i = 0; i < range.length; ++i) planned_bytes.push_back(range.offset + i);
      previous_end = range.offset + range.length;
    }
    CHECK(planned_bytes == std::vector<std::uint64_t>(bytes_touched.begin(), bytes_touched.end()));
    CHECK(plan->byte_size() == planned_bytes.size());
    ++compared;
  }
  CHECK(compared > 500);  // the generator really exercises the success path
}
