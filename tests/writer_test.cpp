// The writer's contract: what it writes is accepted by strict, laid out as
// the reference writer lays it out (byte for byte where the input fixes it),
// deterministic, and it refuses -- naming the tensor -- everything strict
// would reject, including aliased input memory.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "stguard/escape.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"
#include "support/test_files.hpp"

using stguard::Dtype;
using stguard::ErrorCode;
using stguard::FileBuilder;
using stguard::test::Bytes;

namespace {

Bytes pattern(std::size_t size, unsigned seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 131 + seed * 17 + 3);
  return out;
}

std::string padded(std::string header) {
  while (header.size() % 8 != 0) header += ' ';
  return header;
}

// The error plan() refuses `builder` with.
stguard::Error plan_refusal(const FileBuilder& builder) {
  auto plan = builder.plan();
  REQUIRE_FALSE(plan.ok());
  return plan.error();
}

ErrorCode plan_error(const FileBuilder& builder) { return plan_refusal(builder).code; }

// Writer options with the default limits but for one field.
stguard::WriterOptions with_limit(std::uint64_t stguard::Limits::*field, std::uint64_t value) {
  stguard::WriterOptions options;
  options.limits.*field = value;
  return options;
}

// Every check of the output: strict accepts it and each tensor's bytes are
// where the header says.
stguard::Header require_strict(const Bytes& file) {
  auto header = stguard::validate_file(file, stguard::Options::strict());
  INFO((header.ok() ? std::string() : header.error().message));
  REQUIRE(header.ok());
  return header.value();
}

std::span<const std::uint8_t> tensor_bytes(const Bytes& file, const stguard::Header& header, std::string_view name) {
  const stguard::TensorInfo* info = header.find(name);
  REQUIRE(info != nullptr);
  return std::span<const std::uint8_t>(file).subspan(header.data_offset() + info->begin, info->byte_size());
}

}  // namespace

TEST_CASE("the writer lays a file out exactly as the reference writer", "[writer]") {
  const Bytes b = pattern(3, 1);
  const Bytes a = pattern(8, 2);
  const Bytes c = pattern(8, 3);
  FileBuilder builder;
  REQUIRE(builder.add_tensor("b", Dtype::U8, {3}, b));
  REQUIRE(builder.add_tensor("a", Dtype::F32, {2}, a));
  REQUIRE(builder.add_tensor("z", Dtype::F32, {0}, std::span<const std::uint8_t>()));
  REQUIRE(builder.add_tensor("c", Dtype::I64, {1}, c));
  REQUIRE(builder.set_metadata("format", "pt"));
  REQUIRE(builder.set_metadata("author", "x"));
  auto saved = builder.save();
  REQUIRE(saved.ok());

  // dtype order descending (I64, F32, U8), then name; metadata first, keys sorted.
  const std::string header = padded(
      R"({"__metadata__":{"author":"x","format":"pt"},)"
      R"("c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
      R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
      R"("z":{"dtype":"F32","shape":[0],"data_offsets":[16,16]},)"
      R"("b":{"dtype":"U8","shape":[3],"data_offsets":[16,19]}})");
  Bytes data = c;
  data.insert(data.end(), a.begin(), a.end());
  data.insert(data.end(), b.begin(), b.end());
  CHECK(saved.value() == stguard::test::make_file(header, data));
  const auto parsed = require_strict(saved.value());
  CHECK(parsed.header_length() % 8 == 0);
  CHECK(*parsed.metadata_value("format") == "pt");
}

TEST_CASE("an empty builder writes {} padded to 8 bytes", "[writer]") {
  auto saved = FileBuilder().save();
  REQUIRE(saved.ok());
  CHECK(saved.value() == stguard::test::make_file("{}      "));
  require_strict(saved.value());
}

