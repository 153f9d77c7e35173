// Every kind of planted problem is found, with the rule docs/audit-rules.md
// documents for it, at low or above: trailing and embedded archives, renamed
// pickles and archives, NaN/Inf, bad BOOLs, bidi and tag characters in names
// and metadata values, huge headers, duplicates the reference resolves, and
// HDF5/PDF signatures where their readers look. The same corpus, written to
// disk by bench/compare_modelaudit.py, is what the ModelAudit comparison runs on.
#include <catch2/catch.hpp>

#include <limits>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

const Bytes kPickle2 = {0x80, 0x02, '}', 'q', 0x00, '.'};
// pickle.dumps({"a": 1}, protocol=4): PROTO, FRAME, EMPTY_DICT, MEMOIZE, ...
const Bytes kPickle4 = {0x80, 0x04, 0x95, 0x0a, 0, 0, 0, 0, 0, 0, 0, '}', 0x94, 0x8c, 0x01, 'a', 0x94, 'K', 0x01, 's', '.'};
// A pickle that calls os.system: what a malicious checkpoint holds.
const Bytes kPickleGlobal = {0x80, 0x02, 'c', 'o', 's', '\n', 's', 'y', 's', 't', 'e', 'm', '\n', 'X', 2, 0, 0, 0,
                             'i', 'd', 0x85, 'R', '.'};

Bytes clean_tensors() { return build_file({{"w", "F32", {4}, f32_bytes({0.1F, 0.2F, 0.3F, 0.4F})}}); }

void expect_found(const Bytes& file, Rule rule, bool scan_values = false, Severity at_least = Severity::low) {
  stguard::audit::AuditOptions options;
  options.scan_values = scan_values;
  const auto report = audit_of(file, options);
  INFO("expected " << stguard::audit::rule_id(rule) << ", got " << rule_ids(report));
  const auto* finding = find_rule(report, rule);
  REQUIRE(finding != nullptr);
  CHECK(finding->severity >= at_least);
}

// The length_spells_pickle finding of `pickle` renamed to .safetensors, with
// 16 zero bytes after it so the file is longer than the prefix it spells.
Finding renamed_pickle_finding(const Bytes& pickle) {
  Bytes renamed = pickle;
  renamed.resize(renamed.size() + 16, 0);
  const auto report = audit_of(renamed);
  const auto* finding = find_rule(report, Rule::length_spells_pickle);
  REQUIRE(finding != nullptr);
  return *finding;
}

}  // namespace

TEST_CASE("audit planted: archives", "[audit][planted]") {
  const Bytes torch_zip = make_zip({{"archive/data.pkl", kPickle2}, {"archive/version", {'3', '\n'}}});
  SECTION("appended after the data (the file is invalid, the archive still found)") {
    Bytes file = clean_tensors();
    file.insert(file.end(), torch_zip.begin(), torch_zip.end());
    expect_found(file, Rule::zip_with_pickle, false, Severity::high);
  }
  SECTION("embedded as the last tensor") {
    expect_found(build_file({{"w", "F32", {1}, f32_bytes({1.0F})}, {"blob", "U8", {torch_zip.size()}, torch_zip}}),
                 Rule::zip_with_pickle, false, Severity::high);
  }
  SECTION("a renamed PyTorch checkpoint") {
    expect_found(torch_zip, Rule::length_spells_zip, false, Severity::high);
    expect_found(torch_zip, Rule::zip_with_pickle, false, Severity::high);
  }
  SECTION("an archive without pickles") {
    const Bytes plain = make_zip({{"tokenizer.json", {'{', '}'}}});
    expect_found(build_file({{"blob", "U8", {plain.size()}, plain}}), Rule::zip_archive, false, Severity::medium);
  }
}

TEST_CASE("audit planted: renamed pickles", "[audit][planted]") {
  for (const Bytes& pickle : {kPickle2, kPickle4, kPickleGlobal}) {
    Bytes file = pickle;
    file.resize(file.size() + 64, 0);
    expect_found(file, Rule::length_spells_pickle, false, Severity::high);
  }
  // torch.save(..., _use_new_zipfile_serialization=False): a magic-number pickle first.
  Bytes legacy = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};
  legacy.insert(legacy.end(), kPickle2.begin(), kPickle2.end());
  expect_found(legacy, Rule::length_spells_pickle, false, Severity::high);
}

TEST_CASE("audit planted: the imports of a pickle are named", "[audit][planted]") {
  const Finding pickle = renamed_pickle_finding(kPickleGlobal);
  CHECK(pickle.message.find("it imports os system") != std::string::npos);
  CHECK(pickle.evidence.find("pickle imports: \"os system\"") != std::string::npos);

  const Bytes archive = make_zip({{"archive/data.pkl", kPickleGlobal}});
  const auto zip_report = audit_of(build_file({{"blob", "U8", {archive.size()}, archive}}));
  const auto* zip = find_rule(zip_report, Rule::zip_with_pickle);
  REQUIRE(zip != nullptr);
  CHECK(zip->message.find("it imports os system") != std::string::npos);

  // STACK_GLOBAL (protocol 4) names its two strings; a plain dict imports nothing.
  const Bytes stack_global = {0x80, 0x04, 0x8c, 0x02, 'o', 's', 0x94, 0x8c, 0x06, 's', 'y', 's', 't', 'e', 'm',
                              0x94, 0x93, 0x94, ')', 'R', '.'};
  const Finding stacked = renamed_pickle_finding(stack_global);
  CHECK(stacked.message.find("it imports os system") != std::string::npos);
  const Finding dict = renamed_pickle_finding(kPickle4);
  CHECK(dict.message.find("imports") == std::string::npos);
}

