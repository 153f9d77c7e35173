// Polyglot rules: the places where other formats' readers look for their
// signatures, and nothing else. Scanning every tensor byte for 4-byte magics
// would be useless (in gigabytes of weights random matches are certain), so
// each rule reads only what the foreign reader reads: the first 8 bytes, the
// ZIP tail, the HDF5 superblock offsets, the first kilobyte for PDF.
#include <algorithm>
#include <string_view>

#include "cursor_read.hpp"
#include "rule_passes.hpp"
#include "stguard/cursor.hpp"
#include "stguard/escape.hpp"
#include "text_scan.hpp"
#include "pickle_probe.hpp"
#include "zip_probe.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kZipLocalMagic = "PK\x03\x04"sv;
constexpr std::string_view kHdf5Magic = "\x89HDF\r\n\x1a\n"sv;
constexpr std::string_view kPdfMagic = "%PDF-"sv;
constexpr std::string_view kPdfEnd = "%%EOF"sv;
constexpr std::uint8_t kPickleProto = 0x80;
// HDF5 looks for its superblock at 0, then 512, 1024, 2048, ...
constexpr std::uint64_t kHdf5FirstOffset = 512;
// PDF readers accept the signature anywhere in the first 1024 bytes.
constexpr std::uint64_t kPdfWindow = 1024;

std::string hex_bytes(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t byte : bytes) {
    if (!out.empty()) out += ' ';
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xFU];
  }
  return out;
}

std::string location_suffix(const Header* header, std::uint64_t offset, std::string& tensor) {
  if (header == nullptr) return {};
  if (offset < header->data_offset()) return " (in the header)";
  tensor = tensor_containing(*header, offset);
  return tensor.empty() ? std::string() : " (inside tensor \"" + escape_for_display(tensor) + "\")";
}

// "; pickle imports: os system, ..." for the evidence.
std::string imports_evidence(const std::vector<std::string>& imports) {
  if (imports.empty()) return {};
  std::string text = "; pickle imports:";
  for (const std::string& import : imports) text += " \"" + display_excerpt(import, 64) + "\"";
  return text;
}

// The imports that run code on load, named in the message; torch's own
// rebuild helpers and containers are what every checkpoint imports.
std::string imports_summary(const std::vector<std::string>& imports) {
  std::string named;
  for (const std::string& import : imports) {
    const bool routine = import.rfind("torch", 0) == 0 || import.rfind("collections ", 0) == 0 ||
                         import.rfind("numpy", 0) == 0 || import == "(memoized names)";
    if (!routine) named += (named.empty() ? "" : ", ") + display_excerpt(import, 48);
  }
  return named.empty() ? std::string() : " (it imports " + named + ")";
}

void report_zip(const ZipArchiveFound& zip, const Header* header, FindingSink& sink) {
  std::string tensor;
  const std::string where = location_suffix(header, zip.archive_start, tensor);
  std::string evidence = "EOCD at byte " + std::to_string(zip.eocd_offset) + ", archive starts at byte " +
                         std::to_string(zip.archive_start) + ", central directory at byte " +
                         std::to_string(zip.central_directory_offset) + ", " + std::to_string(zip.entry_count) +
                         " entries recorded, " + std::to_string(zip.entries_checked) + " parsed";
  if (zip.zip64) evidence += ", ZIP64";
  evidence += zip.first_local_header_present ? ", first local header present" : ", first local header absent";
  if (!zip.names.empty()) {
    evidence += "; names:";
    for (const std::string& name : zip.names) evidence += " \"" + display_excerpt(name, 64) + "\"";
  }
  if (zip.pickle_name) {
    evidence += imports_evidence(zip.pickle_imports);
    sink.add(Rule::zip_with_pickle,
             "the file is also a ZIP archive holding the pickle \"" + display_excerpt(*zip.pickle_name, 64) +
                 "\": torch.load would unpickle it" + imports_summary(zip.pickle_imports) + where,
             evidence, zip.eocd_offset, tensor);
  } else {
    sink.add(Rule::zip_archive, "the file is also a ZIP archive that Python's zipfile opens" + where, evidence,
             zip.eocd_offset, tensor);
  }
}

Status check_hdf5(const ByteSource& source, const Header* header, FindingSink& sink) {
  std::vector<std::uint8_t> scratch;
  for (std::uint64_t offset = 0; offset <= source.size() && source.size() - offset >= kHdf5Magic.size();) {
    auto bytes = source.view(offset, kHdf5Magic.size(), scratch);
    if (!bytes) return bytes.error();
    if (starts_with_magic(*bytes, kHdf5Magic)) {
      std::string tensor;
      const std::string where = location_suffix(header, offset, tensor);
      sink.add(Rule::hdf5_signature, "an HDF5 superblock signature sits at byte " + std::to_string(offset) + where,
               "bytes " + hex_bytes(*bytes), offset, tensor);
    }
    if (offset == 0) {
      offset = kHdf5FirstOffset;
    } else if (offset > source.size() / 2) {
      break;  // doubling again would pass the end (and could wrap)
    } else {
      offset *= 2;
    }
  }
  return {};
}

