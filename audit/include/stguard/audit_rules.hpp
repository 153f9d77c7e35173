// The audit rules: stable ids, severities, and the one table that describes
// them (docs/audit-rules.md documents each rule; a test checks that the table
// and that document agree).
//
// A rule id ("STG-HDR-001") never changes meaning once released and is never
// reused; new rules get new numbers. Severity says how much a finding matters
// to someone who gates or scans model files: `high` means two programs can
// disagree about what the file is (a polyglot, a parser differential) or a
// loader can be steered; `info` is worth knowing and never a problem by itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "stguard/error.hpp"

namespace stguard::audit {

enum class Severity : std::uint8_t { info = 0, low = 1, medium = 2, high = 3 };

// "info", "low", "medium", "high".
[[nodiscard]] std::string_view severity_name(Severity severity) noexcept;
[[nodiscard]] std::optional<Severity> severity_from_name(std::string_view name) noexcept;

enum class Rule : std::uint16_t {
  // strictness
  strict_rejects = 0,          // STG-STRICT-001
  // header
  header_length_unaligned,     // STG-HDR-001
  header_over_hub_limit,       // STG-HDR-002
  header_padding_excessive,    // STG-HDR-003
  // layout
  tensor_misaligned,           // STG-LAY-001
  // names
  name_path_traversal,         // STG-NAME-001
  name_path_separator,         // STG-NAME-002
  name_bidi_control,           // STG-NAME-003
  name_invisible_character,    // STG-NAME-004
  name_nfc_collision,          // STG-NAME-005
  name_reserved,               // STG-NAME-006
  name_runtime_special,        // STG-NAME-007
  // metadata
  metadata_oversized,          // STG-META-001
  metadata_control_content,    // STG-META-002
  metadata_foreign_payload,    // STG-META-003
  metadata_bidi_control,       // STG-META-004
  metadata_invisible_character,  // STG-META-005
  // polyglots
  zip_with_pickle,             // STG-POLY-001
  zip_archive,                 // STG-POLY-002
  length_spells_zip,           // STG-POLY-003
  length_spells_pickle,        // STG-POLY-004
  hdf5_signature,              // STG-POLY-005
  pdf_signature,               // STG-POLY-006
  // values (the optional pass over tensor data)
  value_nan,                   // STG-VAL-001
  value_inf,                   // STG-VAL-002
  bool_not_zero_one,           // STG-VAL-003
  tensor_all_zero,             // STG-VAL-004
  tensors_identical,           // STG-VAL-005
  // sharded checkpoints (one per index_* error code of shard_index.hpp)
  shard_index_invalid_json,    // STG-SHARD-001
  shard_bad_name,              // STG-SHARD-002
  shard_tensor_missing,        // STG-SHARD-003
  shard_tensor_unlisted,       // STG-SHARD-004
  shard_tensor_elsewhere,      // STG-SHARD-005
  shard_total_size_mismatch,   // STG-SHARD-006
  shard_too_many,              // STG-SHARD-007
  shard_invalid,               // STG-SHARD-008
  // configuration documents in metadata values (Hydra, OmegaConf, YAML)
  config_dangerous_target,     // STG-CFG-001
  config_target,               // STG-CFG-002
  config_resolver_interpolation,  // STG-CFG-003
  config_yaml_python_tag,      // STG-CFG-004
  config_scan_incomplete,      // STG-CFG-005
};
inline constexpr std::size_t kRuleCount = static_cast<std::size_t>(Rule::config_scan_incomplete) + 1;

struct RuleInfo {
  Rule rule;
  std::string_view id;          // "STG-HDR-001"
  std::string_view name;        // "HeaderLengthUnaligned" (SARIF rule name)
  Severity severity;            // the default; a few rules raise or lower it per finding (see the docs)
  std::string_view summary;     // one line: what is found
  std::string_view rationale;   // one or two lines: why it matters
};

[[nodiscard]] const RuleInfo& rule_info(Rule rule) noexcept;
[[nodiscard]] std::string_view rule_id(Rule rule) noexcept;
// Every rule, in id order within each family, as the enum lists them.
[[nodiscard]] std::span<const RuleInfo> all_rules() noexcept;
[[nodiscard]] std::optional<Rule> rule_from_id(std::string_view id) noexcept;
// The sharded-checkpoint rule that reports an index_* error code (nullopt for other codes).
[[nodiscard]] std::optional<Rule> rule_for_index_error(ErrorCode code) noexcept;

}  // namespace stguard::audit
