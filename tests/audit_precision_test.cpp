// The audit's precision, as properties: no valid file gets a finding at low
// or above because of its header length (every 8-aligned length up to 64 KiB,
// so every two-byte length-prefix class, every unaligned length up to 16 KiB,
// and up to 1 MiB every length whose low bytes spell a signature a sniffer
// keys on plus a stride through the rest), and no clean file in the layouts
// of the mainstream writers gets one either, values scanned or not.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <random>

#include "audit_fixtures.hpp"
#include "finding_sink.hpp"
#include "rule_passes.hpp"
#include "stguard/audit.hpp"
#include "writer_layouts.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;
using namespace stguard::test::writer_layouts;

namespace {

// The first key of the header decides what follows the length bytes; these
// are the first keys writers put there (reference and MLX: __metadata__;
// older hash-ordered writers: any tensor name).
const std::vector<std::string> kFirstKeys = {"__metadata__", "model.embed_tokens.weight", "lm_head.weight",
                                             "transformer.h.0.attn.c_attn.bias", "0.weight", "N.weight"};

// A valid file whose header is exactly `length` bytes: a few tensors and a
// metadata value filled to size (spaces pad the last 0..7 bytes when
// `padded`, as the reference writer does). nullopt when `length` is too short.
std::optional<Bytes> file_with_header_length(std::uint64_t length, bool padded, const std::string& first_key) {
  const std::string tensors = "\"w\":" + tensor_json("F16", {2, 2}, 0, 8) + ",\"b\":" + tensor_json("F32", {2}, 8, 16);
  std::string head;
  std::string tail;
  if (first_key == "__metadata__") {
    head = "{\"__metadata__\":{\"format\":\"pt\",\"config\":\"";
    tail = "\"}," + tensors + "}";
  } else {
    head = "{\"" + first_key + "\":" + tensor_json("U8", {1}, 16, 17) + "," + tensors + ",\"__metadata__\":{\"config\":\"";
    tail = "\"}}";
  }
  const std::uint64_t fixed = head.size() + tail.size();
  const std::uint64_t pad = padded ? (length / 8) % 8 : 0;
  if (length < fixed + pad) {
    // Too short for tensors: an empty header, as a writer of no tensors makes it.
    if (length < 2) return std::nullopt;
    std::string json = "{}";
    json.resize(length, ' ');
    return make_file(json, Bytes{});
  }
  std::string json = head;
  const std::uint64_t filler = length - fixed - pad;
  static const std::string kText = "hidden_size=4096 num_layers=32 rope_theta=10000.0 vocab=32000 ";
  for (std::uint64_t i = 0; i < filler; ++i) json += kText[i % kText.size()];
  json += tail;
  json.append(pad, ' ');
  Bytes data = u16_bytes({0x3C00, 0x0000, 0x3C00, 0x3800});
  const Bytes bias = f32_bytes({0.0F, 0.5F});
  data.insert(data.end(), bias.begin(), bias.end());
  if (first_key != "__metadata__") data.push_back(1);
  return make_file(json, data);
}

// Findings at low or above, for the failure message.
std::string serious(const stguard::audit::AuditReport& report) {
  std::string out;
  for (const auto& finding : report.findings) {
    if (finding.severity >= Severity::low) out += std::string(stguard::audit::rule_id(finding.rule)) + " " + finding.message + "; ";
  }
  return out;
}

std::size_t check_lengths(const std::vector<std::uint64_t>& lengths, bool padded) {
  std::size_t audited = 0;
  for (const std::uint64_t length : lengths) {
    const std::string& first_key = kFirstKeys[(length / 8) % kFirstKeys.size()];
    const auto file = file_with_header_length(length, padded, first_key);
    if (!file) continue;
    const auto report = audit_of(*file);
    ++audited;
    if (report.verdict == stguard::audit::Verdict::invalid || report.count_at_least(Severity::low) != 0) {
      INFO("N = " << length << ", first key " << first_key << ": " << serious(report)
                  << (report.error ? report.error->message : ""));
      CHECK(report.verdict != stguard::audit::Verdict::invalid);
      CHECK(report.count_at_least(Severity::low) == 0);
    }
  }
  return audited;
}

}  // namespace

