// Metadata rules: __metadata__ entries that are oversized, carry control or
// binary content, or carry another file format (raw or base64-encoded).
// Metadata is small next to tensors and is what hubs and scanners display,
// which makes it both a hiding place and a way into someone's terminal.
#include <algorithm>
#include <array>
#include <string_view>

#include "rule_passes.hpp"
#include "stguard/escape.hpp"
#include "payload_scan.hpp"
#include "pickle_probe.hpp"
#include "text_scan.hpp"
#include "zip_probe.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::size_t kMaxKeyBytes = 256;
constexpr std::size_t kMaxValueBytes = std::size_t{1} << 20U;
// Base64 is only recognised on a run this long: short words that happen to
// start like a signature ("TVp...") are not payloads.
constexpr std::size_t kMinBase64Run = 16;

// What the decoded bytes must be for a base64 signature to count.
enum class Framing : std::uint8_t {
  signature,     // the signature alone (formats without a cheap structural check)
  pickle,        // a pickle reader accepts the stream (pickle_probe.hpp)
  zip_local,     // a ZIP local header whose fields describe an entry (zip_probe.hpp)
  zip_end,       // an end-of-central-directory record whose comment fits
  elf,           // an ELF identification: class 1/2, data 1/2, version 1
};

struct Signature {
  std::string_view prefix;
  std::string_view format;
  Severity severity;
  Framing framing = Framing::signature;
};

// Raw signatures that can appear in a JSON string (every byte is valid UTF-8
// or an escaped control character), searched anywhere in a key or value.
constexpr std::array kRawAnywhere{
    Signature{"PK\x03\x04"sv, "ZIP local file header", Severity::high, Framing::zip_local},
    Signature{"PK\x05\x06"sv, "ZIP end of central directory", Severity::high, Framing::zip_end},
    Signature{"\x7f" "ELF"sv, "ELF executable", Severity::high, Framing::elf},
};
// Raw signatures that only mean something at the start of a value.
constexpr std::array kRawAtStart{
    Signature{"%PDF-"sv, "PDF document", Severity::medium},
};
// Base64 encodings of the first bytes of foreign formats.
constexpr std::array kBase64AtStart{
    Signature{"UEsDB"sv, "ZIP archive (base64)", Severity::high, Framing::zip_local},
    Signature{"UEsFBg"sv, "ZIP archive (base64)", Severity::high},
    Signature{"gAI"sv, "pickle protocol 2 (base64)", Severity::high, Framing::pickle},
    Signature{"gAJ"sv, "pickle protocol 2 (base64)", Severity::high, Framing::pickle},
    Signature{"gAK"sv, "pickle protocol 2 (base64)", Severity::high, Framing::pickle},
    Signature{"gAL"sv, "pickle protocol 2 (base64)", Severity::high, Framing::pickle},
    Signature{"gAM"sv, "pickle protocol 3 (base64)", Severity::high, Framing::pickle},
    Signature{"gAN"sv, "pickle protocol 3 (base64)", Severity::high, Framing::pickle},
    Signature{"gAO"sv, "pickle protocol 3 (base64)", Severity::high, Framing::pickle},
    Signature{"gAP"sv, "pickle protocol 3 (base64)", Severity::high, Framing::pickle},
    Signature{"gAQ"sv, "pickle protocol 4 (base64)", Severity::high, Framing::pickle},
    Signature{"gAR"sv, "pickle protocol 4 (base64)", Severity::high, Framing::pickle},
    Signature{"gAS"sv, "pickle protocol 4 (base64)", Severity::high, Framing::pickle},
    Signature{"gAT"sv, "pickle protocol 4 (base64)", Severity::high, Framing::pickle},
    Signature{"gAU"sv, "pickle protocol 5 (base64)", Severity::high, Framing::pickle},
    Signature{"gAV"sv, "pickle protocol 5 (base64)", Severity::high, Framing::pickle},
    Signature{"gAW"sv, "pickle protocol 5 (base64)", Severity::high, Framing::pickle},
    Signature{"gAX"sv, "pickle protocol 5 (base64)", Severity::high, Framing::pickle},
    Signature{"f0VMR"sv, "ELF executable (base64)", Severity::high},
    // "MZ\x90\x00": the DOS stub every PE linker writes; "TV" alone would
    // match ordinary base64 text.
    Signature{"TVqQ"sv, "Windows executable (base64)", Severity::high},
    Signature{"H4sI"sv, "gzip stream (base64)", Severity::medium},
    Signature{"KLUv/"sv, "zstd stream (base64)", Severity::medium},
    Signature{"N3q8ryc"sv, "7-Zip archive (base64)", Severity::medium},
    Signature{"iUhERg"sv, "HDF5 file (base64)", Severity::medium},
    Signature{"JVBERi0"sv, "PDF document (base64)", Severity::medium},
    Signature{"k05VTVBZ"sv, "NumPy array file (base64)", Severity::medium},
};

// Bounds the decoding a base64 signature check does (it only needs the start).
constexpr std::size_t kMaxDecodedBytes = 64 * 1024;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;  // '=' and anything else end the data
}

