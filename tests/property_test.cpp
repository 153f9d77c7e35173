// Property tests over files the test builds itself with random shapes and
// dtypes (fixed seeds, so every run checks the same files):
//   * every such file is accepted by both profiles, with the tensors it was built from;
//   * every truncation and every change of the header length is rejected, never a crash;
//   * on random single-byte mutations, prefix, stream and whole-file validation
//     agree exactly, and compat accepts whatever strict accepts.
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "stguard/stream_validator.hpp"
#include "stguard/validate.hpp"
#include "support/test_files.hpp"

using namespace stguard;

namespace {

struct BuiltTensor {
  std::string name;
  Dtype dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin;
  std::uint64_t end;
};

struct BuiltFile {
  test::Bytes bytes;
  std::vector<BuiltTensor> tensors;
};

BuiltFile random_valid_file(std::mt19937_64& rng) {
  auto pick = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
  BuiltFile built;
  const std::size_t count = pick(10);
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    BuiltTensor tensor;
    tensor.name = "layer." + std::to_string(i) + (pick(2) ? ".weight" : ".b\\u00e9");
    tensor.dtype = static_cast<Dtype>(pick(kDtypeCount));
    const std::size_t rank = pick(4);
    std::uint64_t elements = 1;
    for (std::size_t d = 0; d < rank; ++d) {
      tensor.shape.push_back(pick(6));
      elements *= tensor.shape.back();
    }
    const unsigned bits = dtype_bits(tensor.dtype);
    if (bits < 8 && (elements * bits) % 8 != 0) tensor.shape.assign({8});  // whole bytes for F4/F6
    std::uint64_t n = 1;
    for (auto dim : tensor.shape) n *= dim;
    tensor.begin = offset;
    tensor.end = offset + n * bits / 8;
    offset = tensor.end;
    built.tensors.push_back(tensor);
  }
  // Write the entries in a shuffled JSON order: offsets, not text order, define the layout.
  std::vector<std::size_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::string header = "{";
  if (pick(2)) header += R"("__metadata__":{"format":"pt","seed":")" + std::to_string(pick(1000)) + "\"}";
  for (const std::size_t i : order) {
    const BuiltTensor& tensor = built.tensors[i];
    if (header.size() > 1) header += ',';
    header += "\"" + tensor.name + "\":" +
              test::tensor_json(dtype_name(tensor.dtype), tensor.shape, tensor.begin, tensor.end);
  }
  header += "}";
  header.append(pick(9), ' ');
  for (auto& tensor : built.tensors) {
    const auto escaped = tensor.name.find("\\u00e9");
    if (escaped != std::string::npos) tensor.name.replace(escaped, 6, "\xc3\xa9");
  }
  built.bytes = test::make_file(header, offset);
  return built;
}

Result<Header> stream_validate(std::span<const std::uint8_t> bytes, std::mt19937_64& rng, const Options& options) {
  StreamValidator validator(options);
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t chunk = std::uniform_int_distribution<std::size_t>(0, 40)(rng);
    const std::size_t take = std::min(chunk, bytes.size() - at);
    validator.feed(bytes.subspan(at, take));
    at += take;
  }
  return validator.finish();
}

void require_same(const Result<Header>& a, const Result<Header>& b) {
  REQUIRE(a.ok() == b.ok());
  if (a.ok()) {
    REQUIRE(a.value().tensor_count() == b.value().tensor_count());
    return;
  }
  REQUIRE(error_code_name(a.error().code) == error_code_name(b.error().code));
  REQUIRE(a.error().offset == b.error().offset);
  REQUIRE(a.error().message == b.error().message);
}

}  // namespace

TEST_CASE("random valid files are accepted with exactly their tensors", "[property]") {
  std::mt19937_64 rng(20261123);
  for (int round = 0; round < 300; ++round) {
    const BuiltFile built = random_valid_file(rng);
    for (const Profile profile : {Profile::strict, Profile::compat}) {
      const auto result = validate_file(built.bytes, Options::for_profile(profile));
      INFO("round " << round << " profile " << profile_name(profile) << " "
                    << (result.ok() ? "" : result.error().message));
      REQUIRE(result.ok());
      const Header& header = result.value();
      REQUIRE(header.tensor_count() == built.tensors.size());
      for (const BuiltTensor& tensor : built.tensors) {
        const TensorInfo* info = header.find(tensor.name);
        REQUIRE(info != nullptr);
        CHECK(info->dtype == tensor.dtype);
        CHECK(info->shape == tensor.shape);
        CHECK(info->begin == tensor.begin);
        CHECK(info->end == tensor.end);
      }
    }
  }
}

TEST_CASE("every truncation and every header-length change is rejected", "[property]") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    const BuiltFile built = random_valid_file(rng);
    const std::span<const std::uint8_t> bytes(built.bytes);
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      INFO("round " << round << " truncated to " << length);
      CHECK_FALSE(validate_file(bytes.first(length)).ok());
      CHECK_FALSE(validate_file(bytes.first(length), Options::compat()).ok());
    }
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[static_cast<std::size_t>(i)];
    std::vector<std::uint64_t> lengths;
    for (std::uint64_t delta = 1; delta <= 9; ++delta) {
      lengths.push_back(n + delta);
      if (n >= delta) lengths.push_back(n - delta);
    }
    for (int bit = 0; bit < 64; ++bit) lengths.push_back(n ^ (std::uint64_t{1} << bit));
    for (const std::uint64_t changed : lengths) {
      test::Bytes copy = built.bytes;
      for (int i = 0; i < 8; ++i) copy[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(changed >> (8 * i));
      INFO("round " << round << " N " << n << " -> " << changed);
      CHECK_FALSE(validate_file(copy).ok());
      CHECK_FALSE(validate_file(copy, Options::compat()).ok());
    }
  }
}

TEST_CASE("mutated files: prefix, stream and whole-file verdicts agree; strict implies compat", "[property]") {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 1500; ++round) {
    BuiltFile built = random_valid_file(rng);
    test::Bytes& bytes = built.bytes;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips && !bytes.empty(); ++f) {
      const std::size_t at = rng() % std::min<std::size_t>(bytes.size(), 8 + 400);
      bytes[at] = static_cast<std::uint8_t>(rng());
    }
    INFO("round " << round);
    for (const Profile profile : {Profile::strict, Profile::compat}) {
      const Options options = Options::for_profile(profile);
      const auto whole = validate_file(bytes, options);
      require_same(whole, validate_prefix(bytes, bytes.size(), options));
      require_same(whole, stream_validate(bytes, rng, options));
    }
    const auto strict = validate_file(bytes, Options::strict());
    if (strict.ok()) {
      const auto compat = validate_file(bytes, Options::compat());
      REQUIRE(compat.ok());
      REQUIRE(compat.value().tensor_count() == strict.value().tensor_count());
      for (std::size_t i = 0; i < strict.value().tensor_count(); ++i) {
        const TensorInfo& a = strict.value().tensors()[i];
        const TensorInfo& b = compat.value().tensors()[i];
        REQUIRE((a.name == b.name && a.dtype == b.dtype && a.shape == b.shape && a.begin == b.begin && a.end == b.end));
      }
    }
  }
}
