// The benchmark corpus (bench_files.hpp): model layouts and value generators.
// Shapes are those of the public model cards; values are a cheap, seeded
// approximation of trained weights, enough for the value scan to do its work.
#include "bench_files.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace stguard::bench {
namespace {

// xorshift64*: fast, deterministic, good enough for filler values.
class Random {
 public:
  explicit Random(std::uint64_t seed) noexcept : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t next() noexcept {
    state_ ^= state_ >> 12U;
    state_ ^= state_ << 25U;
    state_ ^= state_ >> 27U;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  // Roughly normal with standard deviation `sigma`: the sum of four 16-bit
  // uniforms (Irwin-Hall) from one draw, which is all a weight filler needs.
  float weight(float sigma) noexcept {
    const std::uint64_t bits = next();
    const auto sum = static_cast<float>((bits & 0xFFFFU) + ((bits >> 16U) & 0xFFFFU) + ((bits >> 32U) & 0xFFFFU) +
                                        (bits >> 48U));
    // Mean 2 * 65535.5, standard deviation 65536 * sqrt(4 / 12).
    return (sum - 131071.0F) * (sigma / 37837.2F);
  }

 private:
  std::uint64_t state_;
};

void put_le(std::span<std::uint8_t> out, std::size_t at, std::uint64_t value, std::size_t width) noexcept {
  for (std::size_t i = 0; i < width; ++i) out[at + i] = static_cast<std::uint8_t>(value >> (8U * i));
}

std::uint16_t float_to_bf16(float value) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  return static_cast<std::uint16_t>((bits + 0x7FFFU + ((bits >> 16U) & 1U)) >> 16U);  // round to nearest even
}

// Finite inputs of small magnitude only (the filler's): no NaN/Inf handling.
std::uint16_t float_to_f16(float value) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16U) & 0x8000U);
  const int exponent = static_cast<int>((bits >> 23U) & 0xFFU) - 127 + 15;
  if (exponent <= 0) return sign;  // below the smallest normal half: flush to zero
  if (exponent >= 31) return static_cast<std::uint16_t>(sign | 0x7BFFU);  // clamp to the largest finite
  const std::uint32_t mantissa = (bits >> 13U) & 0x3FFU;
  return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(exponent) << 10U) | mantissa);
}

std::string layer(std::size_t index) { return std::to_string(index); }

void add(HeaderSpec& spec, std::string name, Dtype dtype, std::vector<std::uint64_t> shape) {
  spec.tensors.push_back(TensorSpec{std::move(name), dtype, std::move(shape)});
}

}  // namespace

HeaderSpec gpt2_small() {
  // Hugging Face "gpt2": n_embd 768, n_layer 12, n_ctx 1024, vocab 50257.
  constexpr std::uint64_t kEmbed = 768;
  HeaderSpec spec;
  spec.metadata.push_back(MetadataEntry{"format", "pt"});
  add(spec, "wte.weight", Dtype::F32, {50257, kEmbed});
  add(spec, "wpe.weight", Dtype::F32, {1024, kEmbed});
  for (std::size_t i = 0; i < 12; ++i) {
    const std::string h = "h." + layer(i) + ".";
    add(spec, h + "ln_1.weight", Dtype::F32, {kEmbed});
    add(spec, h + "ln_1.bias", Dtype::F32, {kEmbed});
    add(spec, h + "attn.c_attn.weight", Dtype::F32, {kEmbed, 3 * kEmbed});
    add(spec, h + "attn.c_attn.bias", Dtype::F32, {3 * kEmbed});
    add(spec, h + "attn.c_proj.weight", Dtype::F32, {kEmbed, kEmbed});
    add(spec, h + "attn.c_proj.bias", Dtype::F32, {kEmbed});
    add(spec, h + "ln_2.weight", Dtype::F32, {kEmbed});
    add(spec, h + "ln_2.bias", Dtype::F32, {kEmbed});
    add(spec, h + "mlp.c_fc.weight", Dtype::F32, {kEmbed, 4 * kEmbed});
    add(spec, h + "mlp.c_fc.bias", Dtype::F32, {4 * kEmbed});
    add(spec, h + "mlp.c_proj.weight", Dtype::F32, {4 * kEmbed, kEmbed});
    add(spec, h + "mlp.c_proj.bias", Dtype::F32, {kEmbed});
  }
  add(spec, "ln_f.weight", Dtype::F32, {kEmbed});
  add(spec, "ln_f.bias", Dtype::F32, {kEmbed});
  return spec;
}

