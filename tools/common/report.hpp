// How the tools print a verdict: the one-line text form and the JSON object
// of an Error, shared so every tool reports the same error the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_writer.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"

namespace stguard::cli {

// "[CODE] message (at byte X, tensor "name")", all untrusted text escaped.
[[nodiscard]] std::string format_error(const Error& error);

// {"code": ..., "number": ..., "class": ..., "message": ..., "offset": ..., "tensor": ...}
void write_error_json(JsonWriter& json, const Error& error);

// True for errors that mean "could not read" (exit 2) rather than "invalid" (exit 1).
[[nodiscard]] bool is_unreadable(const Error& error);

// "1,234" style is avoided: plain integers keep output machine-friendly.
[[nodiscard]] std::string describe_header(const Header& header);
[[nodiscard]] std::string describe_header(const HeaderSummary& header);

// "1 tensor", "2 tensors", "0 tensors": the one pluralisation of text output.
// `plural` defaults to `singular` + "s" ("entry" needs "entries").
[[nodiscard]] std::string count_of(std::uint64_t count, std::string_view singular, std::string_view plural = {});

}  // namespace stguard::cli
