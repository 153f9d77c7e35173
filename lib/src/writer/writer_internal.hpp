// What the writer's source files share and users never see: the effective
// limits, the name and string rules, JSON string escaping exactly as the
// reference writer (serde_json) does it, and the doors into FileBuilder and
// StreamWriter that the sharded writer and the tools' helpers use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor_rules.hpp"
#include "core/utf8.hpp"
#include "stguard/error.hpp"
#include "stguard/options.hpp"
#include "stguard/stream_writer.hpp"
#include "stguard/writer.hpp"

namespace stguard::detail {

// The caller's limits, each capped at the strict default (never looser).
[[nodiscard]] Limits effective_writer_limits(const Limits& requested) noexcept;

// The strict rules for one __metadata__ entry a writer is asked to write: the
// key valid UTF-8 without control characters, the value valid UTF-8 without U+0000.
[[nodiscard]] std::optional<Error> check_metadata_entry(std::string_view key, std::string_view value);

// A JSON string literal (quotes included) for `text`, which must be valid
// UTF-8. Escapes exactly what serde_json escapes: '"', '\\', and U+0000..U+001F
// (\b \t \n \f \r short forms, others as \u00xx, lowercase hex), so a header
// is byte-identical to the reference writer's for the same input.
template <typename Container>
void append_json_string(Container& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (byte) {
      case '"': out.push_back('\\'); out.push_back('"'); continue;
      case '\\': out.push_back('\\'); out.push_back('\\'); continue;
      case '\b': out.push_back('\\'); out.push_back('b'); continue;
      case '\t': out.push_back('\\'); out.push_back('t'); continue;
      case '\n': out.push_back('\\'); out.push_back('n'); continue;
      case '\f': out.push_back('\\'); out.push_back('f'); continue;
      case '\r': out.push_back('\\'); out.push_back('r'); continue;
      default: break;
    }
    if (byte < 0x20) {
      for (const char e : {'\\', 'u', '0', '0'}) out.push_back(e);
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0xFU]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// Where one tensor's bytes come from when a builder's plan is written.
struct TensorSource {
  std::span<const std::uint8_t> bytes;      // when producer is null
  const TensorProducer* producer = nullptr;  // borrowed from the FileBuilder
};

// A FileBuilder's tensors after the whole-set checks (aliasing resolved), in
// the order they were added; sources parallel to spec.tensors.
struct ResolvedFile {
  HeaderSpec spec;
  std::vector<TensorSource> sources;
  std::vector<std::string> dropped_aliases;
};

struct FileBuilderAccess {
  // The builder's sticky error, then the aliasing check.
  [[nodiscard]] static Result<ResolvedFile> resolve(const FileBuilder& builder) noexcept;
};

struct StreamWriterAccess {
  // A stream over a header serialize_header already validated for `spec`;
  // writes the header to `sink`.
  [[nodiscard]] static Result<StreamWriter> start(ByteSink& sink, const HeaderSpec& spec,
                                                  SerializedHeader header) noexcept;
};

// Writes a validated header and then each tensor's bytes from `sources`
// (parallel to spec.tensors), in layout order, through a StreamWriter.
[[nodiscard]] Status write_file(ByteSink& sink, const HeaderSpec& spec, SerializedHeader header,
                                std::span<const TensorSource> sources) noexcept;

// Re-reads a just-written file through the validator: strict, and exactly
// the header and size that were planned. Defence in depth before a rename.
[[nodiscard]] Status verify_written_file(int fd, const Header& planned) noexcept;

}  // namespace stguard::detail