HeaderSpec llama_7b() {
  // Llama-2-7B: hidden 4096, intermediate 11008, 32 layers, vocab 32000.
  constexpr std::uint64_t kHidden = 4096;
  constexpr std::uint64_t kFfn = 11008;
  HeaderSpec spec;
  spec.metadata.push_back(MetadataEntry{"format", "pt"});
  add(spec, "model.embed_tokens.weight", Dtype::BF16, {32000, kHidden});
  for (std::size_t i = 0; i < 32; ++i) {
    const std::string l = "model.layers." + layer(i) + ".";
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
      add(spec, l + "self_attn." + proj + ".weight", Dtype::BF16, {kHidden, kHidden});
    }
    add(spec, l + "mlp.gate_proj.weight", Dtype::BF16, {kFfn, kHidden});
    add(spec, l + "mlp.up_proj.weight", Dtype::BF16, {kFfn, kHidden});
    add(spec, l + "mlp.down_proj.weight", Dtype::BF16, {kHidden, kFfn});
    add(spec, l + "input_layernorm.weight", Dtype::BF16, {kHidden});
    add(spec, l + "post_attention_layernorm.weight", Dtype::BF16, {kHidden});
  }
  add(spec, "model.norm.weight", Dtype::BF16, {kHidden});
  add(spec, "lm_head.weight", Dtype::BF16, {32000, kHidden});
  return spec;
}

HeaderSpec many_tensors(std::size_t count) {
  // A deep mixture-of-experts stack: per layer 4 attention projections, 2
  // norms, a router and 8 experts x 3 projections (31 tensors), as many
  // layers as needed. Shapes are small so the data stays a few hundred MB.
  HeaderSpec spec;
  spec.metadata.push_back(MetadataEntry{"format", "pt"});
  spec.tensors.reserve(count);
  for (std::size_t l = 0; spec.tensors.size() < count; ++l) {
    const std::string prefix = "model.layers." + layer(l) + ".";
    std::vector<TensorSpec> one_layer;
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
      one_layer.push_back({prefix + "self_attn." + proj + ".weight", Dtype::BF16, {64, 64}});
    }
    one_layer.push_back({prefix + "input_layernorm.weight", Dtype::BF16, {64}});
    one_layer.push_back({prefix + "post_attention_layernorm.weight", Dtype::BF16, {64}});
    one_layer.push_back({prefix + "mlp.gate.weight", Dtype::BF16, {8, 64}});
    for (std::size_t e = 0; e < 8; ++e) {
      const std::string expert = prefix + "mlp.experts." + std::to_string(e) + ".";
      one_layer.push_back({expert + "gate_proj.weight", Dtype::BF16, {32, 64}});
      one_layer.push_back({expert + "up_proj.weight", Dtype::BF16, {32, 64}});
      one_layer.push_back({expert + "down_proj.weight", Dtype::BF16, {64, 32}});
    }
    for (auto& tensor : one_layer) {
      if (spec.tensors.size() == count) break;
      spec.tensors.push_back(std::move(tensor));
    }
  }
  return spec;
}

HeaderSpec growing_data(std::uint64_t data_bytes) {
  constexpr std::uint64_t kColumns = 256;
  constexpr std::uint64_t kTensors = 32 * 9;
  constexpr std::uint64_t kRowBytes = kTensors * kColumns * 2;  // one row of every tensor
  const std::uint64_t rows = std::max<std::uint64_t>(1, (data_bytes + kRowBytes / 2) / kRowBytes);
  HeaderSpec spec;
  spec.metadata.push_back(MetadataEntry{"format", "pt"});
  for (std::size_t i = 0; i < 32; ++i) {
    const std::string l = "model.layers." + layer(i) + ".";
    for (const char* name : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                             "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm",
                             "post_attention_layernorm"}) {
      add(spec, l + name + ".weight", Dtype::BF16, {rows, kColumns});
    }
  }
  return spec;
}

HeaderSpec all_dtypes() {
  HeaderSpec spec;
  for (unsigned order = 0; order < kDtypeCount; ++order) {
    const Dtype dtype = *dtype_from_order(order);
    add(spec, "t." + std::string(dtype_name(dtype)), dtype, {64, 64});
  }
  return spec;
}

