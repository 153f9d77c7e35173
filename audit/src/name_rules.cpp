// Name rules: tensor names (and __metadata__ keys) that look like paths,
// hide or reorder characters, collide after NFC normalisation, imitate the
// metadata key, or are special to JavaScript objects or Python attribute walks.
#include <algorithm>
#include <array>
#include <string_view>

#include "rule_passes.hpp"
#include "stguard/escape.hpp"
#include "text_scan.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

// Keys that reach an object's prototype or its built-ins when a JavaScript
// program stores tensors or metadata in a plain object (the Hub's parser does).
constexpr std::array kJavaScriptSpecial{
    "__proto__"sv,        "constructor"sv,      "prototype"sv,        "hasOwnProperty"sv,  "isPrototypeOf"sv,
    "toString"sv,         "valueOf"sv,          "toLocaleString"sv,   "__defineGetter__"sv, "__defineSetter__"sv,
    "__lookupGetter__"sv, "__lookupSetter__"sv, "propertyIsEnumerable"sv,
};
// Attributes that a Python getattr walk over a dotted name (accelerate's
// set_module_tensor_to_device, many loaders) turns into class internals.
constexpr std::array kPythonSpecial{
    "__class__"sv,   "__dict__"sv,      "__init__"sv,     "__globals__"sv,     "__builtins__"sv, "__import__"sv,
    "__reduce__"sv,  "__reduce_ex__"sv, "__getattr__"sv,  "__getattribute__"sv, "__setattr__"sv, "__delattr__"sv,
    "__module__"sv,  "__code__"sv,      "__closure__"sv,  "__subclasses__"sv,  "__base__"sv,     "__bases__"sv,
    "__mro__"sv,     "__new__"sv,       "__call__"sv,     "__self__"sv,        "__func__"sv,     "__weakref__"sv,
    "__getstate__"sv, "__setstate__"sv,
};

bool is_in(std::string_view text, std::span<const std::string_view> set) {
  return std::find(set.begin(), set.end(), text) != set.end();
}

bool is_separator(char c) { return c == '/' || c == '\\'; }
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Why `name` would escape a folder if used as a relative path; empty if it would not.
std::string traversal_reason(std::string_view name) {
  if (!name.empty() && is_separator(name.front())) return "starts with a path separator (absolute path)";
  if (name.size() >= 2 && is_ascii_letter(name[0]) && name[1] == ':') return "starts with a drive letter";
  if (name.size() >= 2 && name[0] == '~' && is_separator(name[1])) return "starts with a home-folder path";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = start;
    while (end < name.size() && !is_separator(name[end])) ++end;
    if (name.substr(start, end - start) == "..") return "has a '..' path component";
    start = end + 1;
  }
  return {};
}

DeceptiveCharacters merged(const DeceptiveCharacters& a, const DeceptiveCharacters& b) {
  DeceptiveCharacters both = a;
  both.count += b.count;
  both.distinct += b.distinct;
  if (!b.labels.empty()) both.labels += (both.labels.empty() ? "" : ", ") + b.labels;
  return both;
}

