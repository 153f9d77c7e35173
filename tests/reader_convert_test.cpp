// Typed reads with Conversion::exact through the reader: whole tensors,
// slices and owned tensors, in every reader mode (zero-copy and chunked
// pread), with the refusals a caller meets without the option or for a
// value that does not fit.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "stguard/reader.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

namespace {

using stguard::Conversion;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;

// BF16 of a float that BF16 holds exactly: its top half.
std::uint16_t bf16_of(float value) { return static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(value) >> 16); }

Bytes little_endian_u16(const std::vector<std::uint16_t>& values) {
  Bytes bytes;
  for (const std::uint16_t v : values) {
    bytes.push_back(static_cast<std::uint8_t>(v));
    bytes.push_back(static_cast<std::uint8_t>(v >> 8));
  }
  return bytes;
}

// A file with a BF16 matrix `rows` x 3 holding row * 3 + column, an I32
// vector with 2^24 + 1 at `wide_at`, and an F4 pair row.
struct ConversionFile {
  std::uint64_t rows;
  Bytes bf16;
  Bytes i32;
  Bytes f4{0x21, 0x43};  // elements 0.5, 1.0, 1.5, 2.0
  Bytes file;
};

ConversionFile make_conversion_file(std::uint64_t rows, std::uint64_t wide_at) {
  ConversionFile made{rows, {}, {}, {0x21, 0x43}, {}};
  std::vector<std::uint16_t> values;
  for (std::uint64_t i = 0; i < rows * 3; ++i) values.push_back(bf16_of(static_cast<float>(i % 256)));
  made.bf16 = little_endian_u16(values);
  for (std::uint64_t i = 0; i < rows; ++i) {
    const std::int32_t v = i == wide_at ? 16777217 : static_cast<std::int32_t>(i);
    for (int b = 0; b < 4; ++b) made.i32.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * b)));
  }
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("w", Dtype::BF16, {rows, 3}, made.bf16).ok());
  REQUIRE(builder.add_tensor("ids", Dtype::I32, {rows}, made.i32).ok());
  REQUIRE(builder.add_tensor("packed", Dtype::F4, {2, 2}, made.f4).ok());
  auto bytes = builder.save();
  REQUIRE(bytes.ok());
  made.file = std::move(bytes).value();
  return made;
}

// The floats Conversion::exact reads from slice `spec` of tensor `name`.
std::vector<float> converted_slice(const stguard::Reader& reader, const std::string& name, const std::string& spec) {
  auto view = reader.tensor(name);
  REQUIRE(view.ok());
  auto slice = view->slice(spec);
  REQUIRE(slice.ok());
  auto values = slice->to_vector<float>(Conversion::exact);
  REQUIRE(values.ok());
  return std::move(values).value();
}

}  // namespace

TEST_CASE("BF16 to float through every reader mode, zero-copy and chunked", "[convert][reader]") {
  // 30,000 rows: 180,000 bytes of BF16, several pread chunks.
  const ConversionFile made = make_conversion_file(30000, 29999);
  stguard::test::TempDir dir;
  const std::string path = dir.write("model.safetensors", made.file).string();
  for (const auto mode : {stguard::ReaderMode::mapped, stguard::ReaderMode::snapshot, stguard::ReaderMode::pread}) {
    INFO(std::string(stguard::reader_mode_name(mode)));
    stguard::ReaderOptions options;
    options.mode = mode;
    auto reader = stguard::Reader::open(path, options);
    REQUIRE(reader.ok());
    auto w = reader->tensor("w");
    REQUIRE(w.ok());

    const auto refused = w->to_vector<float>();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::dtype_mismatch);
    CHECK(refused.error().message.find("Conversion::exact") != std::string::npos);

    auto floats = w->to_vector<float>(Conversion::exact);
    REQUIRE(floats.ok());
    REQUIRE(floats->size() == 90000);
    for (std::size_t i = 0; i < floats->size(); ++i) REQUIRE((*floats)[i] == static_cast<float>(i % 256));
    auto doubles = w->to_vector<double>(Conversion::exact);
    REQUIRE(doubles.ok());
    CHECK((*doubles)[89999] == static_cast<double>(89999 % 256));

    std::vector<float> wrong_size(10);
    CHECK(w->read_into(std::span<float>(wrong_size), Conversion::exact).error().code == ErrorCode::invalid_argument);

    // The raw bits are still what to_vector<uint16_t> gives, unconverted.
    auto raw = w->to_vector<std::uint16_t>(Conversion::exact);
    REQUIRE(raw.ok());
    CHECK((*raw)[5] == bf16_of(5.0F));

    // I32: exact to double; to float the one value past 2^24 is named.
    auto ids = reader->tensor("ids");
    REQUIRE(ids.ok());
    CHECK(ids->to_vector<double>(Conversion::exact).ok());
    const auto inexact = ids->to_vector<float>(Conversion::exact);
    REQUIRE_FALSE(inexact.ok());
    CHECK(inexact.error().code == ErrorCode::conversion_inexact);
    CHECK(inexact.error().tensor == "ids");
    CHECK(inexact.error().message.find("element 29999 ") != std::string::npos);
  }
}

