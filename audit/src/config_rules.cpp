// Config rules: what a loader that hands a metadata value to Hydra's
// `instantiate`, OmegaConf or an unsafe YAML loader would do with it.
// STG-CFG-001/002 for `_target_` / `class_path` directives, STG-CFG-003 for
// OmegaConf resolver interpolations, STG-CFG-004 for YAML python/ tags,
// STG-CFG-005 for documents beyond the scanner's bounds, and STG-META-003
// (the foreign-payload rule) for payloads and scripts in string leaves.
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "callable_danger.hpp"
#include "config_scan.hpp"
#include "config_walker.hpp"
#include "payload_scan.hpp"
#include "rule_passes.hpp"
#include "script_scan.hpp"
#include "text_scan.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

// Resolvers that only read the config itself or Hydra's run state: info.
constexpr std::array kReadOnlyResolvers{"oc.select"sv, "oc.dict.keys"sv, "oc.dict.values"sv, "oc.deprecated"sv,
                                        "oc.create"sv, "now"sv, "hydra"sv};
// At most this many distinct resolvers are named per leaf.
constexpr std::size_t kMaxResolversNamed = 6;

struct Interpolations {
  std::vector<std::string> resolvers;  // distinct, in order of appearance
  Severity severity = Severity::info;
  std::size_t first_position = 0;
  std::string_view what;               // why the most severe one matters
};

bool is_resolver_name_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

std::string_view resolver_effect(std::string_view name) noexcept {
  if (name == "oc.env" || name == "env") return "reads the loader's environment";
  if (name.find("eval") != std::string_view::npos || name.find("exec") != std::string_view::npos ||
      name.find("python") != std::string_view::npos || name.find("lambda") != std::string_view::npos) {
    return "evaluates code";
  }
  if (name == "oc.decode") return "parses a string into new config (and new interpolations)";
  return "calls a resolver the loading code registered";
}

// `${name:args}` calls resolver `name`; `${a.b}` and `${..x}` are plain
// references (not findings); `\${` is an escaped literal. Nested calls
// (`${oc.env:${x}}`) are found on their own.
Interpolations find_interpolations(std::string_view text) {
  Interpolations found;
  for (std::size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at + 2)) {
    if (at > 0 && text[at - 1] == '\\') continue;
    std::size_t cursor = at + 2;
    while (cursor < text.size() && (text[cursor] == ' ' || text[cursor] == '\t')) ++cursor;
    const std::size_t name_begin = cursor;
    while (cursor < text.size() && is_resolver_name_char(text[cursor])) ++cursor;
    const std::string_view name = text.substr(name_begin, cursor - name_begin);
    while (cursor < text.size() && (text[cursor] == ' ' || text[cursor] == '\t')) ++cursor;
    if (name.empty() || cursor >= text.size() || text[cursor] != ':') continue;
    std::string lowered(name);
    for (char& c : lowered) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool read_only = false;
    for (const std::string_view safe : kReadOnlyResolvers) read_only = read_only || lowered == safe;
    const Severity severity = read_only ? Severity::info : Severity::medium;
    if (found.resolvers.empty() || severity > found.severity) {
      found.severity = severity;
      found.first_position = at;
      found.what = read_only ? "only reads the config" : resolver_effect(lowered);
    }
    const bool seen = std::find(found.resolvers.begin(), found.resolvers.end(), lowered) != found.resolvers.end();
    if (!seen && found.resolvers.size() < kMaxResolversNamed) found.resolvers.push_back(std::move(lowered));
  }
  return found;
}

class ConfigFindings final : public ConfigVisitor {
 public:
  ConfigFindings(std::string_view key, std::string_view value, FindingSink& sink)
      : key_(key), value_(value), sink_(sink), where_("metadata key " + quote_for_display(key)) {}

  void on_target(const ConfigTarget& target) override {
    const bool computed = target.from_alias || target.callable.find("${") != std::string::npos;
    const CallableVerdict verdict = classify_callable(target.callable, target.allow_pickle);
    const bool dangerous = computed || verdict.dangerous;
    const Rule rule = dangerous ? Rule::config_dangerous_target : Rule::config_target;
    if (skip(rule)) return;
    std::string message = where_ + ": " +
                          (target.path.empty() ? "the __metadata__ block itself is a config: its " + target.key
                                               : target.key + " at " + target.path) +
                          " names " +
                          (target.from_alias ? "the YAML alias *" + display_excerpt(target.callable, 64)
                                             : quote_for_display(target.callable));
    if (target.from_alias) {
      message += ", whatever the anchor holds, so it can name anything";
    } else if (computed) {
      message += ", computed by an interpolation when the config is resolved, so it can name anything";
    } else if (verdict.dangerous) {
      message += " (" + std::string(verdict.family) + ")";
    }
    if (target.partial) message += "; _partial_ is true: the loader gets it as a callable to call later";
    if (target.not_called) message += "; _call_ is false: the callable itself is returned (and still imported)";
    if (target.allow_pickle) message += "; allow_pickle is true";
    message += "; a loader that passes this config to Hydra's instantiate imports and calls it";
    if (target.level > 0) message += " (decoded from a string " + std::to_string(target.level) + " level(s) down)";
    add(rule, rule_info(rule).severity, target.path, std::move(message),
        target.key + ": " + quote_for_display(target.callable) +
            (target.from_alias || verdict.normalized.empty() ? "" : "; matched as " + quote_for_display(verdict.normalized)));
  }

