// Shared flag handling for the tools.
#include "common/cli_options.hpp"

#include <iostream>

#include "common/exit_codes.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {

namespace {

// "2^53-1" and "none" read better than the 16-digit and 20-digit numbers.
std::string limit_value_text(std::uint64_t value) {
  if (value == kUnlimited) return "none";
  if (value == kMaxSafeInteger) return "9007199254740991 = 2^53-1";
  return std::to_string(value);
}

// The default of one limit, from the table the library uses, so the help cannot drift.
std::string limit_default_text(const LimitInfo& row) {
  if (row.strict_default == row.compat_default) return "(default " + limit_value_text(row.strict_default) + ")";
  return "(default " + limit_value_text(row.strict_default) + " under strict, " + limit_value_text(row.compat_default) +
         " under compat)";
}

}  // namespace

void ProfileFlags::add_to(CLI::App& app) {
  // The default is whatever the tool set before calling add_to (st-rewrite: compat).
  app.add_option("--profile", profile, "Validation profile: strict or compat (default " + profile + ")")
      ->check(CLI::IsMember({"strict", "compat"}))
      ->capture_default_str();
  // CLI11 would wrap "-3" into a huge unsigned value; limits must be plain digits.
  const CLI::Validator plain_digits(
      [](const std::string& text) {
        const bool ok = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("must be a non-negative integer");
      },
      "UINT");
  for (std::size_t i = 0; i < kLimitTable.size(); ++i) {
    const LimitInfo& row = kLimitTable[i];
    app.add_option(std::string(row.flag), limits[i],
                   std::string(row.help) + " " + limit_default_text(row) + std::string(row.help_note))
        ->check(plain_digits);
  }
}

Options ProfileFlags::options() const {
  Options result = Options::for_profile(profile == "compat" ? Profile::compat : Profile::strict);
  for (std::size_t i = 0; i < kLimitTable.size(); ++i) {
    if (limits[i]) result.limits.*kLimitTable[i].field = *limits[i];
  }
  return result;
}

std::string profiles_help_text(std::string_view default_profile) {
  const bool strict_default = default_profile == "strict";
  return std::string("Profiles:\n  strict   ") + (strict_default ? "(default) " : "") +
         R"(Accept only files that the reference reader accepts AND that
           every mainstream reader sees the same way: header starts with '{',
           padding is spaces, no duplicate keys (after unescaping), no unknown
           tensor fields, integers <= 2^53-1, names without control characters.
  compat   )" + (strict_default ? "" : "(default) ") +
         R"(Accept what the reference safetensors reader accepts (duplicate
           names: last wins; unknown fields ignored, their numbers range-checked
           as the reference does; any whitespace), except two serde quirks it
           refuses: a tensor written as an array, a dtype written as a map.
           Nothing compat accepts is refused by the reference.

Limits (a file beyond a limit is reported with a LIMIT_* code, class "limit"):
  the --max-* flags above; each flag's text gives its default under each profile.
Error codes are listed in docs/errors.md.
)";
}

std::string exit_status_help(std::string_view ok, std::string_view invalid, std::string_view unreadable) {
  std::string text = "Exit status (the same three for every stguard tool):\n";
  text += "  0  ok: " + std::string(ok) + "\n";
  text += "  1  rejected: " + std::string(invalid) + "\n";
  text += "  2  error: a usage error, or " + std::string(unreadable) + "\n";
  return text;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    std::cout << app.version() << '\n';
    return kExitOk;
  } catch (const CLI::ParseError& error) {
    // CLI11 quotes the offending argument raw: it may be a path from anywhere.
    std::cerr << app.get_name() << ": " << guard_escaped_for_display(error.what()) << "\n"
              << "Try '" << app.get_name() << " --help' for more information.\n";
    return kExitUsageOrIo;
  }
  return std::nullopt;
}

std::optional<int> check_stdin_operands(std::string_view tool, const std::vector<std::string>& operands,
                                        bool reads_stdin) {
  std::size_t named = 0;
  for (const std::string& operand : operands) named += operand == "-" ? 1U : 0U;
  if (named == 0) return std::nullopt;
  if (!reads_stdin) {
    std::cerr << tool << ": '-' (standard input) is not supported here: this needs a file it can reopen or seek;"
              << " give a path\n";
    return kExitUsageOrIo;
  }
  if (named > 1) {
    std::cerr << tool << ": '-' (standard input) may be named only once\n";
    return kExitUsageOrIo;
  }
  return std::nullopt;
}

}  // namespace stguard::cli
