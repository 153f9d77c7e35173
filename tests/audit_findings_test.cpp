// The header-level audit rules on crafted files: strictness (compat-only and
// invalid files), header length and padding, alignment, names and metadata.
// Each rule fires on the file built to trigger it, and a clean file written
// the way the reference writer writes has no finding at all.
#include <catch2/catch.hpp>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

// Sorted by dtype descending and then name, as the reference writer does, so
// every tensor is aligned.
Bytes clean_file() {
  return build_file({{"lm_head.weight", "F32", {2, 2}, f32_bytes({1.0F, -2.0F, 0.5F, 3.0F})},
                     {"model.norm.weight", "F16", {2}, u16_bytes({0x3C00, 0x4000})},
                     {"model.mask", "BOOL", {2}, {0, 1}}},
                    {{"format", "pt"}});
}

// A file of one-byte U8 tensors with these names, for the name rules.
Bytes file_of_names(const std::vector<std::string>& names,
                    const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
  std::vector<FixtureTensor> tensors;
  for (const std::string& name : names) tensors.push_back({name, "U8", {1}, {1}});
  return build_file(tensors, metadata);
}

}  // namespace

TEST_CASE("audit: a clean file has no finding at any severity", "[audit]") {
  auto options = stguard::audit::AuditOptions{};
  options.scan_values = true;
  const auto report = audit_of(clean_file(), options);
  CHECK(report.verdict == Verdict::strict_valid);
  CHECK(report.findings.empty());
  INFO(rule_ids(report));
  CHECK(report.count_at_least(Severity::info) == 0);
  CHECK_FALSE(report.max_severity().has_value());
  REQUIRE(report.header);
  CHECK(report.header->tensor_count() == 3);
}

TEST_CASE("audit: compat-only files list every strict violation", "[audit]") {
  // Leading whitespace, a decoy field, and a duplicate name: three reasons.
  const std::string header = std::string(" {\"w\":") + tensor_json("U8", {4}, 0, 4) +
                             ",\"v\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8],\"offsets\":[0,4]}" +
                             ",\"w\":" + tensor_json("U8", {4}, 0, 4) + "}";
  const auto report = audit_of(make_file(header, 8));
  CHECK(report.verdict == Verdict::compat_only);
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::strict_rejects) == 3);
  std::vector<std::string> codes;
  for (const auto& finding : report.findings) {
    if (finding.rule == Rule::strict_rejects) {
      CHECK(finding.severity == Severity::high);
      codes.push_back(finding.evidence);
    }
  }
  std::sort(codes.begin(), codes.end());
  CHECK(codes == std::vector<std::string>{"DUPLICATE_TENSOR_NAME", "HEADER_NOT_OBJECT_START", "UNKNOWN_TENSOR_FIELD"});

  SECTION("under a compat gate the same reasons are low findings") {
    stguard::audit::AuditOptions options;
    options.validation = stguard::Options::compat();
    const auto compat = audit_of(make_file(header, 8), options);
    CHECK(compat.verdict == Verdict::compat_only);
    CHECK(count_rule(compat, Rule::strict_rejects) == 3);
    CHECK(compat.count_at_least(Severity::medium) == 0);
  }
}

TEST_CASE("audit: a limit the caller tightened is reported as a strict rejection", "[audit]") {
  stguard::audit::AuditOptions options;
  options.validation.limits.max_tensors = 1;
  const auto report = audit_of(clean_file(), options);
  CHECK(report.verdict == Verdict::compat_only);
  const auto* finding = find_rule(report, Rule::strict_rejects);
  REQUIRE(finding != nullptr);
  CHECK(finding->evidence == "LIMIT_TENSOR_COUNT");
}

TEST_CASE("audit: a file compat rejects is invalid, not a finding", "[audit]") {
  // Trailing bytes after the last tensor: the reference refuses the file.
  Bytes file = make_file("{\"w\":" + tensor_json("U8", {4}, 0, 4) + "}", 4);
  file.push_back(0);
  const auto report = audit_of(file);
  CHECK(report.verdict == Verdict::invalid);
  REQUIRE(report.error);
  CHECK(report.error->code == stguard::ErrorCode::trailing_bytes);
  CHECK(report.findings.empty());
  CHECK_FALSE(report.header);

  const auto tiny = audit_of(Bytes{1, 2, 3});
  CHECK(tiny.verdict == Verdict::invalid);
  CHECK(tiny.error->code == stguard::ErrorCode::file_too_small);
}

