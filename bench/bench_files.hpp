// The benchmark corpus: the layouts of the named files every benchmark and
// docs/PERFORMANCE.md refer to, and the deterministic values that fill them.
//
// Layouts are plain HeaderSpecs (writer.hpp), so the generator lays them out
// with the library's own writer (serialize_header for the sparse files,
// FileBuilder for files whose data is written) and the header bytes are the
// canonical ones a real writer would emit. Names and shapes copy real models
// (GPT-2 small, Llama-7B, a mixture-of-experts stack) because header cost
// depends on the text: name lengths, digit counts, rank.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stguard/writer.hpp"

namespace stguard::bench {

// One named file of the corpus.
struct BenchFile {
  std::string file_name;  // inside the work folder
  HeaderSpec spec;
  bool sparse = false;    // data made with ftruncate (never read by a benchmark)
};

// GPT-2 small (124M parameters, F32): 148 tensors named as in the Hugging
// Face checkpoint (wte, wpe, h.N.attn.c_attn.weight, ...), 498 MB of data.
[[nodiscard]] HeaderSpec gpt2_small();
// Llama-7B in BF16 in one file: 291 tensors, 13.5 GB (sparse).
[[nodiscard]] HeaderSpec llama_7b();
// `count` tensors of a mixture-of-experts stack (model.layers.L.mlp.experts.E.
// gate_proj.weight, ...) with small BF16 shapes: the header is the point.
[[nodiscard]] HeaderSpec many_tensors(std::size_t count);
// The same 288 Llama-like tensor names with BF16 shapes [rows, 256] scaled so
// the data region is about `data_bytes`: a header of constant size in front
// of a data region that grows.
[[nodiscard]] HeaderSpec growing_data(std::uint64_t data_bytes);
// One tensor of each of the 22 dtypes, 4096 elements each.
[[nodiscard]] HeaderSpec all_dtypes();
// A small MLP checkpoint (8 tensors, about 20 KB): the st-validate process test.
[[nodiscard]] HeaderSpec small_mlp();

// Sum of the tensors' byte sizes (aborts on an invalid spec: corpus bug).
[[nodiscard]] std::uint64_t data_bytes(const HeaderSpec& spec);
// Byte size of one tensor of the spec.
[[nodiscard]] std::uint64_t tensor_bytes(const TensorSpec& tensor);

// Fills `out` with deterministic, plausible values of `dtype` (weights of
// standard deviation ~0.02 for float types, small integers, 0/1 for BOOL),
// seeded by `seed`. Never produces NaN or Inf, so the value scan does its
// full work and reports nothing.
void fill_values(Dtype dtype, std::uint64_t seed, std::span<std::uint8_t> out) noexcept;

// Human-readable size of the growing series ("1MB", "8GB"): decimal units.
[[nodiscard]] std::string size_label(std::uint64_t bytes);

// The sizes of the growing series: 1 MB, 16 MB, 256 MB, 1 GB, 8 GB.
[[nodiscard]] std::vector<std::uint64_t> growing_sizes();
// The tensor counts of the header series.
[[nodiscard]] std::vector<std::size_t> header_series_counts();

// File names, shared by the generator, the benchmarks and bench/run.sh.
[[nodiscard]] std::string header_series_name(std::size_t count);  // "headers-1k.safetensors"
[[nodiscard]] std::string growing_name(std::uint64_t bytes);      // "grow-8GB.safetensors"
inline constexpr const char* kGpt2Name = "gpt2-small.safetensors";
inline constexpr const char* kLlamaName = "llama-7b-bf16.safetensors";
inline constexpr const char* kAllDtypesName = "all-dtypes.safetensors";
inline constexpr const char* kSmallDir = "small";  // 1,000 copies of small_mlp()
inline constexpr std::size_t kSmallFileCount = 1000;

}  // namespace stguard::bench