TEST_CASE("audit planted: values", "[audit][planted]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  expect_found(build_file({{"w", "F32", {2}, f32_bytes({1.0F, nan})}}), Rule::value_nan, true, Severity::medium);
  expect_found(build_file({{"w", "F32", {2}, f32_bytes({1.0F, inf})}}), Rule::value_inf, true);
  expect_found(build_file({{"mask", "BOOL", {3}, {0, 1, 2}}}), Rule::bool_not_zero_one, true, Severity::medium);
}

TEST_CASE("audit planted: deceptive characters in names and metadata values", "[audit][planted]") {
  const Bytes data = f32_bytes({1.0F});
  expect_found(build_file({{"lm_head\u202E.weight", "F32", {1}, data}}), Rule::name_bidi_control, false,
               Severity::high);
  expect_found(build_file({{"lm_head.weight\U000E0041\U000E0042", "F32", {1}, data}}), Rule::name_invisible_character,
               false, Severity::medium);
  expect_found(build_file({{"w", "F32", {1}, data}}, {{"license", "mit \u2066evil\u2069"}}), Rule::metadata_bidi_control,
               false, Severity::medium);
  expect_found(build_file({{"w", "F32", {1}, data}}, {{"description", "ok\U000E0069\U000E0067\U000E006E"}}),
               Rule::metadata_invisible_character, false, Severity::medium);
  // The evidence names the hidden characters; it never carries them.
  const auto hidden = audit_of(build_file({{"w", "F32", {1}, data}}, {{"description", "ok\U000E0069"}}));
  const auto* tag = find_rule(hidden, Rule::metadata_invisible_character);
  REQUIRE(tag != nullptr);
  CHECK(tag->evidence.find("\\u{E0069}") != std::string::npos);
  CHECK(tag->evidence.find("\U000E0069") == std::string::npos);
  CHECK(tag->message.find("\U000E0069") == std::string::npos);
  // Prose characters alone are info, never silent.
  const auto prose = audit_of(build_file({{"w", "F32", {1}, data}}, {{"note", "\u05e9\u05dc\u05d5\u05dd\u200f cat \u2764\ufe0f"}}));
  INFO(rule_ids(prose));
  REQUIRE(find_rule(prose, Rule::metadata_bidi_control) != nullptr);
  CHECK(find_rule(prose, Rule::metadata_bidi_control)->severity == Severity::info);
  REQUIRE(find_rule(prose, Rule::metadata_invisible_character) != nullptr);
  CHECK(find_rule(prose, Rule::metadata_invisible_character)->severity == Severity::info);
  CHECK(prose.count_at_least(Severity::low) == 0);
  // The flag of Scotland is spelled with tag characters; that is an emoji, not hidden text.
  const auto flag = audit_of(build_file({{"w", "F32", {1}, data}},
                                        {{"tags", "scotland \U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"}}));
  INFO(rule_ids(flag));
  CHECK(flag.count_at_least(Severity::low) == 0);
}

TEST_CASE("audit planted: header tricks", "[audit][planted]") {
  SECTION("a huge header") {
    std::string json = "{\"__metadata__\":{\"blob\":\"" + std::string(25'000'100, 'a') + "\"},\"w\":" +
                       tensor_json("U8", {1}, 0, 1) + "}";
    while (json.size() % 8 != 0) json += ' ';
    expect_found(make_file(json, Bytes{1}), Rule::header_over_hub_limit, false, Severity::medium);
  }
  SECTION("a duplicate name the reference resolves (last wins)") {
    const std::string json = "{\"w\":" + tensor_json("F32", {1}, 0, 4) + ",\"w\":" + tensor_json("U8", {4}, 0, 4) + "}";
    expect_found(make_file(json, Bytes{1, 2, 3, 4}), Rule::strict_rejects, false, Severity::high);
  }
}

TEST_CASE("audit planted: HDF5 and PDF signatures where their readers look", "[audit][planted]") {
  const Bytes empty_probe = build_file({{"x", "U8", {4096}, Bytes(4096, 0)}});
  const std::size_t data_offset = empty_probe.size() - 4096;
  Bytes data(4096, 0x42);
  // Superblock version 0, 8-byte offsets and lengths.
  const Bytes superblock = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0, 0, 8, 8, 0};
  std::copy(superblock.begin(), superblock.end(), data.begin() + static_cast<std::ptrdiff_t>(1024 - data_offset));
  expect_found(build_file({{"x", "U8", {4096}, data}}), Rule::hdf5_signature, false, Severity::medium);

  Bytes pdf_data(64, ' ');
  const std::string end = "\n%%EOF\n";
  std::copy(end.begin(), end.end(), pdf_data.end() - static_cast<std::ptrdiff_t>(end.size()));
  expect_found(build_file({{"x", "U8", {pdf_data.size()}, pdf_data}}, {{"doc", "%PDF-1.7\n1 0 obj"}}),
               Rule::pdf_signature, false, Severity::medium);
  expect_found(build_file({{"x", "U8", {1}, {1}}}, {{"doc", "%PDF-1.4 header only"}}), Rule::pdf_signature);
  CHECK(count_rule(audit_of(build_file({{"x", "U8", {1}, {1}}}, {{"doc", "about %PDF- files"}})),
                   Rule::pdf_signature) == 0);
}
