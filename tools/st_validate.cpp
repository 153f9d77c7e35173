// st-validate: the gate. Judges each FILE under a profile and reports one
// verdict per file; the exit status is the contract CI jobs rely on
// (0 all valid, 1 some invalid, 2 usage or unreadable). Only the first 8 + N
// bytes of a file (and its size) are read; "-" reads standard input as a
// stream, keeping the header and counting the rest.
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/json_writer.hpp"
#include "common/report.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"

namespace {

using stguard::Error;
using stguard::Header;
using stguard::Result;

Result<Header> validate_argument(const std::string& path, const stguard::Options& options) {
  if (path != "-") return stguard::validate_path(path, options);
  struct stat info {};
  // A regular file on stdin (`< file`) is judged by its header alone; a pipe is streamed.
  if (::fstat(STDIN_FILENO, &info) == 0 && S_ISREG(info.st_mode) && ::lseek(STDIN_FILENO, 0, SEEK_CUR) == 0) {
    return stguard::validate_fd(STDIN_FILENO, options);
  }
  return stguard::validate_stream(STDIN_FILENO, options);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-validate: strictly validate safetensors files.\n\n"
               "Reads only the 8-byte length and the JSON header of each file (plus its size), so\n"
               "multi-GB models are judged in milliseconds. FILE may be '-' for standard input\n"
               "(streamed: e.g. curl -s URL | st-validate -); use ./- for a file named '-'.",
               "st-validate"};
  app.footer(stguard::cli::profiles_help_text() + "\n" +
             stguard::cli::exit_status_help("every file is valid", "at least one file is invalid",
                                            "a file could not be read (missing, unreadable, a directory)"));
  app.set_version_flag("--version", "st-validate 0.1.0");

  stguard::cli::ProfileFlags flags;
  flags.add_to(app);
  std::string format = "text";
  app.add_option("--format", format, "Output: text (one line per file) or json (one document)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Print nothing; report through the exit status only");
  std::vector<std::string> paths;
  app.add_option("FILE", paths, "Files to validate ('-' = standard input)")->required();

  if (auto exit_now = stguard::cli::parse_command_line(app, argc, argv)) return *exit_now;
  if (auto refused = stguard::cli::check_stdin_operands("st-validate", paths, true)) return *refused;

  const stguard::Options options = flags.options();
  const std::string_view profile_name = stguard::profile_name(options.profile);
  int exit_status = stguard::cli::kExitOk;
  std::size_t valid_count = 0;
  std::size_t invalid_count = 0;
  std::size_t unreadable_count = 0;

  stguard::cli::JsonWriter json;
  json.begin_object();
  json.key("tool").string("st-validate");
  json.key("profile").string(profile_name);
  json.key("files").begin_array();

  for (const std::string& path : paths) {
    const Result<Header> result = validate_argument(path, options);
    const std::string display_path = path == "-" ? "<stdin>" : stguard::escape_for_display(path);
    const bool unreadable = !result.ok() && stguard::cli::is_unreadable(result.error());
    if (result.ok()) {
      ++valid_count;
    } else if (unreadable) {
      ++unreadable_count;
      exit_status = stguard::cli::kExitUsageOrIo;
    } else {
      ++invalid_count;
      if (exit_status == stguard::cli::kExitOk) exit_status = stguard::cli::kExitInvalid;
    }

    if (format == "json") {
      json.begin_object();
      json.key("path").string(path);
      json.key("status").string(result.ok() ? "valid" : unreadable ? "unreadable" : "invalid");
      json.key("valid").boolean(result.ok());  // deprecated: status == "valid"
      json.key("profile").string(profile_name);
      if (result.ok()) {
        const Header& header = result.value();
        json.key("tensor_count").number(header.tensor_count());
        json.key("header_bytes").number(header.header_length());
        json.key("data_bytes").number(header.data_size());
        json.key("file_bytes").number(header.file_size());
        json.key("error").null();
      } else {
        json.key("tensor_count").null();
        json.key("header_bytes").null();
        json.key("data_bytes").null();
        json.key("file_bytes").null();
        json.key("error");
        stguard::cli::write_error_json(json, result.error());
      }
      json.end_object();
    } else if (!quiet) {
      if (result.ok()) {
        std::cout << display_path << ": OK (" << stguard::cli::describe_header(result.value()) << ", " << profile_name
                  << ")\n";
      } else {
        std::cout << display_path << (unreadable ? ": ERROR " : ": INVALID ")
                  << stguard::cli::format_error(result.error()) << '\n';
      }
    }
  }

  json.end_array();
  json.key("summary").begin_object();
  json.key("files").number(paths.size());
  json.key("valid").number(valid_count);
  json.key("invalid").number(invalid_count);
  json.key("unreadable").number(unreadable_count);
  json.end_object();
  json.end_object();
  if (format == "json" && !quiet) std::cout << json.str() << '\n';
  std::cout.flush();
  return exit_status;
}
