// The metadata-config scanner: finds configuration documents in one
// __metadata__ value and walks them, so the config rules (config_rules.cpp)
// can see what a loader that feeds the value to Hydra's `instantiate`,
// OmegaConf or an unsafe YAML loader would act on.
//
// A document is JSON (an object, an array, or a string that holds one: the
// JSON layer of lib/src/core/json_tokenizer.hpp) or YAML (libyaml's event parser,
// yaml_config.cpp). String leaves that themselves look like documents are
// decoded again, up to kConfigMaxStringLevels deep (JSON in a string in a
// string...). Paths are built as a reader would name the place:
// `model.layers[2]._target_`, with `["key"]` for keys that are not plain
// names; a decoded string continues the path of the leaf it came from.
//
// Cost: every byte of the value is parsed at most twice per decoding level
// (JSON is validated before it is walked), so work is linear in the value and
// kConfigMaxStringLevels; memory is one private copy of the document being
// parsed per level plus kConfigMaxDepth frames. Each bound below is checked
// before the work it guards; hitting one is reported to the visitor once per
// value (on_bound), never silently: the config rules turn it into a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace stguard::audit::detail {

// Largest document parsed (a value, or a decoded string inside one).
inline constexpr std::size_t kConfigMaxDocumentBytes = std::size_t{16} << 20U;  // 16 MiB
// Bytes parsed for one metadata value, over all documents decoded from it.
inline constexpr std::uint64_t kConfigMaxBytesPerValue = std::uint64_t{64} << 20U;  // 64 MiB
// Containers nested in one document (Python loaders recurse per level).
inline constexpr std::uint32_t kConfigMaxDepth = 128;
// Decoding levels for documents held in strings inside documents.
inline constexpr std::uint32_t kConfigMaxStringLevels = 4;
// Parse events (values, keys, container starts and ends) for one metadata value.
inline constexpr std::uint64_t kConfigMaxEventsPerValue = std::uint64_t{4} << 20U;  // 4,194,304
// Documents parsed for one metadata value (the value and its decoded strings).
inline constexpr std::uint32_t kConfigMaxDocumentsPerValue = 4096;
// A key is cut to about this many bytes when it becomes part of a path.
inline constexpr std::size_t kConfigMaxPathKeyBytes = 64;

enum class ConfigSyntax : std::uint8_t { json, yaml };

enum class ConfigBound : std::uint8_t {
  document_bytes,  // kConfigMaxDocumentBytes
  value_bytes,     // kConfigMaxBytesPerValue
  depth,           // kConfigMaxDepth
  string_levels,   // kConfigMaxStringLevels
  events,          // kConfigMaxEventsPerValue
  documents,       // kConfigMaxDocumentsPerValue
};
inline constexpr std::size_t kConfigBoundCount = 6;

// "nesting deeper than 128 levels", ...
[[nodiscard]] std::string config_bound_text(ConfigBound bound);

// Where a leaf, tag or bound sits. `path` is escaped for display; empty for
// the root of the value. `level` is 0 for the metadata value's own document,
// n for a document decoded from a string n levels down.
struct ConfigPlace {
  std::string_view path;
  ConfigSyntax syntax = ConfigSyntax::json;
  std::uint32_t level = 0;
};

// An object (mapping) with a Hydra `_target_` or a jsonargparse `class_path`.
// Reported when the object ends (or the document stops), so the sibling
// directives are known.
struct ConfigTarget {
  std::string path;      // of the directive key, e.g. "model._target_" (escaped for display)
  std::string key;       // "_target_" or "class_path"
  std::string callable;  // the raw value (escape before display)
  bool partial = false;       // `_partial_` is true: the loader gets a functools.partial to call later
  bool not_called = false;    // `_call_` is false: the callable itself is returned (still imported)
  bool allow_pickle = false;  // an `allow_pickle` sibling is true (numpy.load)
  bool from_alias = false;    // the value is a YAML alias (`callable` holds the anchor name)
  ConfigSyntax syntax = ConfigSyntax::json;
  std::uint32_t level = 0;
};

class ConfigVisitor {
 public:
  ConfigVisitor() = default;
  ConfigVisitor(const ConfigVisitor&) = delete;
  ConfigVisitor& operator=(const ConfigVisitor&) = delete;
  virtual ~ConfigVisitor() = default;

  virtual void on_target(const ConfigTarget& target) = 0;
  // Every string leaf of a document (YAML: every scalar in value position)
  // that is not itself a document, except directive values (on_target).
  virtual void on_string(std::string_view value, const ConfigPlace& place) = 0;
  // The metadata value when it holds no config document.
  virtual void on_plain_value(std::string_view value) = 0;
  // A YAML tag in the python/ family (`!!python/object/apply:os.system`), resolved.
  virtual void on_python_tag(std::string_view tag, const ConfigPlace& place) = 0;
  // A bound was hit here; what lies beyond it was not scanned. Once per bound per value.
  virtual void on_bound(ConfigBound bound, const ConfigPlace& place) = 0;
};

// Scans one metadata value. Never throws except std::bad_alloc (the audit
// turns that into an out_of_memory error).
void scan_config_value(std::string_view value, ConfigVisitor& visitor);

}  // namespace stguard::audit::detail
