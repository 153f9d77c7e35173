// The tensor rules (core/tensor_rules.hpp) and the two users that must agree
// on them: the validator refuses a shape exactly when the writer does, with
// the same code, and both count elements and bytes the same way.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor_rules.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

using stguard::Dtype;
using stguard::ErrorCode;
using stguard::detail::NameFault;
using stguard::detail::SizeFault;
using stguard::detail::TensorSize;

namespace {
constexpr std::uint64_t k2p32 = std::uint64_t{1} << 32;
}  // namespace

TEST_CASE("the element count folds left to right and stops on overflow", "[tensor_rules]") {
  std::uint64_t count = 99;
  CHECK(stguard::detail::checked_element_count(std::vector<std::uint64_t>{}, count));
  CHECK(count == 1);  // a scalar
  CHECK(stguard::detail::checked_element_count(std::vector<std::uint64_t>{2, 3, 7}, count));
  CHECK(count == 42);
  CHECK(stguard::detail::checked_element_count(std::vector<std::uint64_t>{0, k2p32, k2p32}, count));
  CHECK(count == 0);
  // The same dimensions in another order: 2^32 x 2^32 overflows before the 0.
  CHECK_FALSE(stguard::detail::checked_element_count(std::vector<std::uint64_t>{k2p32, k2p32, 0}, count));
}

TEST_CASE("byte sizes cover sub-byte dtypes and overflow", "[tensor_rules]") {
  std::uint64_t bytes = 0;
  CHECK(stguard::detail::checked_byte_size(4, Dtype::F4, bytes) == SizeFault::none);
  CHECK(bytes == 2);
  CHECK(stguard::detail::checked_byte_size(3, Dtype::F4, bytes) == SizeFault::partial_byte);
  CHECK(stguard::detail::checked_byte_size(4, Dtype::F6_E2M3, bytes) == SizeFault::none);
  CHECK(bytes == 3);
  CHECK(stguard::detail::checked_byte_size(5, Dtype::F6_E3M2, bytes) == SizeFault::partial_byte);
  CHECK(stguard::detail::checked_byte_size(std::uint64_t{1} << 58, Dtype::F64, bytes) == SizeFault::overflow);
  CHECK(stguard::detail::checked_byte_size(std::uint64_t{1} << 57, Dtype::F64, bytes) == SizeFault::none);
  CHECK(bytes == std::uint64_t{1} << 60);
  CHECK(stguard::detail::is_exact_byte_size(2, Dtype::C64, 16));
  CHECK_FALSE(stguard::detail::is_exact_byte_size(2, Dtype::C64, 15));
  CHECK_FALSE(stguard::detail::is_exact_byte_size(1, Dtype::F4, 0));
}

TEST_CASE("name rules: the header's and the writer's", "[tensor_rules]") {
  using stguard::detail::header_tensor_name_fault;
  using stguard::detail::written_tensor_name_fault;
  CHECK(header_tensor_name_fault("") == NameFault::empty);
  CHECK(header_tensor_name_fault("a\x7f") == NameFault::control_character);
  CHECK(header_tensor_name_fault("a\xc2\x85") == NameFault::control_character);  // U+0085, a C1 control
  CHECK(header_tensor_name_fault("a\xc2\xa0") == NameFault::none);              // U+00A0 is not
  CHECK(header_tensor_name_fault("__metadata__") == NameFault::none);           // the schema decides by position
  CHECK(written_tensor_name_fault("") == NameFault::empty);
  CHECK(written_tensor_name_fault("a\xff") == NameFault::invalid_utf8);
  CHECK(written_tensor_name_fault("tab\there") == NameFault::control_character);
  CHECK(written_tensor_name_fault("__metadata__") == NameFault::reserved);
  CHECK(written_tensor_name_fault("layer.0.weight") == NameFault::none);
}

TEST_CASE("the validator and the writer agree on every shape", "[tensor_rules]") {
  struct Case {
    Dtype dtype;
    const char* dtype_name;
    std::vector<std::uint64_t> shape;
  };
  const std::vector<Case> cases = {
      {Dtype::F32, "F32", {2, 3}},
      {Dtype::F32, "F32", {}},
      {Dtype::F4, "F4", {3}},
      {Dtype::F4, "F4", {2, 3}},
      {Dtype::F6_E2M3, "F6_E2M3", {2, 3}},
      {Dtype::F6_E2M3, "F6_E2M3", {4}},
      {Dtype::U8, "U8", {k2p32, k2p32, 0}},
      {Dtype::U8, "U8", {0, k2p32, k2p32}},
      {Dtype::F64, "F64", {k2p32, std::uint64_t{1} << 29}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.dtype_name, c.shape);
    const auto written = stguard::checked_tensor_byte_size(stguard::TensorSpec{"t", c.dtype, c.shape}, {});
    const std::uint64_t end = written.ok() ? written.value() : 0;
    const std::string header = "{\"t\":" + stguard::test::tensor_json(c.dtype_name, c.shape, 0, end) + "}";
    const auto bytes = stguard::test::as_bytes(header);
    const auto parsed = stguard::parse_header(bytes, end);
    REQUIRE(parsed.ok() == written.ok());
    if (written.ok()) {
      TensorSize size;
      REQUIRE(stguard::detail::checked_tensor_size(c.shape, c.dtype, size) == SizeFault::none);
      CHECK(parsed.value().tensors()[0].element_count == size.elements);
      CHECK(parsed.value().tensors()[0].byte_size() == size.bytes);
    } else {
      CHECK(parsed.error().code == written.error().code);
    }
  }
}