TEST_CASE("audit: header length, size and padding", "[audit]") {
  SECTION("N not a multiple of 8") {
    const auto report = audit_of(build_file({{"w", "U8", {3}, {1, 2, 3}}}, {}, 1));
    REQUIRE(report.header);
    REQUIRE(report.header->header_length() % 8 != 0);
    const auto* finding = find_rule(report, Rule::header_length_unaligned);
    REQUIRE(finding != nullptr);
    CHECK(finding->offset == 0);
    CHECK(finding->severity == Severity::info);  // MLX and writers before 0.3 never pad
  }
  SECTION("padding much larger than the JSON") {
    std::string json = "{\"w\":" + tensor_json("U8", {1}, 0, 1) + "}";
    json.append(8192, ' ');
    const auto report = audit_of(make_file(json, Bytes{7}));
    INFO(rule_ids(report));
    const auto* finding = find_rule(report, Rule::header_padding_excessive);
    REQUIRE(finding != nullptr);
    CHECK(finding->offset == 8 + json.size() - 8192);
  }
  SECTION("padding to a 4 KiB page is normal") {
    std::string json = "{\"w\":" + tensor_json("U8", {1}, 0, 1) + "}";
    json.append(4096 - 8 - json.size(), ' ');
    CHECK(count_rule(audit_of(make_file(json, Bytes{7})), Rule::header_padding_excessive) == 0);
  }
  SECTION("a header over 25,000,000 bytes") {
    // Padding is the cheapest way to a big header (and fires the padding rule too).
    std::string json = "{\"w\":" + tensor_json("U8", {1}, 0, 1) + "}";
    json.resize(25'000'008, ' ');
    const auto report = audit_of(make_file(json, Bytes{7}));
    INFO(rule_ids(report));
    REQUIRE(count_rule(report, Rule::header_over_hub_limit) == 1);
    CHECK(find_rule(report, Rule::header_over_hub_limit)->severity == Severity::medium);
  }
}

TEST_CASE("audit: tensor data not aligned to its element size", "[audit]") {
  // U8[3] first pushes the F32 to data offset 3; N is padded to 8.
  const auto report = audit_of(build_file({{"a", "U8", {3}, {1, 2, 3}},
                                           {"b", "F32", {1}, f32_bytes({1.0F})},
                                           {"c", "U8", {1}, {0}},
                                           {"empty", "F64", {0}, {}}}));
  REQUIRE(report.header);
  INFO(rule_ids(report));
  REQUIRE(count_rule(report, Rule::tensor_misaligned) == 1);
  const auto* finding = find_rule(report, Rule::tensor_misaligned);
  CHECK(finding->tensor == "b");
  CHECK(finding->offset == report.header->data_offset() + 3);
}

TEST_CASE("audit: path-like names", "[audit]") {
  const auto report = audit_of(file_of_names(
      {"../../etc/passwd", "/abs", "C:weights", "a\\..\\b", "dense/kernel", "model.layers.0..weight"}));
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::name_path_traversal) == 4);
  REQUIRE(count_rule(report, Rule::name_path_separator) == 1);
  CHECK(find_rule(report, Rule::name_path_separator)->tensor == "dense/kernel");
  CHECK(find_rule(report, Rule::name_path_separator)->severity == Severity::info);
}

TEST_CASE("audit: bidirectional and zero-width characters in names and keys", "[audit]") {
  const std::string rlo = "\u202E";
  const std::string zwsp = "\u200B";
  const std::string tag_a = "\U000E0041";
  const auto report =
      audit_of(file_of_names({"weight" + rlo + "thgiew", "bias" + zwsp, "tagged" + tag_a, "plain"}, {{"key" + rlo, "v"}}));
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::name_bidi_control) == 2);
  CHECK(count_rule(report, Rule::name_invisible_character) == 2);
  for (const auto& finding : report.findings) {
    // Messages and evidence never carry the raw characters.
    CHECK(finding.message.find(rlo) == std::string::npos);
    CHECK(finding.evidence.find(rlo) == std::string::npos);
    CHECK(finding.message.find(zwsp) == std::string::npos);
  }
  const auto* bidi = find_rule(report, Rule::name_bidi_control);
  CHECK(bidi->severity == Severity::high);
  CHECK(bidi->evidence.find("U+202E") != std::string::npos);
  bool key_flagged = false;
  for (const auto& finding : report.findings) key_flagged = key_flagged || finding.metadata_key == "key" + rlo;
  CHECK(key_flagged);
}

TEST_CASE("audit: names equal after NFC normalisation", "[audit]") {
  const std::string composed = "caf\u00E9";     // é as one code point
  const std::string decomposed = "cafe\u0301";  // e + combining acute
  const std::string angstrom = "\u212B";        // ANGSTROM SIGN, NFC = U+00C5
  const auto report = audit_of(build_file({{composed, "U8", {1}, {1}},
                                           {"other", "U8", {1}, {2}},
                                           {decomposed, "U8", {1}, {3}},
                                           {angstrom, "U8", {1}, {4}},
                                           {"\u00C5", "U8", {1}, {5}},
                                           {"cafe", "U8", {1}, {6}}}));
  INFO(rule_ids(report));
  REQUIRE(count_rule(report, Rule::name_nfc_collision) == 2);
  for (const auto& finding : report.findings) {
    if (finding.rule != Rule::name_nfc_collision) continue;
    CHECK(finding.severity == Severity::high);
    CHECK(finding.message.find("2 tensor names") != std::string::npos);
  }
  const auto* first = find_rule(report, Rule::name_nfc_collision);
  CHECK(first->evidence.find("caf\\u{00E9}") != std::string::npos);
  CHECK(first->evidence.find("cafe\\u{0301}") != std::string::npos);
}