// The checks shared by tensor names and metadata keys: deceptive characters
// and runtime-special spellings.
void check_text_name(std::string_view text, std::string_view what, bool is_tensor, FindingSink& sink) {
  // In a name every class counts: names are matched, not read as prose.
  const DeceptiveScan scan = scan_deceptive(text);
  const DeceptiveCharacters bidi = merged(scan.bidi_marks, scan.bidi_controls);
  const DeceptiveCharacters invisible = merged(scan.tags, scan.invisible);
  const std::string shown = display_excerpt(text);
  auto add = [&](Rule rule, std::string message, std::string evidence) {
    Finding finding;
    finding.rule = rule;
    finding.severity = rule_info(rule).severity;
    finding.message = std::move(message);
    finding.evidence = std::move(evidence);
    (is_tensor ? finding.tensor : finding.metadata_key) = std::string(text);
    sink.add(std::move(finding));
  };
  if (bidi.count > 0) {
    add(Rule::name_bidi_control,
        std::string(what) + " \"" + shown + "\" contains " + std::to_string(bidi.count) +
            " bidirectional control character(s)",
        bidi.labels + "; as code points: " + code_point_form(text));
  }
  if (invisible.count > 0) {
    add(Rule::name_invisible_character,
        std::string(what) + " \"" + shown + "\" contains " + std::to_string(invisible.count) +
            " invisible character(s)",
        invisible.labels + "; as code points: " + code_point_form(text));
  }

  std::string special;
  if (is_in(text, kJavaScriptSpecial) || is_in(text, kPythonSpecial)) special = std::string(text);
  if (special.empty() && is_tensor) {
    // Dotted module paths: any component can be an attribute lookup.
    std::size_t start = 0;
    while (start <= text.size() && special.empty()) {
      std::size_t end = text.find('.', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view component = text.substr(start, end - start);
      if (is_in(component, kPythonSpecial)) special = std::string(component);
      start = end + 1;
    }
  }
  if (!special.empty()) {
    add(Rule::name_runtime_special,
        std::string(what) + " \"" + shown + "\" is or contains \"" + escape_for_display(special) +
            "\", special in JavaScript objects or Python attribute lookups",
        "component \"" + escape_for_display(special) + "\"");
  }
}

bool is_reserved_looking(std::string_view name) {
  constexpr std::string_view kMetadata = "__metadata__";
  std::size_t first = 0;
  std::size_t last = name.size();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (first < last && space(name[first])) ++first;
  while (last > first && space(name[last - 1])) --last;
  const std::string_view core = name.substr(first, last - first);
  if (core.size() != kMetadata.size() || name == kMetadata) return false;
  for (std::size_t i = 0; i < core.size(); ++i) {
    const char c = (core[i] >= 'A' && core[i] <= 'Z') ? static_cast<char>(core[i] - 'A' + 'a') : core[i];
    if (c != kMetadata[i]) return false;
  }
  return true;
}

void check_nfc_collisions(const Header& header, FindingSink& sink) {
  struct Normalised {
    std::string form;
    std::size_t index;
  };
  std::vector<Normalised> names;
  names.reserve(header.tensor_count());
  const auto tensors = header.tensors();
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    auto form = nfc(tensors[i].name);
    // A name utf8proc cannot normalise stays as it is: it then collides only
    // with itself, which the parse already resolved.
    names.push_back({form ? std::move(*form) : tensors[i].name, i});
  }
  // Sorting by the normal form puts colliding names next to each other
  // (n log n, never pairwise); ties by data order keep the output stable.
  std::sort(names.begin(), names.end(), [](const Normalised& a, const Normalised& b) {
    return a.form != b.form ? a.form < b.form : a.index < b.index;
  });
  for (std::size_t start = 0; start < names.size();) {
    std::size_t end = start + 1;
    while (end < names.size() && names[end].form == names[start].form) ++end;
    if (end - start > 1) {
      std::string evidence = "NFC form \"" + code_point_form(names[start].form) + "\" from:";
      for (std::size_t k = start; k < end && k < start + 8; ++k) {
        evidence += " \"" + code_point_form(tensors[names[k].index].name) + "\"";
      }
      if (end - start > 8) evidence += " and " + std::to_string(end - start - 8) + " more";
      const TensorInfo& first = tensors[names[start].index];
      sink.add(Rule::name_nfc_collision,
               std::to_string(end - start) + " tensor names are equal after NFC normalisation, e.g. \"" +
                   display_excerpt(first.name) + "\"",
               evidence, kNoOffset, first.name);
    }
    start = end;
  }
}

}  // namespace

void check_names(const Header& header, FindingSink& sink) {
  for (const TensorInfo& tensor : header.tensors()) {
    const std::string& name = tensor.name;
    const std::string traversal = traversal_reason(name);
    if (!traversal.empty()) {
      sink.add(Rule::name_path_traversal, "tensor name \"" + display_excerpt(name) + "\" " + traversal,
               code_point_form(name), kNoOffset, name);
    } else if (name.find_first_of("/\\") != std::string::npos) {
      sink.add(Rule::name_path_separator, "tensor name \"" + display_excerpt(name) + "\" contains a path separator",
               code_point_form(name), kNoOffset, name);
    }
    if (is_reserved_looking(name)) {
      sink.add(Rule::name_reserved, "tensor name \"" + display_excerpt(name) + "\" imitates __metadata__",
               code_point_form(name), kNoOffset, name);
    }
    check_text_name(name, "tensor name", true, sink);
  }
  for (const MetadataEntry& entry : header.metadata()) check_text_name(entry.key, "metadata key", false, sink);
  check_nfc_collisions(header, sink);
}

}  // namespace stguard::audit::detail