// The first kMaxDecodedBytes of a base64 (or base64url) run.
std::vector<std::uint8_t> decode_base64_prefix(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const int value = base64_value(c);
    if (value < 0 || out.size() >= kMaxDecodedBytes) break;
    bits = (bits << 6U) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<std::uint8_t>(bits >> static_cast<unsigned>(count)));
      bits &= (1U << static_cast<unsigned>(count)) - 1U;
    }
  }
  return out;
}

// Whether `bytes` (the start of a payload of `total` bytes) are what their
// signature claims (Framing).
bool framing_holds(Framing framing, std::span<const std::uint8_t> bytes, std::uint64_t total) {
  constexpr std::size_t kEocdBytes = 22;
  switch (framing) {
    case Framing::signature: return true;
    case Framing::pickle: return walk_pickle(bytes, total).accepted;
    case Framing::zip_local: return local_header_at_start(bytes, total);
    case Framing::zip_end: {
      if (bytes.size() < kEocdBytes) return false;
      const std::size_t comment = bytes[20] | (static_cast<std::size_t>(bytes[21]) << 8U);
      return comment <= bytes.size() - kEocdBytes;
    }
    case Framing::elf:
      return bytes.size() >= 7 && (bytes[4] == 1 || bytes[4] == 2) && (bytes[5] == 1 || bytes[5] == 2) &&
             bytes[6] == 1;
  }
  return false;
}

// framing_holds on the decoded start of a base64 run.
bool base64_framing_holds(Framing framing, std::string_view payload, std::size_t run) {
  if (framing == Framing::signature) return true;
  const std::vector<std::uint8_t> decoded = decode_base64_prefix(payload.substr(0, run));
  const std::uint64_t full_size = run / 4 * 3 + (run % 4 * 3) / 4;  // what the whole run decodes to, at most
  return framing_holds(framing, decoded, std::max<std::uint64_t>(full_size, decoded.size()));
}

bool is_base64_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=' || c == '-' || c == '_';
}

std::string_view trim_start(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  return text;
}

// A data: URL's payload ("data:application/zip;base64,UEsDB...").
std::string_view strip_data_url(std::string_view text) {
  if (text.substr(0, 5) != "data:") return text;
  const std::size_t comma = text.find(',');
  if (comma == std::string_view::npos || comma > 256) return text;
  return text.substr(comma + 1);
}

bool is_python_identifier_path(std::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

// Protocol 0 pickles are text: GLOBAL is "c<module>\n<name>\n" ("cos\nsystem\n").
bool starts_like_text_pickle(std::string_view text) {
  if (text.size() < 4 || text.front() != 'c') return false;
  const std::size_t module_end = text.find('\n', 1);
  if (module_end == std::string_view::npos) return false;
  const std::size_t name_end = text.find('\n', module_end + 1);
  if (name_end == std::string_view::npos) return false;
  return is_python_identifier_path(text.substr(1, module_end - 1)) &&
         is_python_identifier_path(text.substr(module_end + 1, name_end - module_end - 1));
}

}  // namespace

std::optional<PayloadMatch> find_foreign_payload(std::string_view text) {
  for (const Signature& signature : kRawAnywhere) {
    // The first occurrence whose bytes have the format's structure.
    for (std::size_t at = text.find(signature.prefix); at != std::string_view::npos;
         at = text.find(signature.prefix, at + 1)) {
      const std::string_view rest = text.substr(at);
      const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size());
      if (framing_holds(signature.framing, bytes, bytes.size())) {
        return PayloadMatch{signature.format, signature.severity, at};
      }
    }
  }
  const std::string_view start = trim_start(text);
  const std::size_t start_at = text.size() - start.size();
  for (const Signature& signature : kRawAtStart) {
    if (start.substr(0, signature.prefix.size()) == signature.prefix) {
      return PayloadMatch{signature.format, signature.severity, start_at};
    }
  }
  if (starts_like_text_pickle(start)) return PayloadMatch{"pickle protocol 0 (text)", Severity::high, start_at};
  const std::string_view payload = strip_data_url(start);
  const std::size_t run = static_cast<std::size_t>(
      std::find_if_not(payload.begin(), payload.end(), is_base64_character) - payload.begin());
  if (run < kMinBase64Run) return std::nullopt;
  for (const Signature& signature : kBase64AtStart) {
    if (payload.substr(0, signature.prefix.size()) == signature.prefix) {
      // Base64 text that merely starts like a pickle or a ZIP header (a
      // hash, a key) decodes to bytes no reader of that format accepts.
      if (!base64_framing_holds(signature.framing, payload, run)) return std::nullopt;
      return PayloadMatch{signature.format, signature.severity, text.size() - payload.size()};
    }
  }
  return std::nullopt;
}

