// The foreign-payload detector of STG-META-003 (defined in metadata_rules.cpp),
// shared with the config rules, which run it on the string leaves of config
// documents found in metadata values.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "stguard/audit_rules.hpp"

namespace stguard::audit::detail {

struct PayloadMatch {
  std::string_view format;  // "ZIP local file header", "pickle protocol 2 (base64)", ...
  Severity severity = Severity::info;
  std::size_t position = 0;  // byte offset in the text
};

// Another file format in `text`: raw signatures anywhere (ZIP, ELF) or at the
// start (PDF, text pickle), base64 signatures at the start (or after a data:
// URL prefix).
[[nodiscard]] std::optional<PayloadMatch> find_foreign_payload(std::string_view text);

}  // namespace stguard::audit::detail
