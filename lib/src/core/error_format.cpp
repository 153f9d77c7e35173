// Errors as text and with their context: format_error, the one formatter of
// the library and the tools, and with_path, which path-based calls use to say
// which file an error is about.
#include <string>

#include "stguard/error.hpp"
#include "stguard/escape.hpp"

namespace stguard {

Error with_path(Error error, std::string_view path) noexcept {
  if (!error.path.empty()) return error;  // an inner call already named its file
  try {
    error.path.assign(path.data(), path.size());
  } catch (...) {
    error.path.clear();  // out of memory: the error itself still goes back
  }
  return error;
}

std::string format_error(const Error& error) {
  std::string line = "[";
  line += error_code_name(error.code);
  line += "] ";
  // Messages are built with untrusted parts already escaped (Error's
  // contract): the guard keeps their escapes and catches anything raw.
  line += guard_escaped_for_display(error.text());
  std::string context;
  const auto add = [&context](const std::string& part) {
    context += context.empty() ? " (" : ", ";
    context += part;
  };
  if (error.has_offset()) add("at byte " + std::to_string(error.offset));
  if (!error.tensor.empty()) add("tensor " + quote_for_display(error.tensor));
  if (!error.path.empty()) add("file " + quote_for_display(error.path));
  if (!context.empty()) line += context + ")";
  return line;
}

}  // namespace stguard
