// Using the value of a failed Result (error.hpp): never throws, never aborts;
// the poison value's fallible calls fail with the original error code, so a
// chain ends in a failed Result. error() on a success is a "no error" value.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "stguard/reader.hpp"
#include "stguard/stream_writer.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

using stguard::Dtype;
using stguard::ErrorCode;
using stguard::test::Bytes;

namespace {

Bytes one_tensor_file() {
  const Bytes data(16, 3);
  stguard::FileBuilder builder;
  REQUIRE(builder.add_tensor("w", Dtype::F32, {4}, data));
  return builder.save().value();
}

}  // namespace

TEST_CASE("a chained call on a missing tensor is a failed Result, not an abort", "[result][reader]") {
  const Bytes file = one_tensor_file();
  auto reader = stguard::Reader::from_memory(file);
  REQUIRE(reader.ok());
  const auto values = reader->tensor("missing")->to_vector<float>();
  REQUIRE_FALSE(values.ok());
  CHECK(values.error().code == ErrorCode::tensor_not_found);
  CHECK(values->empty());  // the poison of a vector

  const auto missing = reader->tensor("missing");
  CHECK(missing->is_poison());
  CHECK(missing->name().empty());
  CHECK(missing->element_count() == 0);
  CHECK(missing->file_offset() == 0);
  CHECK(missing->bytes().error().code == ErrorCode::tensor_not_found);
  CHECK(missing->copy_bytes().error().code == ErrorCode::tensor_not_found);
  CHECK(missing->to_owned().error().code == ErrorCode::tensor_not_found);
  CHECK(missing->at<float>(0).error().code == ErrorCode::tensor_not_found);
  std::vector<std::uint8_t> none;
  CHECK(missing->read(0, none).error().code == ErrorCode::tensor_not_found);
  const auto slice = missing->slice(":");
  REQUIRE_FALSE(slice.ok());
  CHECK(slice.error().code == ErrorCode::tensor_not_found);
  CHECK(slice->copy_bytes().error().code == ErrorCode::tensor_not_found);
  CHECK(slice->for_each_span([](std::span<const std::uint8_t>) { return true; }).error().code ==
        ErrorCode::tensor_not_found);

  // A real tensor is not poison and still reads.
  const auto real = reader->tensor("w")->to_vector<float>();
  REQUIRE(real.ok());
  CHECK(real->size() == 4);
  CHECK_FALSE(reader->tensor("w")->is_poison());
}

TEST_CASE("a failed Reader::open dereferences to a Reader with no file", "[result][reader]") {
  auto reader = stguard::Reader::open("/nonexistent/model.safetensors");
  REQUIRE_FALSE(reader.ok());
  CHECK(reader->tensor_count() == 0);
  CHECK(reader->header().tensors().empty());
  CHECK(reader->tensors().size() == 0);
  const auto values = reader->tensor("w")->to_vector<float>();
  REQUIRE_FALSE(values.ok());
  CHECK(values.error().code == ErrorCode::invalid_argument);
  CHECK(reader->copy_all().error().code == ErrorCode::invalid_argument);
}

TEST_CASE("value_or, poison values and error() on a success", "[result]") {
  const auto failed = stguard::validate_file(stguard::test::as_bytes("tiny"));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed->tensors().empty());
  CHECK(failed.value().tensor_count() == 0);
  const auto passed = stguard::validate_file(one_tensor_file());
  REQUIRE(passed.ok());
  CHECK(passed.error().code == ErrorCode::internal_error);
  CHECK(passed.error().message.find("no error") != std::string::npos);
  CHECK(stguard::Status{}.error().code == ErrorCode::internal_error);

  const stguard::Result<int> bad = stguard::make_error(ErrorCode::invalid_argument, "x");
  CHECK(bad.value_or(7) == 7);
  CHECK(*bad == 0);
  const stguard::Result<int> good = 3;
  CHECK(good.value_or(7) == 3);
  CHECK(stguard::Result<std::string>(std::string("s")).value_or("t") == "s");
}

TEST_CASE("a failed StreamWriter::begin dereferences to a writer that already failed", "[result][writer]") {
  stguard::FdSink sink(-1);  // any write would fail; none may be attempted
  stguard::HeaderSpec spec;
  spec.tensors.push_back(stguard::TensorSpec{"", Dtype::U8, {1}});  // an empty name: refused
  auto writer = stguard::StreamWriter::begin(sink, spec);
  REQUIRE_FALSE(writer.ok());
  const ErrorCode code = writer.error().code;
  CHECK(writer->failed());
  CHECK(writer->begin_tensor("x").error().code == code);
  const Bytes one(1, 0);
  CHECK(writer->write(one).error().code == code);
  CHECK(writer->finish().error().code == code);
  CHECK(sink.bytes_written() == 0);
}
