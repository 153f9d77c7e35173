// The metadata-config scanner: which values are documents, JSON through the
// project's JSON layer (validated, then walked), the shared walker that
// builds paths and collects Hydra directives, and the per-value budgets.
#include "config_scan.hpp"

#include "core/json_tokenizer.hpp"  // first: it sets RAPIDJSON_ASSERT before RapidJSON is included

#include <algorithm>
#include <vector>

#include "config_walker.hpp"
#include "text_scan.hpp"
#include "core/utf8.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

std::string_view trim_start(std::string_view text) noexcept {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  return start == std::string_view::npos ? std::string_view{} : text.substr(start);
}

bool is_plain_key(std::string_view key) noexcept {
  return !key.empty() && key.size() <= kConfigMaxPathKeyBytes && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '$' || c == '@';
  });
}

// `["key"]` for keys a dotted path cannot show (dots, spaces, quotes, ...).
std::string path_component(std::string_view key, bool at_root) {
  if (is_plain_key(key)) return (at_root ? "" : ".") + std::string(key);
  std::string out = "[\"";
  for (const char c : display_excerpt(key, kConfigMaxPathKeyBytes)) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"]";
}

// A line `key: value` or `key:` (after any `- ` sequence marks): what a
// block mapping looks like. Comment lines and lines without such a colon are
// not evidence.
bool is_block_mapping_line(std::string_view line) noexcept {
  std::size_t at = line.find_first_not_of(' ');
  while (at != std::string_view::npos && line.substr(at, 2) == "- ") at = line.find_first_not_of(' ', at + 2);
  if (at == std::string_view::npos || line[at] == '#') return false;
  const std::size_t colon = line.find(':', at);
  if (colon == std::string_view::npos || colon == at) return false;
  return colon + 1 == line.size() || line[colon + 1] == ' ' || line[colon + 1] == '\t' || line[colon + 1] == '\r';
}

// Any text is a YAML scalar; only text with YAML structure (flow brackets,
// document markers, block mapping lines on several lines) or with the
// directives the rules look for is parsed as YAML.
bool looks_like_yaml(std::string_view text) noexcept {
  if (text.empty()) return false;
  if (text.front() == '{' || text.front() == '[') return true;
  if (text.starts_with("---") || text.starts_with("%YAML")) return true;
  for (const std::string_view needle : {"_target_"sv, "class_path"sv, "!!python/"sv, "!python/"sv}) {
    if (text.find(needle) != std::string_view::npos) return true;
  }
  if (text.find('\n') == std::string_view::npos) return false;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    if (is_block_mapping_line(text.substr(begin, end - begin))) return true;
    begin = end + 1;
  }
  return false;
}

// Hydra's `_target_` and jsonargparse's `class_path`: the key names a callable.
bool is_target_key(std::string_view key) noexcept { return key == "_target_" || key == "class_path"; }

bool looks_like_json(std::string_view text) noexcept {
  return !text.empty() && (text.front() == '{' || text.front() == '[' || text.front() == '"');
}

// Accepts every event: only asks the JSON layer whether the text is JSON.
class JsonCheckSink {
 public:
  bool on_object_start(std::uint64_t) noexcept { return true; }
  bool on_array_start(std::uint64_t) noexcept { return true; }
  bool on_object_end(std::uint64_t) noexcept { return true; }
  bool on_array_end(std::uint64_t) noexcept { return true; }
  bool on_key(std::string_view, std::uint64_t) noexcept { return true; }
  bool on_string(std::string_view, std::uint64_t) noexcept { return true; }
  bool on_number(std::string_view, std::uint64_t) noexcept { return true; }
  bool on_bool(bool, std::uint64_t) noexcept { return true; }
  bool on_null(std::uint64_t) noexcept { return true; }
  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }

 private:
  std::optional<Error> error_;
};

class JsonWalkSink {
 public:
  explicit JsonWalkSink(ConfigWalker& walker) noexcept : walker_(walker) {}
  bool on_object_start(std::uint64_t) { return walker_.begin_container(true); }
  bool on_array_start(std::uint64_t) { return walker_.begin_container(false); }
  bool on_object_end(std::uint64_t) { return walker_.end_container(); }
  bool on_array_end(std::uint64_t) { return walker_.end_container(); }
  bool on_key(std::string_view key, std::uint64_t) { return walker_.scalar(key, ScalarKind::string); }
  bool on_string(std::string_view value, std::uint64_t) { return walker_.scalar(value, ScalarKind::string); }
  bool on_number(std::string_view raw, std::uint64_t) { return walker_.scalar(raw, ScalarKind::number); }
  bool on_bool(bool value, std::uint64_t) {
    return walker_.scalar(value ? "true" : "false", value ? ScalarKind::truthy : ScalarKind::falsy);
  }
  bool on_null(std::uint64_t) { return walker_.scalar("null", ScalarKind::null); }
  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }

 private:
  ConfigWalker& walker_;
  std::optional<Error> error_;
};