HeaderSpec small_mlp() {
  HeaderSpec spec;
  spec.metadata.push_back(MetadataEntry{"format", "pt"});
  add(spec, "fc1.weight", Dtype::F32, {64, 32});
  add(spec, "fc1.bias", Dtype::F32, {64});
  add(spec, "fc2.weight", Dtype::F32, {32, 64});
  add(spec, "fc2.bias", Dtype::F32, {32});
  add(spec, "norm.weight", Dtype::F32, {32});
  add(spec, "norm.bias", Dtype::F32, {32});
  add(spec, "head.weight", Dtype::F32, {10, 32});
  add(spec, "head.bias", Dtype::F32, {10});
  return spec;
}

std::uint64_t tensor_bytes(const TensorSpec& tensor) {
  auto size = checked_tensor_byte_size(tensor);
  if (!size) {
    std::fprintf(stderr, "bench corpus bug: tensor %s: %s\n", tensor.name.c_str(), size.error().message.c_str());
    std::abort();
  }
  return *size;
}

std::uint64_t data_bytes(const HeaderSpec& spec) {
  std::uint64_t total = 0;
  for (const TensorSpec& tensor : spec.tensors) total += tensor_bytes(tensor);
  return total;
}

void fill_values(Dtype dtype, std::uint64_t seed, std::span<std::uint8_t> out) noexcept {
  Random random(seed);
  const std::size_t size = out.size();
  switch (dtype) {
    case Dtype::F32:
    case Dtype::C64:
      for (std::size_t at = 0; at + 4 <= size; at += 4) {
        put_le(out, at, std::bit_cast<std::uint32_t>(random.weight(0.02F)), 4);
      }
      return;
    case Dtype::F64:
      for (std::size_t at = 0; at + 8 <= size; at += 8) {
        put_le(out, at, std::bit_cast<std::uint64_t>(static_cast<double>(random.weight(0.02F))), 8);
      }
      return;
    case Dtype::BF16:
      for (std::size_t at = 0; at + 2 <= size; at += 2) put_le(out, at, float_to_bf16(random.weight(0.02F)), 2);
      return;
    case Dtype::F16:
      for (std::size_t at = 0; at + 2 <= size; at += 2) put_le(out, at, float_to_f16(random.weight(0.02F)), 2);
      return;
    case Dtype::BOOL:
      for (std::size_t at = 0; at < size; ++at) out[at] = static_cast<std::uint8_t>(random.next() >> 63U);
      return;
    case Dtype::F8_E5M2:
    case Dtype::F8_E4M3:
      // Exponent field kept small: finite values of either sign, never NaN/Inf.
      for (std::size_t at = 0; at < size; ++at) out[at] = static_cast<std::uint8_t>(random.next() >> 56U) & 0xBFU;
      return;
    case Dtype::F8_E4M3FNUZ:
    case Dtype::F8_E5M2FNUZ:
    case Dtype::F8_E8M0:
      // 0x80 is NaN in the FNUZ kinds and 0xFF in E8M0: stay below 0x40.
      for (std::size_t at = 0; at < size; ++at) out[at] = static_cast<std::uint8_t>(random.next() >> 58U);
      return;
    default: {
      // Integers (small magnitudes, like token ids or quantised weights) and
      // the sub-byte floats F4/F6, which have no NaN or Inf encodings.
      const std::size_t width = std::max<std::size_t>(1, dtype_bits(dtype) / 8);
      for (std::size_t at = 0; at + width <= size; at += width) put_le(out, at, random.next() % 1000U, width);
      if (dtype_bits(dtype) < 8) {
        for (std::size_t at = 0; at < size; ++at) out[at] = static_cast<std::uint8_t>(random.next() >> 56U);
      }
      return;
    }
  }
}

std::string size_label(std::uint64_t bytes) {
  constexpr std::uint64_t kGB = 1'000'000'000;
  constexpr std::uint64_t kMB = 1'000'000;
  if (bytes >= kGB && bytes % kGB == 0) return std::to_string(bytes / kGB) + "GB";
  return std::to_string(bytes / kMB) + "MB";
}

std::vector<std::uint64_t> growing_sizes() {
  return {1'000'000, 16'000'000, 256'000'000, 1'000'000'000, 8'000'000'000};
}

std::vector<std::size_t> header_series_counts() { return {1'000, 20'000, 200'000}; }

std::string header_series_name(std::size_t count) {
  return "headers-" + std::to_string(count / 1000) + "k.safetensors";
}

std::string growing_name(std::uint64_t bytes) { return "grow-" + size_label(bytes) + ".safetensors"; }

}  // namespace stguard::bench
