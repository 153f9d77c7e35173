// Builders for the audit tests: safetensors files from tensor lists (names
// JSON-escaped, header padded or not), little-endian value encoders, and a
// minimal ZIP writer (stored entries, real CRC-32, central directory, EOCD)
// so polyglot tests embed a genuine archive rather than a bare signature.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "stguard/audit.hpp"
#include "stguard/escape.hpp"
#include "support/test_files.hpp"

namespace stguard::test::audit_fixtures {

// The audit types every audit test names, so `using namespace audit_fixtures`
// is the one preamble those tests need.
using audit::Finding;
using audit::Rule;
using audit::Severity;
using audit::Verdict;

struct FixtureTensor {
  std::string name;
  std::string dtype;
  std::vector<std::uint64_t> shape;
  Bytes data;
};

inline void append_le(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

inline Bytes f32_bytes(const std::vector<float>& values) {
  Bytes out;
  for (const float value : values) append_le(out, std::bit_cast<std::uint32_t>(value), 4);
  return out;
}

inline Bytes f64_bytes(const std::vector<double>& values) {
  Bytes out;
  for (const double value : values) append_le(out, std::bit_cast<std::uint64_t>(value), 8);
  return out;
}

inline Bytes u16_bytes(const std::vector<std::uint16_t>& values) {
  Bytes out;
  for (const std::uint16_t value : values) append_le(out, value, 2);
  return out;
}

inline std::string header_json(const std::vector<FixtureTensor>& tensors,
                               const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string json = "{";
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    for (std::size_t i = 0; i < metadata.size(); ++i) {
      if (i) json += ',';
      json += "\"" + escape_json(metadata[i].first) + "\":\"" + escape_json(metadata[i].second) + "\"";
    }
    json += "}";
  }
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (i || !metadata.empty()) json += ',';
    json += "\"" + escape_json(tensors[i].name) + "\":" +
            tensor_json(tensors[i].dtype, tensors[i].shape, offset, offset + tensors[i].data.size());
    offset += tensors[i].data.size();
  }
  return json + "}";
}

// Tensors laid out in the order given, contiguous from 0. `pad_to` pads the
// header with spaces to a multiple of it (1 = no padding).
inline Bytes build_file(const std::vector<FixtureTensor>& tensors,
                        const std::vector<std::pair<std::string, std::string>>& metadata = {},
                        std::size_t pad_to = 8) {
  std::string json = header_json(tensors, metadata);
  while (json.size() % pad_to != 0) json += ' ';
  Bytes data;
  for (const FixtureTensor& tensor : tensors) data.insert(data.end(), tensor.data.begin(), tensor.data.end());
  return make_file(json, data);
}

inline std::uint32_t crc32(const Bytes& bytes) {
  std::uint32_t crc = 0xFFFFFFFFU;
  for (const std::uint8_t byte : bytes) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1U) ^ (0xEDB88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

// A stored (uncompressed) ZIP archive whose offsets count from its own first
// byte plus `base_offset` (0: relative, as when appended to other data).
inline Bytes make_zip(const std::vector<std::pair<std::string, Bytes>>& entries, std::uint32_t base_offset = 0) {
  Bytes archive;
  Bytes directory;
  for (const auto& [name, content] : entries) {
    const auto local_offset = static_cast<std::uint32_t>(archive.size()) + base_offset;
    const std::uint32_t crc = crc32(content);
    archive.insert(archive.end(), {'P', 'K', 3, 4});
    append_le(archive, 20, 2);  // version needed
    append_le(archive, 0, 2);   // flags
    append_le(archive, 0, 2);   // method: stored
    append_le(archive, 0, 2);   // time
    append_le(archive, 0x21, 2);  // date
    append_le(archive, crc, 4);
    append_le(archive, content.size(), 4);
    append_le(archive, content.size(), 4);
    append_le(archive, name.size(), 2);
    append_le(archive, 0, 2);
    archive.insert(archive.end(), name.begin(), name.end());
    archive.insert(archive.end(), content.begin(), content.end());

    directory.insert(directory.end(), {'P', 'K', 1, 2});
    append_le(directory, 20, 2);  // made by
    append_le(directory, 20, 2);  // needed
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0, 2);
    append_le(directory, 0x21, 2);
    append_le(directory, crc, 4);
    append_le(directory, content.size(), 4);
    append_le(directory, content.size(), 4);
    append_le(directory, name.size(), 2);
    append_le(directory, 0, 2);  // extra
    append_le(directory, 0, 2);  // comment
    append_le(directory, 0, 2);  // disk
    append_le(directory, 0, 2);  // internal attributes
    append_le(directory, 0, 4);  // external attributes
    append_le(directory, local_offset, 4);
    directory.insert(directory.end(), name.begin(), name.end());
  }
  const auto directory_offset = static_cast<std::uint32_t>(archive.size()) + base_offset;
  archive.insert(archive.end(), directory.begin(), directory.end());
  archive.insert(archive.end(), {'P', 'K', 5, 6});
  append_le(archive, 0, 2);
  append_le(archive, 0, 2);
  append_le(archive, entries.size(), 2);
  append_le(archive, entries.size(), 2);
  append_le(archive, directory.size(), 4);
  append_le(archive, directory_offset, 4);
  append_le(archive, 0, 2);  // comment length
  return archive;
}

inline audit::AuditReport audit_of(const Bytes& file, const audit::AuditOptions& options = {}) {
  auto report = audit::audit_bytes(file, options);
  REQUIRE(report.ok());
  return std::move(report).value();
}

inline std::size_t count_rule(const audit::AuditReport& report, audit::Rule rule) {
  return static_cast<std::size_t>(std::count_if(report.findings.begin(), report.findings.end(),
                                                [&](const audit::Finding& finding) { return finding.rule == rule; }));
}

inline const audit::Finding* find_rule(const audit::AuditReport& report, audit::Rule rule) {
  const auto found = std::find_if(report.findings.begin(), report.findings.end(),
                                  [&](const audit::Finding& finding) { return finding.rule == rule; });
  return found == report.findings.end() ? nullptr : &*found;
}

// Every rule id in the report, for readable failure messages.
inline std::string rule_ids(const audit::AuditReport& report) {
  std::string out;
  for (const audit::Finding& finding : report.findings) {
    out += std::string(audit::rule_id(finding.rule)) + "(" + std::string(audit::severity_name(finding.severity)) +
           ") ";
  }
  return out;
}

}  // namespace stguard::test::audit_fixtures