TEST_CASE("slices convert the selected elements only", "[convert][slice]") {
  const ConversionFile made = make_conversion_file(40, 1000);
  stguard::test::TempDir dir;
  const std::string path = dir.write("model.safetensors", made.file).string();
  for (const auto mode : {stguard::ReaderMode::mapped, stguard::ReaderMode::pread}) {
    stguard::ReaderOptions options;
    options.mode = mode;
    auto reader = stguard::Reader::open(path, options);
    REQUIRE(reader.ok());
    // Rows 2..5, column 1: four ranges of one element each.
    CHECK(converted_slice(*reader, "w", "2:6,1") == std::vector<float>{7.0F, 10.0F, 13.0F, 16.0F});
    auto slice = reader->tensor("w")->slice("2:6,1");
    REQUIRE(slice.ok());
    std::vector<double> into(4);
    REQUIRE(slice->read_into(std::span<double>(into), Conversion::exact).ok());
    CHECK(into == std::vector<double>{7.0, 10.0, 13.0, 16.0});
    CHECK(slice->to_vector<float>().error().code == ErrorCode::dtype_mismatch);
    auto bits = slice->to_vector<std::uint16_t>();
    REQUIRE(bits.ok());
    CHECK((*bits)[0] == bf16_of(7.0F));
    std::vector<float> short_out(3);
    CHECK(slice->read_into(std::span<float>(short_out), Conversion::exact).error().code ==
          ErrorCode::invalid_argument);

    // F4 rows: row 1 is the second byte, elements 1.5 and 2.0.
    CHECK(converted_slice(*reader, "packed", "1") == std::vector<float>{1.5F, 2.0F});
  }
}

TEST_CASE("owned tensors and failed Results convert or fail as values", "[convert]") {
  const ConversionFile made = make_conversion_file(4, 1000);
  auto tensors = stguard::load(made.file);
  REQUIRE(tensors.ok());
  const stguard::OwnedTensor& w = tensors->at("w");
  auto floats = w.to_vector<float>(Conversion::exact);
  REQUIRE(floats.ok());
  CHECK((*floats)[11] == 11.0F);
  CHECK(w.to_vector<float>().error().code == ErrorCode::dtype_mismatch);
  stguard::OwnedTensor broken = w;
  broken.element_count = 1000;  // public fields that no longer agree
  CHECK(broken.to_vector<float>(Conversion::exact).error().code == ErrorCode::invalid_argument);

  auto reader = stguard::Reader::from_memory(made.file);
  REQUIRE(reader.ok());
  const auto missing = reader->tensor("absent")->to_vector<float>(Conversion::exact);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::tensor_not_found);
  const auto missing_slice = reader->tensor("absent")->slice("0")->to_vector<double>(Conversion::exact);
  REQUIRE_FALSE(missing_slice.ok());
}
