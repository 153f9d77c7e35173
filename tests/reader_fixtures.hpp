// Fixtures for the reader, slice and st-inspect tests: valid safetensors
// files built from a list of tensors, with the exact bytes each tensor should
// read back as, and a file covering every dtype, scalars, zero-size tensors
// and data that starts at odd addresses.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "stguard/dtype.hpp"
#include "support/test_files.hpp"

namespace stguard::test {

struct TensorSpec {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<std::uint64_t> shape;
};

struct BuiltFile {
  Bytes bytes;
  std::map<std::string, Bytes> expected;  // tensor name -> its bytes
  std::vector<std::string> names;         // in layout (data) order
};

inline std::uint64_t spec_byte_size(const TensorSpec& spec) {
  std::uint64_t elements = 1;
  for (const std::uint64_t dim : spec.shape) elements *= dim;
  return elements * dtype_bits(spec.dtype) / 8;
}

// Lays the tensors out contiguously in the given order, each with its own
// byte pattern; `header_padding` spaces are appended to the header (strict
// allows them), which shifts where the data region starts.
inline BuiltFile build_file(const std::vector<TensorSpec>& tensors,
                            const std::vector<std::pair<std::string, std::string>>& metadata = {},
                            std::size_t header_padding = 0) {
  BuiltFile built;
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    for (std::size_t i = 0; i < metadata.size(); ++i) {
      if (i) header += ',';
      header += "\"" + metadata[i].first + "\":\"" + metadata[i].second + "\"";
    }
    header += "}";
  }
  Bytes data;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    const TensorSpec& spec = tensors[t];
    const std::uint64_t size = spec_byte_size(spec);
    Bytes bytes(size);
    for (std::uint64_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(t * 37 + i * 13 + 5);
    if (header.size() > 1) header += ',';
    header += "\"" + spec.name + "\":" +
              tensor_json(dtype_name(spec.dtype), spec.shape, data.size(), data.size() + size);
    data.insert(data.end(), bytes.begin(), bytes.end());
    built.expected[spec.name] = std::move(bytes);
    built.names.push_back(spec.name);
  }
  header += "}";
  header.append(header_padding, ' ');
  built.bytes = make_file(header, data);
  return built;
}

// Every dtype, a scalar and zero-size tensors of several dtypes (two of them
// at the same offset), after a 3-byte U8 tensor so that most data starts at
// an odd offset; `header_padding` moves the whole data region.
inline std::vector<TensorSpec> every_kind_of_tensor() {
  std::vector<TensorSpec> specs;
  specs.push_back({"lead_u8", Dtype::U8, {3}});
  for (unsigned order = 0; order < kDtypeCount; ++order) {
    const Dtype dtype = *dtype_from_order(order);
    const unsigned bits = dtype_bits(dtype);
    // Sub-byte dtypes need a whole number of bytes: F4 pairs, F6 quads.
    std::vector<std::uint64_t> shape = bits == 4 ? std::vector<std::uint64_t>{3, 2}
                                       : bits == 6 ? std::vector<std::uint64_t>{2, 4}
                                                   : std::vector<std::uint64_t>{2, 3};
    specs.push_back({"t_" + std::string(dtype_name(dtype)), dtype, shape});
    if (bits >= 8) specs.push_back({"scalar_" + std::string(dtype_name(dtype)), dtype, {}});
  }
  specs.push_back({"empty_f32", Dtype::F32, {0, 4}});
  specs.push_back({"empty_u8", Dtype::U8, {0}});
  specs.push_back({"empty_f4", Dtype::F4, {2, 0}});
  specs.push_back({"tail_i16", Dtype::I16, {5}});
  return specs;
}

}  // namespace stguard::test