TEST_CASE("audit precision: every header length class on a valid file gives no finding at low or above",
          "[audit][precision]") {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::uint64_t> aligned;
  for (std::uint64_t length = 8; length <= 65536; length += 8) aligned.push_back(length);
  // Above 64 KiB: every length up to 1 MiB whose two low bytes are a
  // signature a sniffer keys on (pickle PROTO 2..5, "PK", zlib 78 01/5e/9c/da),
  // and every 32 KiB in between.
  for (std::uint64_t length = 65536 + 8; length <= (1U << 20U); length += 8) {
    const unsigned low = length & 0xFFU;
    const unsigned second = (length >> 8U) & 0xFFU;
    const bool sniffed = (low == 0x80 && second >= 2 && second <= 5) || (low == 'P' && second == 'K') ||
                         (low == 0x78 && (second == 0x01 || second == 0x5E || second == 0x9C || second == 0xDA));
    if (sniffed || length % 32768 == 0) aligned.push_back(length);
  }
  const std::size_t audited_aligned = check_lengths(aligned, true);
  // MLX and writers before 0.3 do not pad: every length, aligned or not, up to 16 KiB.
  std::vector<std::uint64_t> unpadded;
  for (std::uint64_t length = 2; length <= 16384; ++length) unpadded.push_back(length);
  // ... and the unaligned ones that spell gzip (1f 8b) with a valid N.
  for (std::uint64_t length = 0x8B1F; length <= (1U << 20U); length += 65536) unpadded.push_back(length);
  const std::size_t audited_unpadded = check_lengths(unpadded, false);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("header lengths audited: " << audited_aligned << " padded, " << audited_unpadded << " unpadded, in "
                                  << seconds << " s");
  CHECK(audited_aligned > 8192);
  CHECK(audited_unpadded > 16000);
}

// Only the leading-bytes rules (STG-POLY-003/004) read the length prefix as
// bytes of another format, and they see no more than kLeadingWindow bytes. So
// every length N up to 1 MiB, aligned or not, is checked exhaustively there:
// the window a valid file of header length N starts with (its 8 length bytes,
// then the first bytes of its header) gives no finding, for every first key.
// The whole-file audits above cover the rest of the audit for every N up to
// 64 KiB and a sample beyond.
TEST_CASE("audit precision: no header length up to 1 MiB makes the leading bytes another format",
          "[audit][precision]") {
  using stguard::audit::detail::check_leading_bytes;
  using stguard::audit::detail::FindingSink;
  using stguard::audit::detail::kLeadingWindow;
  const std::uint64_t kLongest = 1U << 20U;
  std::size_t windows = 0;
  for (const std::string& first_key : kFirstKeys) {
    // A long valid file's header text: the same first bytes as any file with
    // this first key whose header reaches past the window.
    const auto long_file = file_with_header_length(kLongest, false, first_key);
    REQUIRE(long_file.has_value());
    const std::uint64_t data_bytes = long_file->size() - 8 - kLongest;
    Bytes window(long_file->begin(), long_file->begin() + static_cast<std::ptrdiff_t>(kLeadingWindow));
    for (std::uint64_t length = kLeadingWindow; length <= kLongest; ++length) {
      for (std::size_t i = 0; i < 8; ++i) window[i] = static_cast<std::uint8_t>(length >> (8 * i));
      FindingSink sink(16);
      check_leading_bytes(window, 8 + length + data_bytes, sink);
      const auto findings = sink.take_findings();
      ++windows;
      if (!findings.empty()) {
        INFO("N = " << length << ", first key " << first_key << ": " << stguard::audit::rule_id(findings[0].rule)
                    << " " << findings[0].message);
        CHECK(findings.empty());
      }
    }
  }
  // The same call does report a window that is a pickle (PROTO 4, EMPTY_DICT, STOP).
  Bytes pickle(kLeadingWindow, 0);
  pickle[0] = 0x80;
  pickle[1] = 4;
  pickle[2] = '}';
  pickle[3] = '.';
  FindingSink control(16);
  check_leading_bytes(pickle, pickle.size(), control);
  CHECK_FALSE(control.take_findings().empty());
  WARN("leading windows checked: " << windows);
  CHECK(windows == kFirstKeys.size() * (kLongest - kLeadingWindow + 1));
}

