// The rule table: ids, names, default severities and one-line descriptions,
// in the order of the Rule enum (a static_assert and a test keep them in
// step; docs/audit-rules.md holds the long form of each entry).
#include <algorithm>
#include <array>

#include "stguard/audit_rules.hpp"

namespace stguard::audit {
namespace {

using enum Rule;
using enum Severity;

constexpr std::array kRules{
    RuleInfo{strict_rejects, "STG-STRICT-001", "StrictProfileRejects", high,
             "the reference reader accepts the file but the strict profile rejects it",
             "the file uses a leniency (duplicate keys, decoy fields, big integers, odd padding) on which readers "
             "disagree about what the file holds"},
    RuleInfo{header_length_unaligned, "STG-HDR-001", "HeaderLengthUnaligned", info,
             "the header length N is not a multiple of 8",
             "the reference writer pads to 8 since 0.3; MLX and older writers do not, so this only says which kind "
             "of writer made the file"},
    RuleInfo{header_over_hub_limit, "STG-HDR-002", "HeaderOverHubLimit", medium,
             "the header is larger than 25,000,000 bytes",
             "the Hub's metadata parsers refuse such headers, so what the Hub shows and what a loader reads can "
             "differ; huge headers are also a memory lever"},
    RuleInfo{header_padding_excessive, "STG-HDR-003", "HeaderPaddingExcessive", low,
             "the header padding is larger than the JSON it pads (and larger than 4095 bytes)",
             "writers pad to 8 bytes or to a page; kilobytes of padding are room to hide data"},
    RuleInfo{tensor_misaligned, "STG-LAY-001", "TensorMisaligned", info,
             "a tensor's data does not start at a multiple of its element size in the file",
             "zero-copy readers that cast mapped bytes to typed pointers hit undefined behaviour or slow paths; MLX "
             "and writers before 0.3 lay files out like this"},
    RuleInfo{name_path_traversal, "STG-NAME-001", "NamePathTraversal", medium,
             "a tensor name is an absolute path, a drive path or contains a '..' path component",
             "tools that export tensors to files by name can be steered outside their folder"},
    RuleInfo{name_path_separator, "STG-NAME-002", "NamePathSeparator", info,
             "a tensor name contains '/' or '\\'",
             "names become file paths in some exporters; common in TensorFlow-style names, so informational"},
    RuleInfo{name_bidi_control, "STG-NAME-003", "NameBidiControl", high,
             "a tensor name or metadata key contains a bidirectional control character",
             "the name displays differently from what loaders match (Trojan Source style)"},
    RuleInfo{name_invisible_character, "STG-NAME-004", "NameInvisibleCharacter", medium,
             "a tensor name or metadata key contains a zero-width, invisible or tag character",
             "two names that look identical on screen can be different tensors; tag characters smuggle text"},
    RuleInfo{name_nfc_collision, "STG-NAME-005", "NameNfcCollision", high,
             "two distinct tensor names are equal after Unicode NFC normalisation",
             "readers or file systems that normalise names see one tensor where the file has two"},
    RuleInfo{name_reserved, "STG-NAME-006", "NameReservedLooking", medium,
             "a tensor name is a case or whitespace variant of __metadata__",
             "readers that compare case-insensitively or trim keys take a tensor for the metadata block"},
    RuleInfo{name_runtime_special, "STG-NAME-007", "NameRuntimeSpecial", medium,
             "a tensor name or metadata key is special in a common runtime (__proto__, constructor, __class__, ...)",
             "JavaScript object keys and Python getattr walks over dotted names reach prototypes and class "
             "internals"},
    RuleInfo{metadata_oversized, "STG-META-001", "MetadataOversized", low,
             "a __metadata__ key is longer than 256 bytes or a value longer than 1 MiB",
             "metadata is shown and indexed by hubs and scanners; oversized entries are a hiding place and a "
             "memory lever"},
    RuleInfo{metadata_control_content, "STG-META-002", "MetadataControlContent", medium,
             "a __metadata__ value holds control characters, escape sequences or replacement characters",
             "binary data or terminal escape sequences in metadata reach logs and terminals of whoever prints it"},
    RuleInfo{metadata_foreign_payload, "STG-META-003", "MetadataForeignPayload", high,
             "a __metadata__ entry holds another file format (ZIP, pickle, executable; raw or base64)",
             "metadata is a channel to ship a payload past scanners that only look at tensors"},
    RuleInfo{metadata_bidi_control, "STG-META-004", "MetadataBidiControl", medium,
             "a __metadata__ value contains a bidirectional embedding, override or isolate character",
             "hub pages and terminals show the value reordered (Trojan Source style); plain right-to-left text "
             "needs none of them"},
    RuleInfo{metadata_invisible_character, "STG-META-005", "MetadataInvisibleCharacter", medium,
             "a __metadata__ value contains Unicode tag characters or other invisible characters",
             "tag characters carry hidden ASCII text past reviewers (a prompt-injection channel); zero-width "
             "joiners in emoji and scripts are normal, so those alone are info"},
    RuleInfo{zip_with_pickle, "STG-POLY-001", "ZipPicklePolyglot", high,
             "the file is also a ZIP archive holding a pickle (e.g. archive/data.pkl)",
             "torch.load and Python zipfile read the file as a PyTorch checkpoint and run its pickle"},
    RuleInfo{zip_archive, "STG-POLY-002", "ZipPolyglot", medium,
             "the file is also a ZIP archive (end-of-central-directory record with a consistent central directory)",
             "archive tools and zip-based loaders see different content than safetensors readers"},
    RuleInfo{length_spells_zip, "STG-POLY-003", "LengthSpellsZip", high,
             "the file starts with a ZIP local file header PK\\x03\\x04 whose fields describe an entry",
             "the file starts like a ZIP archive, so format sniffers and scanners classify it as one"},
    RuleInfo{length_spells_pickle, "STG-POLY-004", "LengthSpellsPickle", high,
             "the file starts with a pickle PROTO opcode (0x80, protocol 2 to 5) and a pickle reader accepts what follows",
             "the file starts like a pickle, so pickle loaders and sniffers treat it as one"},
    RuleInfo{hdf5_signature, "STG-POLY-005", "Hdf5Polyglot", medium,
             "an HDF5 superblock signature sits at offset 0 or at a power of two from 512 on",
             "HDF5 readers (h5py, Keras .h5 loaders) search exactly there and would open the file"},
    RuleInfo{pdf_signature, "STG-POLY-006", "PdfPolyglot", medium,
             "a PDF header %PDF-d.d appears within the first 1024 bytes",
             "PDF readers accept a file whose signature is anywhere in its first kilobyte"},
    RuleInfo{value_nan, "STG-VAL-001", "TensorHasNaN", medium,
             "a floating-point tensor holds NaN values",
             "NaN weights poison every output they touch; trained weights have none"},
    RuleInfo{value_inf, "STG-VAL-002", "TensorHasInf", low,
             "a floating-point tensor holds infinite values",
             "infinite weights overflow activations; trained weights rarely have them"},
    RuleInfo{bool_not_zero_one, "STG-VAL-003", "BoolNotZeroOne", medium,
             "a BOOL tensor holds bytes other than 0 and 1",
             "loading such bytes as bool is undefined behaviour in C++ and reads differently across frameworks"},
    RuleInfo{tensor_all_zero, "STG-VAL-004", "TensorAllZero", info,
             "a tensor of non-zero size holds only zero bytes",
             "often a placeholder or an untrained buffer; zero-size tensors are legitimate and never flagged"},
    RuleInfo{tensors_identical, "STG-VAL-005", "TensorsIdentical", info,
             "several tensors hold identical bytes (tied or duplicated weights)",
             "tied weights are normal; duplicates waste space and may mean a copied layer"},
    RuleInfo{shard_index_invalid_json, "STG-SHARD-001", "ShardIndexInvalid", high,
             "the sharded-checkpoint index is not a valid index document",
             "loaders disagree about malformed indexes"},
    RuleInfo{shard_bad_name, "STG-SHARD-002", "ShardBadName", high,
             "the index names a shard that is not a plain file name in the index's folder",
             "a shard name can point a loader at another folder, a URL or a device"},
    RuleInfo{shard_tensor_missing, "STG-SHARD-003", "ShardTensorMissing", high,
             "a tensor listed in weight_map is absent from the shard it names",
             "loaders fail or silently use an uninitialised tensor"},
    RuleInfo{shard_tensor_unlisted, "STG-SHARD-004", "ShardTensorUnlisted", medium,
             "a shard holds a tensor that weight_map does not list",
             "loaders that trust the index never see it; loaders that scan shards do"},
    RuleInfo{shard_tensor_elsewhere, "STG-SHARD-005", "ShardTensorElsewhere", high,
             "a tensor listed for one shard is also present in another shard",
             "which copy is loaded depends on the loader: a parser differential across files"},
    RuleInfo{shard_total_size_mismatch, "STG-SHARD-006", "ShardTotalSizeMismatch", low,
             "metadata.total_size is absent or differs from the sum of the tensors' byte sizes",
             "loaders preallocate from it; a wrong value means a tampered or stale index"},
    RuleInfo{shard_too_many, "STG-SHARD-007", "ShardTooMany", medium,
             "the index names more shard files than the limit",
             "an attack on whoever checks or downloads the set"},
    RuleInfo{shard_invalid, "STG-SHARD-008", "ShardInvalid", high,
             "a shard named by the index is missing, unreadable or not a valid safetensors file",
             "the checkpoint cannot be loaded as the index describes it"},
    RuleInfo{config_dangerous_target, "STG-CFG-001", "ConfigDangerousTarget", high,
             "a config in metadata has a Hydra _target_ (or class_path) naming a dangerous callable",
             "loaders that pass metadata configs to Hydra's instantiate import and call it: code execution, "
             "processes, files, network or a deserialiser on load"},
    RuleInfo{config_target, "STG-CFG-002", "ConfigTarget", info,
             "a config in metadata has a Hydra _target_ (or class_path) naming another callable",
             "a loader using Hydra will import and call it; worth knowing which code a file asks for"},
    RuleInfo{config_resolver_interpolation, "STG-CFG-003", "ConfigResolverInterpolation", medium,
             "a config value holds an OmegaConf resolver interpolation (${oc.env:...}, ${eval:...}, ...)",
             "resolving the config reads the loader's environment or runs a resolver the loading code registered"},
    RuleInfo{config_yaml_python_tag, "STG-CFG-004", "ConfigYamlPythonTag", high,
             "a YAML config in metadata carries a python/ tag (!!python/object/apply:...)",
             "PyYAML's unsafe loaders import and call what the tag names"},
    RuleInfo{config_scan_incomplete, "STG-CFG-005", "ConfigScanIncomplete", medium,
             "a config in metadata goes beyond the scanner's bounds (size, depth, decoding levels, events)",
             "the part beyond the bound was not checked; mainstream writers never come near them"},
};

static_assert(kRules.size() == kRuleCount, "one table row per Rule");

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kRules.size(); ++i) {
    if (static_cast<std::size_t>(kRules[i].rule) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "the table is indexed by the Rule value");

// Indexed by the Severity value (info = 0 .. high = 3).
constexpr std::array<std::string_view, 4> kSeverityNames{"info", "low", "medium", "high"};

}  // namespace

std::string_view severity_name(Severity severity) noexcept {
  const auto index = static_cast<std::size_t>(severity);
  return index < kSeverityNames.size() ? kSeverityNames[index] : "unknown";
}

std::optional<Severity> severity_from_name(std::string_view name) noexcept {
  for (std::size_t index = 0; index < kSeverityNames.size(); ++index) {
    if (kSeverityNames[index] == name) return static_cast<Severity>(index);
  }
  return std::nullopt;
}

const RuleInfo& rule_info(Rule rule) noexcept {
  const auto index = static_cast<std::size_t>(rule);
  return index < kRules.size() ? kRules[index] : kRules[0];
}

std::string_view rule_id(Rule rule) noexcept { return rule_info(rule).id; }

std::span<const RuleInfo> all_rules() noexcept { return kRules; }

std::optional<Rule> rule_from_id(std::string_view id) noexcept {
  const auto found = std::find_if(kRules.begin(), kRules.end(), [&](const RuleInfo& info) { return info.id == id; });
  if (found == kRules.end()) return std::nullopt;
  return found->rule;
}

std::optional<Rule> rule_for_index_error(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::index_invalid_json: return Rule::shard_index_invalid_json;
    case ErrorCode::index_bad_shard_name: return Rule::shard_bad_name;
    case ErrorCode::index_tensor_missing: return Rule::shard_tensor_missing;
    case ErrorCode::index_tensor_unlisted: return Rule::shard_tensor_unlisted;
    case ErrorCode::index_tensor_elsewhere: return Rule::shard_tensor_elsewhere;
    case ErrorCode::index_total_size_mismatch: return Rule::shard_total_size_mismatch;
    case ErrorCode::index_too_many_shards: return Rule::shard_too_many;
    case ErrorCode::index_shard_invalid: return Rule::shard_invalid;
    default: return std::nullopt;
  }
}

}  // namespace stguard::audit