// One more level than the walker allows, so the walker (which knows the
// path) reports the depth bound, not the tokenizer.
stguard::detail::TokenizerConfig json_config() noexcept {
  stguard::detail::TokenizerConfig config;
  config.max_depth = kConfigMaxDepth + 1;
  config.base_offset = 0;
  config.strict = false;  // whitespace around the value is normal in a string
  return config;
}

template <typename Sink>
std::optional<Error> run_json(std::string_view text, Sink& sink) {
  // The tokenizer parses in place: a private copy, never the header's bytes.
  std::vector<char> scratch(text.begin(), text.end());
  stguard::detail::TokenizerNotes notes;
  return stguard::detail::tokenize_json(std::span<char>(scratch), json_config(), sink, notes);
}

// JSON, or JSON cut short only by the depth bound (walked up to it).
bool is_json_document(std::string_view text) {
  JsonCheckSink check;
  const auto error = run_json(text, check);
  return !error || error->code == ErrorCode::limit_depth;
}

}  // namespace

std::string config_bound_text(ConfigBound bound) {
  switch (bound) {
    case ConfigBound::document_bytes:
      return "a document larger than " + std::to_string(kConfigMaxDocumentBytes) + " bytes";
    case ConfigBound::value_bytes:
      return "more than " + std::to_string(kConfigMaxBytesPerValue) + " bytes of documents in one value";
    case ConfigBound::depth: return "nesting deeper than " + std::to_string(kConfigMaxDepth) + " levels";
    case ConfigBound::string_levels:
      return "documents encoded in strings more than " + std::to_string(kConfigMaxStringLevels) + " levels deep";
    case ConfigBound::events: return "more than " + std::to_string(kConfigMaxEventsPerValue) + " parse events";
    case ConfigBound::documents:
      return "more than " + std::to_string(kConfigMaxDocumentsPerValue) + " documents in one value";
  }
  return "a scanner bound";
}

ScalarKind yaml_plain_kind(std::string_view text) noexcept {
  for (const std::string_view word : {"true"sv, "True"sv, "TRUE"sv, "yes"sv, "Yes"sv, "YES"sv, "on"sv, "On"sv, "ON"sv}) {
    if (text == word) return ScalarKind::truthy;
  }
  for (const std::string_view word : {"false"sv, "False"sv, "FALSE"sv, "no"sv, "No"sv, "NO"sv, "off"sv, "Off"sv, "OFF"sv}) {
    if (text == word) return ScalarKind::falsy;
  }
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return ScalarKind::null;
  return ScalarKind::string;
}

// ---- ConfigWalker ----

ConfigWalker::ConfigWalker(ConfigScanDriver& driver, std::string_view base_path, ConfigSyntax syntax,
                           std::uint32_t level)
    : driver_(driver), syntax_(syntax), level_(level), path_(base_path) {}

std::size_t ConfigWalker::enter_child() {
  const std::size_t old_size = path_.size();
  if (frames_.empty()) return old_size;
  Frame& frame = frames_.back();
  if (!frame.mapping) {
    path_ += "[" + std::to_string(frame.next_index) + "]";
  } else if (frame.expect_key) {
    path_ += "[?]";  // a complex (container) key
  } else {
    path_ += path_component(frame.key, path_.empty());
  }
  return old_size;
}

void ConfigWalker::after_child() {
  if (frames_.empty()) return;
  Frame& frame = frames_.back();
  if (!frame.mapping) {
    ++frame.next_index;
  } else if (frame.complex_key) {
    frame.complex_key = false;
    frame.expect_key = false;
    frame.key = "?";
  } else {
    frame.expect_key = true;
  }
}

bool ConfigWalker::begin_container(bool mapping) {
  if (!driver_.take_event(place())) return false;
  if (frames_.size() >= kConfigMaxDepth) {
    driver_.bound(ConfigBound::depth, place());
    return false;
  }
  saw_container_ = true;
  if (!frames_.empty() && frames_.back().mapping && frames_.back().expect_key) frames_.back().complex_key = true;
  Frame frame;
  frame.mapping = mapping;
  frame.parent_path_size = enter_child();
  frames_.push_back(std::move(frame));
  return true;
}

bool ConfigWalker::end_container() {
  if (!driver_.take_event(place())) return false;
  if (frames_.empty()) return true;  // the parser guarantees balance; stay safe regardless
  report_target(frames_.back());
  path_.resize(frames_.back().parent_path_size);
  frames_.pop_back();
  after_child();
  return true;
}

void ConfigWalker::report_target(Frame& frame) {
  if (!frame.target) return;
  frame.target->partial = frame.partial;
  frame.target->not_called = frame.not_called;
  frame.target->allow_pickle = frame.allow_pickle;
  driver_.visitor().on_target(*frame.target);
  frame.target.reset();
}