TEST_CASE("every dtype lands aligned to its element size and keeps its bytes", "[writer]") {
  std::vector<Bytes> buffers;
  FileBuilder builder;
  for (unsigned order = 0; order < stguard::kDtypeCount; ++order) {
    const Dtype dtype = *stguard::dtype_from_order(order);
    // 8 elements fill whole bytes for every width, sub-byte ones included.
    const std::uint64_t bytes = 8 * stguard::dtype_bits(dtype) / 8;
    buffers.push_back(pattern(static_cast<std::size_t>(bytes) * (order % 3 + 1), order));
    const std::string name = "t" + std::to_string(100 - order) + "_" + std::string(stguard::dtype_name(dtype));
    REQUIRE(builder.add_tensor(name, dtype, {order % 3 + 1, 8}, buffers.back()));
  }
  auto saved = builder.save();
  REQUIRE(saved.ok());
  const auto header = require_strict(saved.value());
  REQUIRE(header.tensor_count() == stguard::kDtypeCount);
  unsigned previous_order = stguard::kDtypeCount;
  for (const auto& tensor : header.tensors()) {
    CHECK((header.data_offset() + tensor.begin) % stguard::dtype_alignment(tensor.dtype) == 0);
    CHECK(stguard::dtype_order(tensor.dtype) < previous_order);  // descending, one tensor per dtype
    previous_order = stguard::dtype_order(tensor.dtype);
    const Bytes& expected = buffers[stguard::dtype_order(tensor.dtype)];
    const auto got = tensor_bytes(saved.value(), header, tensor.name);
    CHECK(std::equal(got.begin(), got.end(), expected.begin(), expected.end()));
  }
}

TEST_CASE("output is deterministic whatever the order of the calls", "[writer]") {
  const Bytes x = pattern(16, 1);
  const Bytes y = pattern(4, 2);
  const Bytes w = pattern(2, 3);
  FileBuilder one;
  REQUIRE(one.add_tensor("x", Dtype::F32, {4}, x));
  REQUIRE(one.add_tensor("y", Dtype::F32, {1}, y));
  REQUIRE(one.add_tensor("w", Dtype::BF16, {1}, w));
  REQUIRE(one.set_metadata("k2", "v2"));
  REQUIRE(one.set_metadata("k1", "v1"));
  FileBuilder two;
  REQUIRE(two.set_metadata("k1", "v1"));
  REQUIRE(two.add_tensor("w", Dtype::BF16, {1}, w));
  REQUIRE(two.set_metadata("k2", "v2"));
  REQUIRE(two.add_tensor("y", Dtype::F32, {1}, y));
  REQUIRE(two.add_tensor("x", Dtype::F32, {4}, x));
  CHECK(one.save().value() == two.save().value());
}

TEST_CASE("names and metadata are escaped as serde_json escapes them and read back exactly", "[writer]") {
  const std::string name = "q\"uote\\slash/\xC3\xA9";  // '"', '\', '/', U+00E9
  const std::string value = "line1\nline2\ttab\x01\x7F\"end";
  const Bytes one = stguard::test::as_bytes("A");
  FileBuilder builder;
  REQUIRE(builder.add_tensor(name, Dtype::U8, {1}, one));
  REQUIRE(builder.set_metadata("config", value));
  auto saved = builder.save();
  REQUIRE(saved.ok());
  const std::string text = stguard::test::as_string(saved.value());
  CHECK(text.find(R"("line1\nline2\ttab\u0001)" "\x7F" R"(\"end")") != std::string::npos);
  CHECK(text.find(R"("q\"uote\\slash/)" "\xC3\xA9" R"(")") != std::string::npos);
  const auto header = require_strict(saved.value());
  CHECK(header.find(name) != nullptr);
  CHECK(*header.metadata_value("config") == value);
}

TEST_CASE("the writer refuses what strict rejects, naming the tensor", "[writer]") {
  const Bytes four(4, 0);
  struct Case {
    const char* what;
    std::string name;
    Dtype dtype;
    std::vector<std::uint64_t> shape;
    ErrorCode expected;
  };
  const std::uint64_t big = std::uint64_t{1} << 40;
  const std::vector<Case> cases = {
      {"empty name", "", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"C0 control", "a\x01", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"newline", "a\nb", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"DEL", "a\x7F", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"C1 control U+0085", "a\xC2\x85", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"invalid UTF-8", "a\xFF", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"NUL", std::string("a\0b", 3), Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"reserved", "__metadata__", Dtype::U8, {4}, ErrorCode::invalid_tensor_name},
      {"4097-byte name", std::string(4097, 'n'), Dtype::U8, {4}, ErrorCode::limit_name_bytes},
      {"odd F4 count", "f4", Dtype::F4, {3}, ErrorCode::subbyte_misaligned},
      {"F6 count not a multiple of 4", "f6", Dtype::F6_E2M3, {6}, ErrorCode::subbyte_misaligned},
      {"element count overflows", "huge", Dtype::U8, {big, big}, ErrorCode::shape_overflow},
      {"dimension above 2^53-1", "dim", Dtype::U8, {std::uint64_t{1} << 53, 0}, ErrorCode::limit_integer},
      {"rank 65", "rank", Dtype::U8, std::vector<std::uint64_t>(65, 1), ErrorCode::limit_rank},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    FileBuilder builder;
    const stguard::Status status = builder.add_tensor(c.name, c.dtype, c.shape, four);
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code == c.expected);
    if (!c.name.empty() && c.expected != ErrorCode::limit_name_bytes) {
      CHECK(status.error().tensor == c.name);
    }
    // Sticky: the builder will not save a file without that tensor.
    CHECK(plan_error(builder) == c.expected);
  }
}

TEST_CASE("the left-to-right element fold matches the validator's", "[writer]") {
  const std::uint64_t max = stguard::kMaxSafeInteger;
  FileBuilder zero_first;  // reaches 0 before the huge product: valid, 0 bytes
  CHECK(zero_first.add_tensor("ok", Dtype::U8, {0, max, max}, std::span<const std::uint8_t>()).ok());
  auto saved = zero_first.save();
  REQUIRE(saved.ok());
  require_strict(saved.value());
  FileBuilder zero_last;  // overflows before it reaches 0: strict rejects it, so must the writer
  const auto status = zero_last.add_tensor("bad", Dtype::U8, {max, max, 0}, std::span<const std::uint8_t>());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::shape_overflow);
}