TEST_CASE("audit precision: the lengths that once spelled a pickle PROTO", "[audit][precision]") {
  for (const std::uint64_t base : {640U, 896U, 1152U, 1408U}) {
    for (std::uint64_t k = 0; k < 16; ++k) {
      const std::uint64_t length = base + k * 65536;
      for (const std::string& first_key : kFirstKeys) {
        const auto report = audit_of(*file_with_header_length(length, true, first_key));
        INFO("N = " << length << ", first key " << first_key << ": " << serious(report));
        CHECK(report.verdict != stguard::audit::Verdict::invalid);
        CHECK(report.findings.empty());
      }
    }
  }
}

namespace {

// Trained-looking values: small normal floats, never NaN or Inf.
struct ValueMaker {
  std::mt19937 random;
  explicit ValueMaker(std::uint32_t seed) : random(seed) {}

  Bytes floats(const std::string& dtype, std::size_t count, float scale = 0.02F, float offset = 0.0F) {
    std::normal_distribution<float> normal(offset, scale);
    Bytes out;
    for (std::size_t i = 0; i < count; ++i) {
      const float value = normal(random);
      const auto bits = std::bit_cast<std::uint32_t>(value);
      if (dtype == "F32") {
        append_le(out, bits, 4);
      } else if (dtype == "BF16") {
        append_le(out, bits >> 16U, 2);
      } else if (dtype == "F16") {
        append_le(out, to_half(value), 2);
      } else if (dtype == "F8_E4M3") {
        out.push_back(static_cast<std::uint8_t>(random() % 0x7F) | static_cast<std::uint8_t>(random() & 0x80U));
      } else {
        append_le(out, std::bit_cast<std::uint64_t>(static_cast<double>(value)), 8);
      }
    }
    return out;
  }
  Bytes constant(const std::string& dtype, std::size_t count, float value) {
    Bytes out;
    for (std::size_t i = 0; i < count; ++i) {
      if (dtype == "F32") append_le(out, std::bit_cast<std::uint32_t>(value), 4);
      if (dtype == "BF16") append_le(out, std::bit_cast<std::uint32_t>(value) >> 16U, 2);
      if (dtype == "F16") append_le(out, to_half(value), 2);
    }
    return out;
  }
  Bytes integers(std::size_t count, int bytes, std::uint64_t modulo) {
    Bytes out;
    for (std::size_t i = 0; i < count; ++i) append_le(out, random() % modulo, bytes);
    return out;
  }
  static std::uint16_t to_half(float value) {
    // Normal-range values only (|value| in [2^-14, 65504]); 0 stays 0.
    if (value == 0.0F) return 0;
    const auto bits = std::bit_cast<std::uint32_t>(value);
    const std::uint32_t sign = (bits >> 16U) & 0x8000U;
    int exponent = static_cast<int>((bits >> 23U) & 0xFFU) - 127 + 15;
    if (exponent <= 0) return static_cast<std::uint16_t>(sign);  // flush tiny values to zero
    if (exponent >= 31) exponent = 30;
    return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(exponent) << 10U) | ((bits >> 13U) & 0x3FFU));
  }
};