void ConfigWalker::value_in_mapping(Frame& frame, std::string_view text, ScalarKind kind) {
  const std::string_view key = frame.key;
  const bool textual = kind == ScalarKind::string;
  if (is_target_key(key) && (textual || kind == ScalarKind::alias)) {
    report_target(frame);  // a repeated key: the earlier one is reported too
    ConfigTarget target;
    target.path = path_;
    target.key = std::string(key);
    target.callable = std::string(text);
    target.from_alias = kind == ScalarKind::alias;
    target.syntax = syntax_;
    target.level = level_;
    frame.target = std::move(target);
  } else if (key == "_partial_") {
    frame.partial = kind == ScalarKind::truthy || (textual && yaml_plain_kind(text) == ScalarKind::truthy);
  } else if (key == "_call_") {
    frame.not_called = kind == ScalarKind::falsy || (textual && yaml_plain_kind(text) == ScalarKind::falsy);
  } else if (key == "allow_pickle") {
    frame.allow_pickle = kind == ScalarKind::truthy || (textual && yaml_plain_kind(text) == ScalarKind::truthy);
  }
}

bool ConfigWalker::scalar(std::string_view text, ScalarKind kind) {
  if (!driver_.take_event(place())) return false;
  if (frames_.empty()) {
    // A JSON string at the root may hold a document; a bare YAML scalar is
    // just the text of the value (the caller treats it as a plain value).
    if (syntax_ == ConfigSyntax::json && kind == ScalarKind::string) {
      saw_root_string_ = true;
      driver_.string_leaf(text, place());
    }
    return true;
  }
  Frame& frame = frames_.back();
  if (frame.mapping && frame.expect_key) {
    // Cut, but past the display cut, so a long key still shows as cut and
    // never equals a directive name.
    frame.key.assign(text.substr(0, kConfigMaxPathKeyBytes + 4));
    frame.expect_key = false;
    return true;
  }
  const std::size_t old_size = enter_child();
  const bool directive = frame.mapping && is_target_key(frame.key);
  if (frame.mapping) value_in_mapping(frame, text, kind);
  // A directive's value is reported by on_target, not again as a leaf.
  if (kind == ScalarKind::string && !directive) driver_.string_leaf(text, place());
  path_.resize(old_size);
  after_child();
  return true;
}

void ConfigWalker::python_tag(std::string_view tag) {
  const std::size_t old_size = enter_child();
  driver_.visitor().on_python_tag(tag, place());
  path_.resize(old_size);
}

void ConfigWalker::finish() {
  while (!frames_.empty()) {
    report_target(frames_.back());
    path_.resize(frames_.back().parent_path_size);
    frames_.pop_back();
  }
}

// ---- ConfigScanDriver ----

bool ConfigScanDriver::take_event(const ConfigPlace& place) {
  if (events_left_ == 0) {
    bound(ConfigBound::events, place);
    return false;
  }
  --events_left_;
  return true;
}

void ConfigScanDriver::bound(ConfigBound bound, const ConfigPlace& place) {
  bool& reported = reported_[static_cast<std::size_t>(bound)];
  if (reported) return;
  reported = true;
  visitor_.on_bound(bound, place);
}

bool ConfigScanDriver::document(std::string_view text, std::uint32_t level, std::string_view path) {
  const std::string_view body = trim_start(text);
  const bool json_like = looks_like_json(body);
  const bool yaml_like = looks_like_yaml(body);
  if (!json_like && !yaml_like) return false;
  const ConfigPlace here{path, json_like ? ConfigSyntax::json : ConfigSyntax::yaml, level};
  if (text.size() > kConfigMaxDocumentBytes) {
    bound(ConfigBound::document_bytes, here);
    return false;
  }
  if (documents_left_ == 0) {
    bound(ConfigBound::documents, here);
    return false;
  }
  if (text.size() > bytes_left_) {
    bound(ConfigBound::value_bytes, here);
    return false;
  }
  --documents_left_;
  bytes_left_ -= text.size();
  if (json_like && is_json_document(text)) {
    ConfigWalker walker(*this, path, ConfigSyntax::json, level);
    JsonWalkSink sink(walker);
    (void)run_json(text, sink);  // stopped early only by a bound, which the walker reported
    walker.finish();
    return walker.saw_container() || walker.saw_root_string();
  }
  if (!yaml_like) return false;
  ConfigWalker walker(*this, path, ConfigSyntax::yaml, level);
  walk_yaml(text, walker);
  walker.finish();
  return walker.saw_container();
}

void ConfigScanDriver::string_leaf(std::string_view value, const ConfigPlace& place) {
  visitor_.on_string(value, place);
  const std::string_view body = trim_start(value);
  if (!looks_like_json(body) && !looks_like_yaml(body)) return;
  if (place.level >= kConfigMaxStringLevels) {
    bound(ConfigBound::string_levels, place);
    return;
  }
  (void)document(value, place.level + 1, place.path);
}

void scan_config_value(std::string_view value, ConfigVisitor& visitor) {
  ConfigScanDriver driver(visitor);
  const ByteCursor cursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
  // Header values are valid UTF-8 (the validator checked); the JSON layer
  // relies on it, so anything else is only looked at as plain text.
  const bool utf8 = !stguard::detail::find_invalid_utf8(cursor).has_value();
  if (!utf8 || !driver.document(value, 0, {})) visitor.on_plain_value(value);
}

}  // namespace stguard::audit::detail