TEST_CASE("bytes that do not match shape x dtype are data_length_mismatch", "[writer]") {
  const Bytes seven(7, 1);
  FileBuilder builder;
  const auto status = builder.add_tensor("w", Dtype::F32, {2}, seven);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::data_length_mismatch);
  CHECK(status.error().tensor == "w");
  CHECK(status.error().message.find("needs 8") != std::string::npos);
}

TEST_CASE("whole-set rules: duplicates, tensor count, offsets past 2^53-1, header cap", "[writer]") {
  const Bytes four(4, 0);
  SECTION("duplicate names") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("w", Dtype::U8, {4}, four));
    const Bytes other(4, 1);
    // Refused at once, as docs/writer.md says of every add_tensor check.
    const stguard::Status again = builder.add_tensor("w", Dtype::F32, {1}, other);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::duplicate_tensor_name);
    CHECK(again.error().tensor == "w");
    const stguard::Status producer_again =
        builder.add_tensor("w", Dtype::U8, {1}, [](stguard::ByteSink&) -> stguard::Status { return {}; });
    CHECK(producer_again.error().code == ErrorCode::duplicate_tensor_name);
    CHECK(builder.add_tensor("w2", Dtype::U8, {4}, other).ok());  // a new name is still taken
    const stguard::Error refused = plan_refusal(builder);
    CHECK(refused.code == ErrorCode::duplicate_tensor_name);
    CHECK(refused.tensor == "w");
  }
  SECTION("more tensors than max_tensors") {
    FileBuilder builder(with_limit(&stguard::Limits::max_tensors, 2));
    const Bytes many(3, 0);
    for (std::size_t i = 0; i < 3; ++i) {
      REQUIRE(builder.add_tensor("t" + std::to_string(i), Dtype::U8, {1}, std::span<const std::uint8_t>(many).subspan(i, 1)));
    }
    CHECK(plan_error(builder) == ErrorCode::limit_tensor_count);
  }
  SECTION("data past offset 2^53-1") {
    FileBuilder builder;
    const auto never = [](stguard::ByteSink&) -> stguard::Status { FAIL("producer called"); return {}; };
    REQUIRE(builder.add_tensor("a", Dtype::U8, {std::uint64_t{1} << 52}, never));
    REQUIRE(builder.add_tensor("b", Dtype::U8, {std::uint64_t{1} << 52}, never));
    const stguard::Error refused = plan_refusal(builder);
    CHECK(refused.code == ErrorCode::limit_integer);
    CHECK(refused.tensor == "b");
  }
  SECTION("header over max_header_bytes") {
    FileBuilder builder(with_limit(&stguard::Limits::max_header_bytes, 64));
    REQUIRE(builder.add_tensor("weights.of.a.layer", Dtype::U8, {4}, four));
    CHECK(plan_error(builder) == ErrorCode::limit_header_bytes);
  }
  SECTION("limits can be tightened but never loosened") {
    stguard::WriterOptions options = with_limit(&stguard::Limits::max_name_bytes, 1'000'000);
    options.limits.max_rank = 1000;
    FileBuilder builder(options);
    const auto long_name = builder.add_tensor(std::string(5000, 'x'), Dtype::U8, {4}, four);
    REQUIRE_FALSE(long_name.ok());
    CHECK(long_name.error().code == ErrorCode::limit_name_bytes);
    options.limits.max_name_bytes = 3;
    FileBuilder tight(options);
    CHECK(tight.add_tensor("four", Dtype::U8, {4}, four).error().code == ErrorCode::limit_name_bytes);
  }
}