// One model's tensors in the naming and dtypes of a family of writers.
std::vector<FixtureTensor> model_tensors(int family, int layers, int width, const std::string& dtype, ValueMaker& values) {
  std::vector<FixtureTensor> tensors;
  const auto n = static_cast<std::size_t>(width);
  auto add = [&](std::string name, std::string type, std::vector<std::uint64_t> shape, Bytes data) {
    tensors.push_back({std::move(name), std::move(type), std::move(shape), std::move(data)});
  };
  switch (family) {
    case 0: {  // transformers Llama-style, tied embeddings, all-ones norms
      const Bytes embedding = values.floats(dtype, 64 * n);
      add("model.embed_tokens.weight", dtype, {64, n}, embedding);
      add("lm_head.weight", dtype, {64, n}, embedding);
      for (int i = 0; i < layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
          add(p + "self_attn." + proj + ".weight", dtype, {n, n}, values.floats(dtype, n * n));
        }
        add(p + "mlp.gate_proj.weight", dtype, {2 * n, n}, values.floats(dtype, 2 * n * n));
        add(p + "mlp.down_proj.weight", dtype, {n, 2 * n}, values.floats(dtype, 2 * n * n));
        add(p + "input_layernorm.weight", dtype, {n}, values.constant(dtype, n, 1.0F));
        add(p + "post_attention_layernorm.weight", dtype, {n}, values.constant(dtype, n, 1.0F));
      }
      add("model.norm.weight", dtype, {n}, values.constant(dtype, n, 1.0F));
      break;
    }
    case 1: {  // GPT-2 style: zero biases, bool causal mask buffers, scalar masked_bias
      add("wte.weight", dtype, {64, n}, values.floats(dtype, 64 * n));
      add("wpe.weight", dtype, {32, n}, values.floats(dtype, 32 * n));
      for (int i = 0; i < layers; ++i) {
        const std::string p = "h." + std::to_string(i) + ".";
        add(p + "attn.c_attn.weight", dtype, {n, 3 * n}, values.floats(dtype, 3 * n * n));
        add(p + "attn.c_attn.bias", dtype, {3 * n}, values.constant(dtype, 3 * n, 0.0F));
        Bytes mask;
        for (std::size_t r = 0; r < 8; ++r) {
          for (std::size_t c = 0; c < 8; ++c) mask.push_back(c <= r ? 1 : 0);
        }
        add(p + "attn.bias", "BOOL", {1, 1, 8, 8}, mask);
        add(p + "attn.masked_bias", "F32", {}, f32_bytes({-10000.0F}));
        add(p + "ln_1.weight", dtype, {n}, values.constant(dtype, n, 1.0F));
        add(p + "ln_1.bias", dtype, {n}, values.constant(dtype, n, 0.0F));
      }
      break;
    }
    case 2: {  // PEFT LoRA adapter: lora_B starts at zero
      for (int i = 0; i < layers; ++i) {
        const std::string p = "base_model.model.model.layers." + std::to_string(i) + ".self_attn.";
        for (const char* proj : {"q_proj", "v_proj"}) {
          add(p + proj + ".lora_A.weight", dtype, {8, n}, values.floats(dtype, 8 * n));
          add(p + proj + ".lora_B.weight", dtype, {n, 8}, values.constant(dtype, 8 * n, 0.0F));
        }
      }
      break;
    }
    case 3: {  // GPTQ / AWQ 4-bit: packed I32, F16 scales, g_idx
      for (int i = 0; i < layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".self_attn.q_proj.";
        add(p + "qweight", "I32", {n / 8, n}, values.integers(n * n / 8, 4, 1ULL << 32U));
        add(p + "qzeros", "I32", {1, n / 8}, values.integers(n / 8, 4, 1ULL << 32U));
        add(p + "scales", "F16", {1, n}, values.floats("F16", n, 0.01F, 0.05F));
        add(p + "g_idx", "I32", {n}, Bytes(n * 4, 0));
        add(p + "bias", "F16", {n}, values.constant("F16", n, 0.0F));
      }
      break;
    }
    case 4: {  // MLX 4-bit: U32 packed weights, scales and biases per group
      for (int i = 0; i < layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".mlp.up_proj.";
        add(p + "weight", "U32", {n, n / 8}, values.integers(n * n / 8, 4, 1ULL << 32U));
        add(p + "scales", "BF16", {n, 1}, values.floats("BF16", n, 0.01F, 0.05F));
        add(p + "biases", "BF16", {n, 1}, values.floats("BF16", n, 0.01F));
      }
      break;
    }
    case 5: {  // BatchNorm / vision: I64 scalar counters, running stats, Keras-style names
      for (int i = 0; i < layers; ++i) {
        const std::string p = "features." + std::to_string(i) + ".";
        add(p + "conv/kernel", dtype, {n, 3, 3, 3}, values.floats(dtype, n * 27));
        add(p + "bn.running_mean", "F32", {n}, values.floats("F32", n));
        add(p + "bn.running_var", "F32", {n}, values.constant("F32", n, 1.0F));
        add(p + "bn.num_batches_tracked", "I64", {}, Bytes{0x10, 0x27, 0, 0, 0, 0, 0, 0});
      }
      add("classifier.weight", "F8_E4M3", {10, n}, values.floats("F8_E4M3", 10 * n));
      add("classifier.bias", "I8", {10}, Bytes(10, 0));
      break;
    }
    default: {  // kohya-style Stable Diffusion LoRA: scalar alphas, underscored names
      for (int i = 0; i < layers; ++i) {
        const std::string p = "lora_unet_down_blocks_" + std::to_string(i) + "_attentions_0_proj_in.";
        add(p + "lora_down.weight", dtype, {4, n}, values.floats(dtype, 4 * n));
        add(p + "lora_up.weight", dtype, {n, 4}, values.floats(dtype, 4 * n));
        add(p + "alpha", dtype, {}, values.constant(dtype, 1, 4.0F));
      }
      break;
    }
  }
  return tensors;
}