TEST_CASE("audit: NFC of names with U+0000 (compat) does not stop at the NUL", "[audit]") {
  const std::string a = std::string("x\0caf\u00E9", 7);
  const std::string b = std::string("x\0cafe\u0301", 8);
  stguard::audit::AuditOptions options;
  const auto report = audit_of(build_file({{a, "U8", {1}, {1}}, {b, "U8", {1}, {2}}}), options);
  CHECK(report.verdict == Verdict::compat_only);
  CHECK(count_rule(report, Rule::name_nfc_collision) == 1);
}

TEST_CASE("audit: reserved-looking and runtime-special names", "[audit]") {
  const auto report = audit_of(file_of_names(
      {"__METADATA__", " __Metadata__", "__proto__", "constructor", "model.__class__.weight", "model.embed_tokens.weight"},
      {{"__proto__", "x"}}));
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::name_reserved) == 2);
  CHECK(count_rule(report, Rule::name_runtime_special) == 4);
}

TEST_CASE("audit: metadata that is oversized, binary or a foreign file", "[audit]") {
  // zipfile with a.txt, and pickle.dumps(os.system, protocol=4): real payloads.
  const std::string zip_base64 =
      "UEsDBBQAAAAAAGJKgV2GphA2BQAAAAUAAAAFAAAAYS50eHRoZWxsb1BLAQIUAxQAAAAAAGJKgV2GphA2BQAAAAUAAAAFAAAAAAAAAAAAAACAAQAAAABhLnR4dFBLBQYAAAAAAQABADMAAAAoAAAAAAA=";
  const std::string pickle_base64 = "gASVFAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOULg==";
  const auto report = audit_of(build_file({{"w", "U8", {1}, {1}}},
                                          {{std::string(300, 'k'), "v"},
                                           {"big", std::string((1U << 20U) + 1, 'x')},
                                           {"ansi", "\x1b[31mred\x1b[0m"},
                                           {"config", "{\n\t\"a\": 1\r\n}"},
                                           {"payload", zip_base64},
                                           {"state", "data:application/octet-stream;base64," + pickle_base64},
                                           // A stored entry "a" holding "hi" (CRC not checked).
                                           {"raw", std::string("xxPK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                                               "\x02\0\0\0\x02\0\0\0\x01\0\0\0ahi", 35)},
                                           {"bare_signature", std::string("xxPK\x03\x04yy")},
                                           {"text_pickle", "cos\nsystem\n(S'id'\ntR."},
                                           {"word", "TVphbmQgc28gb24gYW5kIHNv"},
                                           {"short", "UEsDB"},
                                           // Base64 that starts like a pickle or a ZIP header but
                                           // decodes to bytes no such reader accepts (a digest).
                                           {"digest", "gAJzZWNyZXQta2V5LWRpZ2VzdC1hYmNkZWY="},
                                           {"zip_like", "UEsDBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}));
  INFO(rule_ids(report));
  CHECK(count_rule(report, Rule::metadata_oversized) == 2);
  // The ANSI value and the raw ZIP headers (their \x03\x04 are controls).
  CHECK(count_rule(report, Rule::metadata_control_content) == 3);
  std::vector<std::string> foreign;
  for (const auto& finding : report.findings) {
    if (finding.rule == Rule::metadata_foreign_payload) foreign.push_back(finding.metadata_key);
  }
  std::sort(foreign.begin(), foreign.end());
  // "word" is base64 of ordinary text starting "TVp" (like "MZ"); only the
  // PE stub "TVqQ" counts. "short" is too short to be a payload.
  CHECK(foreign == std::vector<std::string>{"payload", "raw", "state", "text_pickle"});
  for (const auto& finding : report.findings) {
    CHECK(finding.message.find('\x1b') == std::string::npos);
    CHECK(finding.evidence.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("audit: the per-rule cap keeps the report bounded", "[audit]") {
  std::vector<FixtureTensor> tensors;
  for (int i = 0; i < 50; ++i) tensors.push_back({"a/" + std::to_string(100 + i), "U8", {1}, {1}});
  stguard::audit::AuditOptions options;
  options.max_findings_per_rule = 10;
  const auto report = audit_of(build_file(tensors), options);
  CHECK(count_rule(report, Rule::name_path_separator) == 10);
  CHECK(report.suppressed_findings == 40);
}

TEST_CASE("audit: the same bytes always give the same report", "[audit]") {
  const auto file = build_file({{"b\u200B", "U8", {3}, {1, 2, 3}}, {"a/../x", "F32", {1}, f32_bytes({1.0F})}}, {}, 1);
  const auto first = audit_of(file);
  const auto second = audit_of(file);
  REQUIRE(first.findings.size() == second.findings.size());
  for (std::size_t i = 0; i < first.findings.size(); ++i) {
    CHECK(first.findings[i].rule == second.findings[i].rule);
    CHECK(first.findings[i].message == second.findings[i].message);
    CHECK(first.findings[i].offset == second.findings[i].offset);
  }
}
