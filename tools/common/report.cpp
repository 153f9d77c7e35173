// Verdict formatting shared by the tools.
#include "common/report.hpp"

#include "stguard/escape.hpp"

namespace stguard::cli {

std::string format_error(const Error& error) {
  // The library's one formatter; each tool's line already starts with the file.
  Error shown = error;
  shown.path.clear();
  return stguard::format_error(shown);
}

void write_error_json(JsonWriter& json, const Error& error) {
  json.begin_object();
  json.key("code").string(error_code_name(error.code));
  json.key("number").number(static_cast<std::uint64_t>(error.code));
  json.key("class").string(error_class_name(error.error_class()));
  json.key("message").string(error.text());
  json.key("offset");
  if (error.has_offset()) {
    json.number(error.offset);
  } else {
    json.null();
  }
  json.key("tensor");
  if (error.tensor.empty()) {
    json.null();
  } else {
    json.string(error.tensor);
  }
  json.end_object();
}

bool is_unreadable(const Error& error) {
  const ErrorClass cls = error.error_class();
  return cls == ErrorClass::io || cls == ErrorClass::network || cls == ErrorClass::internal || cls == ErrorClass::usage;
}

std::string describe_header(const HeaderSummary& header) {
  return count_of(header.tensor_count, "tensor") + ", header " + count_of(header.header_length, "byte") +
         ", data " + count_of(header.data_size, "byte");
}

std::string describe_header(const Header& header) { return describe_header(HeaderSummary::of(header)); }

std::string count_of(std::uint64_t count, std::string_view singular, std::string_view plural) {
  std::string text = std::to_string(count) + " ";
  if (count == 1) return text += singular;
  if (plural.empty()) return (text += singular) += "s";
  return text += plural;
}

}  // namespace stguard::cli