TEST_CASE("metadata is checked as strict checks it", "[writer]") {
  FileBuilder control_key;
  CHECK(control_key.set_metadata("a\tb", "v").error().code == ErrorCode::invalid_metadata_key);
  FileBuilder nul_value;
  CHECK(nul_value.set_metadata("k", std::string("a\0b", 3)).error().code == ErrorCode::invalid_metadata_value);
  FileBuilder bad_utf8;
  CHECK(bad_utf8.set_metadata("k", "\xC0\xAF").error().code == ErrorCode::invalid_metadata_value);
  FileBuilder replaced;
  REQUIRE(replaced.set_metadata("k", "first"));
  REQUIRE(replaced.set_metadata("k", "second"));
  const auto header = require_strict(replaced.save().value());
  CHECK(*header.metadata_value("k") == "second");

  stguard::HeaderSpec spec;
  spec.metadata = {{"k", "1"}, {"k", "2"}};
  auto serialized = stguard::serialize_header(spec);
  REQUIRE_FALSE(serialized.ok());
  CHECK(serialized.error().code == ErrorCode::duplicate_metadata_key);
}

TEST_CASE("aliased input memory is refused and named, unless asked to keep one", "[writer]") {
  const Bytes buffer = pattern(32, 9);
  const std::span<const std::uint8_t> all(buffer);
  SECTION("partial overlap") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("first", Dtype::U8, {8}, all.subspan(0, 8)));
    REQUIRE(builder.add_tensor("second", Dtype::U8, {8}, all.subspan(4, 8)));
    const stguard::Error refused = plan_refusal(builder);
    CHECK(refused.code == ErrorCode::aliased_tensors);
    CHECK(refused.message.find("\"first\"") != std::string::npos);
    CHECK(refused.message.find("\"second\"") != std::string::npos);
    stguard::WriterOptions keep;
    keep.aliases = stguard::AliasPolicy::keep_first_added;
    FileBuilder lenient(keep);
    REQUIRE(lenient.add_tensor("first", Dtype::U8, {8}, all.subspan(0, 8)));
    REQUIRE(lenient.add_tensor("second", Dtype::U8, {8}, all.subspan(4, 8)));
    CHECK(plan_error(lenient) == ErrorCode::aliased_tensors);  // neither can stand for the other
  }
  SECTION("tied weights: identical bytes") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("lm_head.weight", Dtype::F32, {4}, all.subspan(0, 16)));
    REQUIRE(builder.add_tensor("embed.weight", Dtype::F32, {4}, all.subspan(0, 16)));
    REQUIRE(builder.add_tensor("other", Dtype::F32, {4}, all.subspan(16, 16)));
    CHECK(plan_error(builder) == ErrorCode::aliased_tensors);

    stguard::WriterOptions keep;
    keep.aliases = stguard::AliasPolicy::keep_first_added;
    FileBuilder tied(keep);
    REQUIRE(tied.add_tensor("embed.weight", Dtype::F32, {4}, all.subspan(0, 16)));
    REQUIRE(tied.add_tensor("lm_head.weight", Dtype::F32, {4}, all.subspan(0, 16)));
    REQUIRE(tied.add_tensor("other", Dtype::F32, {4}, all.subspan(16, 16)));
    auto plan = tied.plan();
    REQUIRE(plan.ok());
    CHECK(plan->dropped_aliases == std::vector<std::string>{"lm_head.weight"});
    const auto header = require_strict(tied.save().value());
    CHECK(header.tensor_count() == 2);
    CHECK(header.find("embed.weight") != nullptr);
    CHECK(header.find("lm_head.weight") == nullptr);
  }
  SECTION("adjacent and empty ranges are not aliases") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("lo", Dtype::U8, {16}, all.subspan(0, 16)));
    REQUIRE(builder.add_tensor("hi", Dtype::U8, {16}, all.subspan(16, 16)));
    REQUIRE(builder.add_tensor("empty", Dtype::U8, {0}, all.subspan(8, 0)));
    CHECK(builder.plan().ok());
  }
  SECTION("many tensors: sort-based, and the count of overlaps is reported") {
    const Bytes big(40'000, 0);
    FileBuilder builder;
    for (std::size_t i = 0; i < 10'000; ++i) {
      REQUIRE(builder.add_tensor("t" + std::to_string(i), Dtype::U8, {4},
                                 std::span<const std::uint8_t>(big).subspan(i * 4, 4)));
    }
    REQUIRE(builder.plan().ok());
    REQUIRE(builder.add_tensor("overlaps.two", Dtype::U8, {4}, std::span<const std::uint8_t>(big).subspan(102, 4)));
    const stguard::Error refused = plan_refusal(builder);
    CHECK(refused.code == ErrorCode::aliased_tensors);
    CHECK(refused.message.find("\"overlaps.two\"") != std::string::npos);
  }
}