  void on_string(std::string_view value, const ConfigPlace& place) override {
    check_interpolations(value, place.path);
    if (!payload_in_value()) {
      if (const auto match = find_foreign_payload(value)) {
        if (!skip(Rule::metadata_foreign_payload)) {
          add(Rule::metadata_foreign_payload, match->severity, place.path,
              where_ + ": the config value at " + leaf_name(place.path) + " holds a " + std::string(match->format) +
                  " at character " + std::to_string(match->position),
              quote_for_display(value.substr(match->position)));
        }
        return;
      }
    }
    if (const auto script = find_script(value)) {
      if (skip(Rule::metadata_foreign_payload)) return;
      add(Rule::metadata_foreign_payload, Severity::medium, place.path,
          where_ + ": the config value at " + leaf_name(place.path) + " holds " + std::string(script->language) +
              " (" + quote_for_display(script->marker) + " at character " + std::to_string(script->position) + ")",
          quote_for_display(value.substr(script->position)));
    }
  }

  void on_plain_value(std::string_view value) override { check_interpolations(value, {}); }

  void on_python_tag(std::string_view tag, const ConfigPlace& place) override {
    if (skip(Rule::config_yaml_python_tag)) return;
    add(Rule::config_yaml_python_tag, Severity::high, place.path,
        where_ + ": the YAML node at " + leaf_name(place.path) + " has the tag " + quote_for_display(tag) +
            ", which PyYAML's unsafe loaders (yaml.load with Loader, yaml.unsafe_load) import and call",
        quote_for_display(tag));
  }

  void on_bound(ConfigBound bound, const ConfigPlace& place) override {
    if (skip(Rule::config_scan_incomplete)) return;
    add(Rule::config_scan_incomplete, Severity::medium, place.path,
        where_ + ": a " + std::string(place.syntax == ConfigSyntax::json ? "JSON" : "YAML") + " config at " +
            leaf_name(place.path) + " goes beyond the scanner's bounds (" + config_bound_text(bound) +
            "); the rest was not checked",
        config_bound_text(bound));
  }

 private:
  static std::string leaf_name(std::string_view path) { return path.empty() ? "the root" : std::string(path); }

  bool skip(Rule rule) {
    if (!sink_.full(rule)) return false;
    sink_.count_suppressed();
    return true;
  }

  // The value as a whole already carries a payload (STG-META-003 from the
  // metadata pass): its leaves would repeat that finding.
  bool payload_in_value() {
    if (!payload_in_value_) payload_in_value_ = find_foreign_payload(value_).has_value();
    return *payload_in_value_;
  }

  void check_interpolations(std::string_view value, std::string_view path) {
    if (value.find("${") == std::string_view::npos) return;
    const Interpolations found = find_interpolations(value);
    if (found.resolvers.empty() || skip(Rule::config_resolver_interpolation)) return;
    std::string names;
    for (const std::string& name : found.resolvers) names += (names.empty() ? "" : ", ") + display_excerpt(name, 32);
    add(Rule::config_resolver_interpolation, found.severity, path,
        where_ + (path.empty() ? std::string(": the value") : ": the config value at " + std::string(path)) +
            " holds an OmegaConf resolver interpolation (" + names + "); resolving it " + std::string(found.what),
        quote_for_display(value.substr(found.first_position)));
  }

  void add(Rule rule, Severity severity, std::string_view path, std::string message, std::string evidence) {
    Finding finding;
    finding.rule = rule;
    finding.severity = severity;
    finding.metadata_key = std::string(key_);
    finding.json_path = std::string(path);
    finding.message = std::move(message);
    finding.evidence = std::move(evidence);
    sink_.add(std::move(finding));
  }

  std::string_view key_;
  std::string_view value_;
  FindingSink& sink_;
  std::string where_;
  std::optional<bool> payload_in_value_;
};

// A loader may hand the whole __metadata__ map to `instantiate`: a
// `_target_` key in it is a directive like one inside a value.
void check_metadata_as_config(const Header& header, FindingSink& sink) {
  ConfigTarget flags;
  for (const MetadataEntry& entry : header.metadata()) {
    const ScalarKind kind = yaml_plain_kind(entry.value);
    if (entry.key == "_partial_") flags.partial = kind == ScalarKind::truthy;
    if (entry.key == "_call_") flags.not_called = kind == ScalarKind::falsy;
    if (entry.key == "allow_pickle") flags.allow_pickle = kind == ScalarKind::truthy;
  }
  for (const MetadataEntry& entry : header.metadata()) {
    if (entry.key != "_target_" && entry.key != "class_path") continue;
    ConfigTarget target = flags;
    target.key = entry.key;
    target.callable = entry.value;
    ConfigFindings findings(entry.key, entry.value, sink);
    findings.on_target(target);
  }
}

}  // namespace

void check_config_entry(std::string_view key, std::string_view value, FindingSink& sink) {
  ConfigFindings findings(key, value, sink);
  scan_config_value(value, findings);
}

void check_configs(const Header& header, FindingSink& sink) {
  check_metadata_as_config(header, sink);
  for (const MetadataEntry& entry : header.metadata()) check_config_entry(entry.key, entry.value, sink);
}

}  // namespace stguard::audit::detail
