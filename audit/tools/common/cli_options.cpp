// Shared flag handling for the tools.
#include "common/cli_options.hpp"

#include <iostream>

#include "common/exit_codes.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {

void ProfileFlags::add_to(CLI::App& app) {
  app.add_option("--profile", profile, "Validation profile: strict (default) or compat")
      ->check(CLI::IsMember({"strict", "compat"}))
      ->capture_default_str();
  // CLI11 would wrap "-3" into a huge unsigned value; limits must be plain digits.
  const CLI::Validator plain_digits(
      [](const std::string& text) {
        const bool ok = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("must be a non-negative integer");
      },
      "UINT");
  app.add_option("--max-header-bytes", max_header_bytes,
                 "Largest header length N accepted (default 100000000, the format maximum)")
      ->check(plain_digits);
  app.add_option("--max-tensors", max_tensors, "Most tensors in one header (strict default 1000000)")
      ->check(plain_digits);
  app.add_option("--max-rank", max_rank, "Most dimensions in one shape (strict default 64)")->check(plain_digits);
  app.add_option("--max-name-bytes", max_name_bytes, "Longest tensor name in bytes (strict default 4096)")
      ->check(plain_digits);
  app.add_option("--max-integer", max_integer,
                 "Largest shape dimension or offset (strict default 9007199254740991 = 2^53-1)")
      ->check(plain_digits);
  app.add_option("--max-depth", max_depth, "Deepest JSON nesting, top-level object = 1 (default 127)")
      ->check(plain_digits);
}

Options ProfileFlags::options() const {
  Options result = Options::for_profile(profile == "compat" ? Profile::compat : Profile::strict);
  if (max_header_bytes) result.limits.max_header_bytes = *max_header_bytes;
  if (max_tensors) result.limits.max_tensors = *max_tensors;
  if (max_rank) result.limits.max_rank = *max_rank;
  if (max_name_bytes) result.limits.max_name_bytes = *max_name_bytes;
  if (max_integer) result.limits.max_integer = *max_integer;
  if (max_depth) result.limits.max_depth = *max_depth;
  return result;
}

std::string profiles_help_text() {
  return R"(Profiles:
  strict   (default) Accept only files that the reference reader accepts AND that
           every mainstream reader sees the same way: header starts with '{',
           padding is spaces, no duplicate keys (after unescaping), no unknown
           tensor fields, integers <= 2^53-1, names without control characters.
  compat   Accept exactly what the reference safetensors reader accepts
           (duplicate names: last wins; unknown fields ignored; any whitespace).

Limits (a file beyond a limit is reported with a LIMIT_* code, class "limit"):
  --max-header-bytes 100000000  --max-tensors 1000000 (strict)  --max-rank 64 (strict)
  --max-name-bytes 4096 (strict)  --max-integer 2^53-1 (strict), 2^64-1 (compat)
  --max-depth 127
Error codes are listed in docs/errors.md.

Exit status:
  0  every file is valid
  1  at least one file is invalid
  2  usage error, or a file could not be read (missing, unreadable, a directory)
)";
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

}  // namespace stguard::cli