TEST_CASE("producers write their tensor in any chunking; wrong counts and failures are caught", "[writer]") {
  const Bytes expected = pattern(1000, 4);
  const auto chunked = [&](std::size_t chunk) {
    return [&expected, chunk](stguard::ByteSink& out) -> stguard::Status {
      for (std::size_t at = 0; at < expected.size(); at += chunk) {
        const std::size_t take = std::min(chunk, expected.size() - at);
        if (auto status = out.write(std::span<const std::uint8_t>(expected).subspan(at, take)); !status) return status;
      }
      return {};
    };
  };
  SECTION("odd chunk sizes") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("p", Dtype::I16, {500}, chunked(7)));
    REQUIRE(builder.add_tensor("m", Dtype::U8, {1000}, expected));
    auto saved = builder.save();
    REQUIRE(saved.ok());
    const auto header = require_strict(saved.value());
    const auto got = tensor_bytes(saved.value(), header, "p");
    CHECK(std::equal(got.begin(), got.end(), expected.begin(), expected.end()));
  }
  SECTION("too many bytes") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("p", Dtype::U8, {999}, chunked(100)));
    auto saved = builder.save();
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == ErrorCode::stream_wrong_byte_count);
    CHECK(saved.error().tensor == "p");
  }
  SECTION("too few bytes") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("p", Dtype::U8, {1001}, chunked(100)));
    auto saved = builder.save();
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == ErrorCode::stream_wrong_byte_count);
    CHECK(saved.error().message.find("1 bytes short") != std::string::npos);
  }
  SECTION("a failing producer") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("p", Dtype::U8, {4}, [](stguard::ByteSink&) -> stguard::Status {
      return stguard::make_error(ErrorCode::io_read_failed, "disk gone");
    }));
    auto saved = builder.save();
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == ErrorCode::producer_failed);
    CHECK(saved.error().tensor == "p");
    CHECK(saved.error().message.find("IO_READ_FAILED") != std::string::npos);
    CHECK(saved.error().message.find("disk gone") != std::string::npos);
  }
  SECTION("a throwing producer") {
    FileBuilder builder;
    REQUIRE(builder.add_tensor("p", Dtype::U8, {4}, [](stguard::ByteSink&) -> stguard::Status {
      throw std::runtime_error("boom");
    }));
    auto saved = builder.save();
    REQUIRE_FALSE(saved.ok());
    CHECK(saved.error().code == ErrorCode::producer_failed);
  }
  SECTION("an empty producer is refused at once") {
    FileBuilder builder;
    CHECK(builder.add_tensor("p", Dtype::U8, {4}, stguard::TensorProducer()).error().code ==
          ErrorCode::invalid_argument);
  }
}

TEST_CASE("serialize_header lays out a spec and returns the layout order", "[writer]") {
  stguard::HeaderSpec spec;
  spec.tensors = {{"small", Dtype::U8, {2}}, {"big", Dtype::F64, {1}}, {"mid", Dtype::F16, {3}}};
  auto serialized = stguard::serialize_header(spec);
  REQUIRE(serialized.ok());
  CHECK(serialized->layout == std::vector<std::size_t>{1, 2, 0});
  CHECK(serialized->byte_sizes == std::vector<std::uint64_t>{2, 8, 6});
  CHECK(serialized->bytes.size() == 8 + serialized->header.header_length());
  CHECK(serialized->header.data_size() == 16);
  CHECK(serialized->header.find("mid")->begin == 8);
  CHECK(stguard::checked_tensor_byte_size({"x", Dtype::F4, {6}}).value() == 3);
}
