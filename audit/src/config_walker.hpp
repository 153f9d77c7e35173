// The parts of the metadata-config scanner that both document syntaxes
// share: ConfigWalker turns a parser's events (JSON from the tokenizer, YAML
// from libyaml) into paths, Hydra directives and string leaves;
// ConfigScanDriver holds one metadata value's budgets and decodes documents
// found in string leaves. Internal to config_scan.cpp and yaml_config.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config_scan.hpp"

namespace stguard::audit::detail {

// What a scalar is, as far as the directive rules care. YAML plain scalars
// are classified by YAML 1.1's words (true/yes/on, false/no/off, null/~).
enum class ScalarKind : std::uint8_t { string, number, truthy, falsy, null, alias };

// What a YAML plain scalar means by YAML 1.1's words (what PyYAML resolves);
// also how a directive given as a JSON string ("true") is read.
[[nodiscard]] ScalarKind yaml_plain_kind(std::string_view text) noexcept;

class ConfigScanDriver;

class ConfigWalker {
 public:
  ConfigWalker(ConfigScanDriver& driver, std::string_view base_path, ConfigSyntax syntax, std::uint32_t level);

  // Each returns false when the parse must stop (a bound was hit and reported).
  [[nodiscard]] bool begin_container(bool mapping);
  [[nodiscard]] bool end_container();
  // A key when the innermost mapping expects one, else a value.
  [[nodiscard]] bool scalar(std::string_view text, ScalarKind kind);
  // A python/ tag on the node that comes next.
  void python_tag(std::string_view tag);
  // Reports the directives of objects still open (the parse stopped early).
  void finish();

  [[nodiscard]] bool saw_container() const noexcept { return saw_container_; }
  [[nodiscard]] bool saw_root_string() const noexcept { return saw_root_string_; }

 private:
  struct Frame {
    bool mapping = false;
    bool expect_key = true;
    bool complex_key = false;        // a container sits in key position (YAML `? [a]: b`)
    std::uint64_t next_index = 0;    // arrays
    std::size_t parent_path_size = 0;  // path_ before this container's own component
    std::string key;                 // the pending key, raw, cut a little past kConfigMaxPathKeyBytes
    std::optional<ConfigTarget> target;
    bool partial = false;
    bool not_called = false;
    bool allow_pickle = false;
  };
  // Appends the component of the node that comes next; returns the old path size.
  std::size_t enter_child();
  void after_child();
  void value_in_mapping(Frame& frame, std::string_view text, ScalarKind kind);
  void report_target(Frame& frame);
  [[nodiscard]] ConfigPlace place() const noexcept { return {path_, syntax_, level_}; }

  ConfigScanDriver& driver_;
  ConfigSyntax syntax_;
  std::uint32_t level_;
  std::string path_;
  std::vector<Frame> frames_;
  bool saw_container_ = false;
  bool saw_root_string_ = false;
};

class ConfigScanDriver {
 public:
  explicit ConfigScanDriver(ConfigVisitor& visitor) noexcept : visitor_(visitor) {}

  // Parses `text` if it looks like a config document; true when it was one
  // (a container, or a JSON string at the root).
  bool document(std::string_view text, std::uint32_t level, std::string_view path);
  // A string leaf: reported, then decoded when it looks like a document.
  void string_leaf(std::string_view value, const ConfigPlace& place);
  // False once the event budget is spent.
  [[nodiscard]] bool take_event(const ConfigPlace& place);
  void bound(ConfigBound bound, const ConfigPlace& place);
  [[nodiscard]] ConfigVisitor& visitor() noexcept { return visitor_; }

 private:
  ConfigVisitor& visitor_;
  std::uint64_t bytes_left_ = kConfigMaxBytesPerValue;
  std::uint64_t events_left_ = kConfigMaxEventsPerValue;
  std::uint32_t documents_left_ = kConfigMaxDocumentsPerValue;
  std::array<bool, kConfigBoundCount> reported_{};
};

// Feeds `text` to libyaml's event parser and `walker`. Stops at the first
// YAML error (what came before stands) or when the walker says stop.
void walk_yaml(std::string_view text, ConfigWalker& walker);

}  // namespace stguard::audit::detail