// "%PDF-" followed by a version "d.d", as every PDF header has; a mention of
// the marker in prose ("%PDF- files") is not one.
bool is_pdf_header(ByteCursor probe) {
  std::uint8_t major = 0;
  std::uint8_t dot = 0;
  std::uint8_t minor = 0;
  return read_magic(probe, kPdfMagic) && probe.read_u8(major) && probe.read_u8(dot) && probe.read_u8(minor) &&
         major >= '0' && major <= '9' && dot == '.' && minor >= '0' && minor <= '9';
}

// Whether "%%EOF" is in the last kPdfWindow bytes, where PDF readers look
// for the end of the document before they fall back to reconstruction.
Result<bool> has_pdf_end(const ByteSource& source) {
  std::vector<std::uint8_t> scratch;
  const std::uint64_t length = std::min(source.size(), kPdfWindow);
  auto bytes = source.view(source.size() - length, static_cast<std::size_t>(length), scratch);
  if (!bytes) return bytes.error();
  ByteCursor cursor(*bytes);
  while (!cursor.empty()) {
    ByteCursor probe = cursor;
    if (read_magic(probe, kPdfEnd)) return true;
    if (!cursor.skip(1)) break;
  }
  return false;
}

Status check_pdf(const ByteSource& source, const Header* header, FindingSink& sink) {
  std::vector<std::uint8_t> scratch;
  const auto window = static_cast<std::size_t>(std::min(source.size(), kPdfWindow));
  auto bytes = source.view(0, window, scratch);
  if (!bytes) return bytes.error();
  ByteCursor cursor(*bytes);
  while (!cursor.empty()) {
    const std::size_t at = cursor.position();
    if (is_pdf_header(cursor)) {
      auto end = has_pdf_end(source);
      if (!end) return end.error();
      std::string tensor;
      const std::string where = location_suffix(header, at, tensor);
      // With an end-of-file marker the whole file reads as a PDF; a header
      // alone still opens in readers that reconstruct, but less surely.
      const Severity severity = *end ? Severity::medium : Severity::low;
      sink.add_with_severity(
          Rule::pdf_signature, severity,
          "a PDF header appears at byte " + std::to_string(at) + ", inside the first 1024 bytes" + where +
              (*end ? ", and %%EOF ends the file" : ""),
          "bytes at " + std::to_string(at) + ": " +
              hex_bytes(cursor.rest().first(std::min<std::size_t>(cursor.rest().size(), 8))) +
              (*end ? "; %%EOF in the last 1024 bytes" : "; no %%EOF in the last 1024 bytes"),
          at, tensor);
      return {};  // a PDF reader takes the first one
    }
    if (!cursor.skip(1)) break;
  }
  return {};
}

}  // namespace

void check_leading_bytes(std::span<const std::uint8_t> window, std::uint64_t file_size, FindingSink& sink) {
  const std::string evidence = "first bytes " + hex_bytes(window.first(std::min<std::size_t>(window.size(), 8)));
  // A sniffer keys on a few bytes; the finding needs the structure a reader
  // of that format goes on to read (see the probes).
  if (starts_with_magic(window, kZipLocalMagic) && local_header_at_start(window, file_size)) {
    sink.add(Rule::length_spells_zip,
             "the file starts with a ZIP local file header (PK\\x03\\x04) whose fields describe an entry",
             evidence, 0);
  }
  ByteCursor cursor(window);
  std::uint8_t opcode = 0;
  std::uint8_t protocol = 0;
  if (cursor.read_u8(opcode) && cursor.read_u8(protocol) && opcode == kPickleProto && protocol >= 2 && protocol <= 5) {
    const PickleWalk walk = walk_pickle(window, file_size);
    if (walk.accepted) {
      const std::vector<std::string> imports = pickle_imports(window, kMaxReportedImports);
      sink.add(Rule::length_spells_pickle,
               "the file starts with a pickle PROTO opcode (protocol " + std::to_string(protocol) +
                   ") and a pickle reader accepts the stream that follows" +
                   imports_summary(imports),
               evidence + "; " + std::to_string(walk.opcodes) + " opcodes walked" +
                   (walk.reached_stop ? ", STOP at byte " + std::to_string(walk.stopped_at) : std::string()) +
                   imports_evidence(imports),
               0);
    }
  }
}

Status check_signatures(const ByteSource& source, const Header* header, FindingSink& sink) {
  auto zip = probe_zip(source);
  if (!zip) return zip.error();
  if (*zip) report_zip(**zip, header, sink);
  if (Status status = check_hdf5(source, header, sink); !status) return status;
  return check_pdf(source, header, sink);
}

std::string tensor_containing(const Header& header, std::uint64_t file_offset) {
  if (file_offset < header.data_offset()) return {};
  const std::uint64_t position = file_offset - header.data_offset();
  const auto tensors = header.tensors();
  // Tensors are in (begin, end) order and tile the data region; a zero-size
  // tensor sorts before the tensor that starts where it sits.
  const auto after = std::upper_bound(tensors.begin(), tensors.end(), position,
                                      [](std::uint64_t value, const TensorInfo& info) { return value < info.begin; });
  if (after == tensors.begin()) return {};
  const TensorInfo& candidate = *(after - 1);
  return position < candidate.end ? candidate.name : std::string();
}

}  // namespace stguard::audit::detail
