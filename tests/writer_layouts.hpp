// Safetensors files laid out the way mainstream writers lay them out, for the
// audit's precision tests (docs/audit-rules.md, "What mainstream writers
// produce", has the evidence for each layout):
//   reference  safetensors >= 0.3 (also candle, transformers' shards, PEFT):
//              tensors sorted by dtype size (largest first) then name, header
//              in that order with __metadata__ first, padded with spaces to 8;
//   pre_0_3    safetensors < 0.3: no padding, tensors in name order;
//   mlx        MLX save_safetensors (checked against mlx 0.32.4): keys and
//              tensor fields sorted bytewise (nlohmann::json), data in
//              hash-map order, no padding, "__metadata__": null when empty;
//   minimal    small hand or JavaScript writers: insertion order, no padding.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit_fixtures.hpp"
#include "stguard/dtype.hpp"

namespace stguard::test::writer_layouts {

using audit_fixtures::FixtureTensor;
using Metadata = std::vector<std::pair<std::string, std::string>>;

enum class Writer { reference, pre_0_3, mlx, minimal };

inline std::string_view writer_name(Writer writer) {
  switch (writer) {
    case Writer::reference: return "reference";
    case Writer::pre_0_3: return "pre-0.3";
    case Writer::mlx: return "mlx";
    case Writer::minimal: return "minimal";
  }
  return "?";
}

inline unsigned dtype_bytes(const std::string& dtype) {
  const auto parsed = dtype_from_name(dtype);
  return parsed ? dtype_alignment(*parsed) : 1;
}

// A stand-in for unordered_map iteration order: deterministic, unrelated to names' order.
inline std::uint64_t hash_order(const std::string& name) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : name) hash = (hash ^ static_cast<std::uint8_t>(c)) * 1099511628211ULL;
  return hash;
}

inline std::string metadata_json(const Metadata& metadata) {
  std::string json = "{";
  for (std::size_t i = 0; i < metadata.size(); ++i) {
    if (i) json += ',';
    json += "\"" + escape_json(metadata[i].first) + "\":\"" + escape_json(metadata[i].second) + "\"";
  }
  return json + "}";
}

// MLX's nlohmann::json sorts the fields of a tensor too: data_offsets, dtype, shape.
inline std::string mlx_tensor_json(const FixtureTensor& tensor, std::pair<std::uint64_t, std::uint64_t> offsets) {
  std::string shape;
  for (std::size_t i = 0; i < tensor.shape.size(); ++i) shape += (i ? "," : "") + std::to_string(tensor.shape[i]);
  return "{\"data_offsets\":[" + std::to_string(offsets.first) + "," + std::to_string(offsets.second) +
         "],\"dtype\":\"" + tensor.dtype + "\",\"shape\":[" + shape + "]}";
}

// The file `writer` would write for `tensors` and `metadata`.
inline Bytes write_as(Writer writer, std::vector<FixtureTensor> tensors, const Metadata& metadata) {
  // Data order.
  std::vector<std::size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), 0);
  auto by_name = [&](std::size_t a, std::size_t b) { return tensors[a].name < tensors[b].name; };
  switch (writer) {
    case Writer::reference:
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const unsigned left = dtype_bytes(tensors[a].dtype);
        const unsigned right = dtype_bytes(tensors[b].dtype);
        return left != right ? left > right : tensors[a].name < tensors[b].name;
      });
      break;
    case Writer::pre_0_3: std::sort(order.begin(), order.end(), by_name); break;
    case Writer::mlx:
      std::sort(order.begin(), order.end(),
                [&](std::size_t a, std::size_t b) { return hash_order(tensors[a].name) < hash_order(tensors[b].name); });
      break;
    case Writer::minimal: break;
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> offsets(tensors.size());
  Bytes data;
  for (const std::size_t index : order) {
    offsets[index] = {data.size(), data.size() + tensors[index].data.size()};
    data.insert(data.end(), tensors[index].data.begin(), tensors[index].data.end());
  }
  // Header order: data order, except MLX's sorted map.
  std::vector<std::pair<std::string, std::string>> entries;
  const bool with_metadata = !metadata.empty() || writer == Writer::mlx;
  if (with_metadata) entries.emplace_back("__metadata__", metadata.empty() ? "null" : metadata_json(metadata));
  for (const std::size_t index : order) {
    const FixtureTensor& tensor = tensors[index];
    entries.emplace_back(tensor.name, writer == Writer::mlx ? mlx_tensor_json(tensor, offsets[index])
                                                            : tensor_json(tensor.dtype, tensor.shape,
                                                                          offsets[index].first, offsets[index].second));
  }
  if (writer == Writer::mlx) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  std::string json = "{";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i) json += ',';
    json += "\"" + escape_json(entries[i].first) + "\":" + entries[i].second;
  }
  json += '}';
  if (writer == Writer::reference) {
    while (json.size() % 8 != 0) json += ' ';
  }
  return make_file(json, data);
}

}  // namespace stguard::test::writer_layouts