namespace {

struct ControlContent {
  std::size_t count = 0;
  bool escape_sequence = false;
  bool replacement = false;
  std::string labels;
  std::size_t distinct = 0;
};

ControlContent find_control_content(std::string_view text) {
  ControlContent found;
  ByteCursor cursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  char32_t code_point = 0;
  for (;;) {
    // ASCII without a decoder call: values can be megabytes of JSON text.
    std::uint8_t byte = 0;
    if (!cursor.peek_u8(byte)) break;
    if (byte >= 0x20 && byte < 0x7F) {
      if (!cursor.skip(1)) break;
      continue;
    }
    if (!next_code_point(cursor, code_point)) break;
    const bool control = (code_point < 0x20 && code_point != '\t' && code_point != '\n' && code_point != '\r') ||
                         (code_point >= 0x7F && code_point <= 0x9F);
    const bool replacement = code_point == 0xFFFD;
    if (!control && !replacement) continue;
    ++found.count;
    found.escape_sequence = found.escape_sequence || code_point == 0x1B || code_point == 0x9B;
    found.replacement = found.replacement || replacement;
    const std::string label = code_point_label(code_point);
    if (found.labels.find(label) == std::string::npos && found.distinct++ < 6) {
      found.labels += (found.labels.empty() ? "" : ", ") + label;
    }
  }
  return found;
}

void add_metadata_finding(FindingSink& sink, Rule rule, Severity severity, const MetadataEntry& entry,
                          std::string message, std::string evidence) {
  Finding finding;
  finding.rule = rule;
  finding.severity = severity;
  finding.metadata_key = entry.key;
  finding.message = std::move(message);
  finding.evidence = std::move(evidence);
  sink.add(std::move(finding));
}

// STG-META-004/005: what hub pages and terminals hide or reorder in a value.
// Values are prose, so what prose legitimately uses (direction marks,
// zero-width joiners in emoji and scripts, variation selectors) is info;
// embeddings, overrides, isolates and tag characters are not prose.
void check_value_characters(FindingSink& sink, const MetadataEntry& entry, const std::string& key) {
  const DeceptiveScan scan = scan_deceptive(entry.value);
  // In code points, so the reader sees which characters the value hides.
  const std::string value_start = "value as code points: \"" + code_point_form(entry.value) + "\"";
  if (scan.bidi_controls.count > 0 || scan.bidi_marks.count > 0) {
    const bool controls = scan.bidi_controls.count > 0;
    const DeceptiveCharacters& shown = controls ? scan.bidi_controls : scan.bidi_marks;
    add_metadata_finding(sink, Rule::metadata_bidi_control, controls ? Severity::medium : Severity::info, entry,
                         "the value of " + key + " holds " + std::to_string(shown.count) +
                             (controls ? " bidirectional embedding, override or isolate character(s)"
                                       : " bidirectional mark(s) (U+200E, U+200F, U+061C) only"),
                         shown.labels + "; " + value_start);
  }
  if (scan.tags.count > 0 || scan.invisible.count > 0) {
    const bool tags = scan.tags.count > 0;
    const DeceptiveCharacters& shown = tags ? scan.tags : scan.invisible;
    add_metadata_finding(sink, Rule::metadata_invisible_character, tags ? Severity::medium : Severity::info, entry,
                         "the value of " + key + " holds " + std::to_string(shown.count) +
                             (tags ? " Unicode tag character(s) (hidden text)" : " invisible character(s)"),
                         shown.labels + "; " + value_start);
  }
}

}  // namespace

void check_metadata(const Header& header, FindingSink& sink) {
  for (const MetadataEntry& entry : header.metadata()) {
    const std::string key = "metadata key \"" + display_excerpt(entry.key, 64) + "\"";
    if (entry.key.size() > kMaxKeyBytes || entry.value.size() > kMaxValueBytes) {
      add_metadata_finding(sink, Rule::metadata_oversized, Severity::low, entry,
                           key + (entry.key.size() > kMaxKeyBytes ? " is over 256 bytes" : "") +
                               (entry.value.size() > kMaxValueBytes ? " has a value over 1 MiB" : ""),
                           "key " + std::to_string(entry.key.size()) + " bytes, value " +
                               std::to_string(entry.value.size()) + " bytes");
    }
    const ControlContent control = find_control_content(entry.value);
    if (control.count > 0) {
      std::string what = std::to_string(control.count) + " control or replacement character(s)";
      if (control.escape_sequence) what += ", including terminal escape sequences";
      add_metadata_finding(sink, Rule::metadata_control_content, Severity::medium, entry,
                           "the value of " + key + " holds " + what,
                           control.labels + "; value starts \"" + display_excerpt(entry.value, 48) + "\"");
    }
    check_value_characters(sink, entry, key);
    for (const std::string* text : {&entry.key, &entry.value}) {
      if (const auto match = find_foreign_payload(*text)) {
        const std::string_view part = text == &entry.key ? "the key" : "the value";
        add_metadata_finding(sink, Rule::metadata_foreign_payload, match->severity, entry,
                             std::string(part) + " of " + key + " holds a " + std::string(match->format) +
                                 " at character " + std::to_string(match->position),
                             "\"" + display_excerpt(std::string_view(*text).substr(match->position), 32) + "\"");
        break;
      }
    }
  }
}

}  // namespace stguard::audit::detail
