// A minimal streaming JSON writer for tool output. Strings are always escaped
// with stguard::escape_json, so untrusted names and paths cannot break the
// document; commas are placed automatically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stguard::cli {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = true) : pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::uint64_t value);
  JsonWriter& signed_number(std::int64_t value);
  JsonWriter& real(double value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // A pre-serialised JSON value, inserted verbatim (caller guarantees validity).
  JsonWriter& raw(std::string_view json);

  [[nodiscard]] const std::string& str() const noexcept { return out_; }

 private:
  void before_value();
  JsonWriter& close_container(char closer);
  void newline();

  std::string out_;
  std::vector<bool> has_items_;  // per open container
  bool after_key_ = false;
  bool pretty_;
};

}  // namespace stguard::cli