// Metadata as each family's writer stores it.
Metadata model_metadata(int family, Writer writer, int seed) {
  if (writer == Writer::mlx) return seed % 2 == 0 ? Metadata{} : Metadata{{"format", "mlx"}};
  if (family == 6) {
    // kohya sd-scripts: JSON in values, user text with emoji (ZWJ, variation
    // selectors) and right-to-left words with direction marks.
    return {{"ss_network_module", "networks.lora"},
            {"ss_tag_frequency", "{\"img\": {\"cat \u2764\ufe0f\": 3, \"family \U0001F468\u200d\U0001F469\u200d\U0001F467\": 1}}"},
            {"ss_training_comment", "\u05e9\u05dc\u05d5\u05dd\u200f (hebrew) \u0633\u0644\u0627\u0645\u200c"},
            {"modelspec.thumbnail", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"},
            {"modelspec.title", "my lora"}};
  }
  if (family == 3) return {{"format", "pt"}, {"quantization", "gptq"}};
  return seed % 3 == 0 ? Metadata{} : Metadata{{"format", "pt"}};
}

}  // namespace

TEST_CASE("audit precision: clean files in the layouts of mainstream writers give no finding at low or above",
          "[audit][precision]") {
  const auto started = std::chrono::steady_clock::now();
  std::size_t files = 0;
  std::size_t info_findings = 0;
  for (const Writer writer : {Writer::reference, Writer::pre_0_3, Writer::mlx, Writer::minimal}) {
    for (int family = 0; family <= 6; ++family) {
      for (const std::string dtype : {"F32", "F16", "BF16"}) {
        for (int seed = 0; seed < 24; ++seed) {
          ValueMaker values(static_cast<std::uint32_t>(seed * 7919 + family * 31 + 1));
          const int layers = 1 + seed % 4;
          const int width = 8 * (1 + seed % 5);
          auto tensors = model_tensors(family, layers, width, dtype, values);
          if (writer == Writer::mlx) {
            // MLX refuses empty arrays and writes what it holds; nothing else changes.
            std::erase_if(tensors, [](const FixtureTensor& tensor) { return tensor.data.empty(); });
          }
          const Bytes file = write_as(writer, tensors, model_metadata(family, writer, seed));
          for (const bool scan : {false, true}) {
            stguard::audit::AuditOptions options;
            options.scan_values = scan;
            options.threads = 1;
            const auto report = audit_of(file, options);
            ++files;
            info_findings += report.findings.size();
            if (report.verdict == stguard::audit::Verdict::invalid || report.count_at_least(Severity::low) != 0) {
              INFO(writer_name(writer) << " family " << family << " " << dtype << " seed " << seed
                                       << (scan ? " --values" : "") << ": " << serious(report)
                                       << (report.error ? report.error->message : ""));
              CHECK(report.verdict != stguard::audit::Verdict::invalid);
              CHECK(report.count_at_least(Severity::low) == 0);
            }
          }
        }
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("clean writer corpus: " << files << " audits (" << files / 2 << " files, with and without values), "
                               << info_findings << " info findings, in " << seconds << " s");
  CHECK(files == 4 * 7 * 3 * 24 * 2);
  CHECK(info_findings > 0);  // tied weights, zero biases, unpadded headers are seen, as info
}

TEST_CASE("audit precision: transformers-style sharded checkpoints give no finding at low or above",
          "[audit][precision]") {
  std::size_t sets = 0;
  for (int family = 0; family <= 3; ++family) {
    for (int shards = 1; shards <= 3; ++shards) {
      ValueMaker values(static_cast<std::uint32_t>(family * 10 + shards));
      const auto tensors = model_tensors(family, 3, 16, "BF16", values);
      // transformers fills shards in state-dict order and writes a sorted
      // weight_map with total_size (and, since 4.46, total_parameters).
      TempDir dir;
      std::vector<std::vector<FixtureTensor>> parts(static_cast<std::size_t>(shards));
      for (std::size_t i = 0; i < tensors.size(); ++i) parts[i * parts.size() / tensors.size()].push_back(tensors[i]);
      std::vector<std::pair<std::string, std::string>> weight_map;
      std::uint64_t total_size = 0;
      std::uint64_t total_parameters = 0;
      for (std::size_t s = 0; s < parts.size(); ++s) {
        char name[64];
        std::snprintf(name, sizeof name, "model-%05zu-of-%05d.safetensors", s + 1, shards);
        dir.write(name, write_as(Writer::reference, parts[s], {{"format", "pt"}}));
        for (const FixtureTensor& tensor : parts[s]) {
          weight_map.emplace_back(tensor.name, name);
          total_size += tensor.data.size();
          total_parameters += tensor.data.size() / dtype_bytes(tensor.dtype);
        }
      }
      std::sort(weight_map.begin(), weight_map.end());
      std::string index = "{\"metadata\":{\"total_parameters\":" + std::to_string(total_parameters) +
                          ",\"total_size\":" + std::to_string(total_size) + "},\"weight_map\":{";
      for (std::size_t i = 0; i < weight_map.size(); ++i) {
        index += (i ? ",\"" : "\"") + weight_map[i].first + "\":\"" + weight_map[i].second + "\"";
      }
      index += "}}";
      const auto path = dir.write("model.safetensors.index.json", as_bytes(index));
      stguard::audit::AuditOptions options;
      options.scan_values = true;
      auto reports = stguard::audit::audit_index(path.string(), options);
      REQUIRE(reports.ok());
      CHECK(reports->size() == parts.size() + 1);
      for (const auto& report : *reports) {
        INFO(report.path << ": " << serious(report));
        CHECK(report.verdict != stguard::audit::Verdict::invalid);
        CHECK(report.count_at_least(Severity::low) == 0);
      }
      ++sets;
    }
  }
  CHECK(sets == 12);
}
