// st-validate: the gate. Judges each FILE (and every model in each directory
// operand) under a profile and reports one verdict per file; the exit status
// is the contract CI jobs rely on (0 all valid, 1 some invalid, 2 usage or
// unreadable). Only the first 8 + N bytes of a file (and its size) are read;
// "-" reads standard input as a stream, keeping the header and counting the
// rest. Phases: parse the command line, collect the targets (walk), judge
// them, report them in the chosen format, derive the exit status.
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "common/artifact_path.hpp"
#include "common/ci_formats.hpp"
#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/json_writer.hpp"
#include "common/remote_operand.hpp"
#include "common/repository_walk.hpp"
#include "common/report.hpp"
#include "common/walk_flags.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/shard_index.hpp"

namespace {

using stguard::Error;
using stguard::Header;
using stguard::HeaderSummary;
using stguard::Result;
using stguard::cli::Target;

struct Settings {
  stguard::cli::ProfileFlags profile;
  stguard::cli::WalkFlags walk;
  stguard::cli::WalkOptions walk_options;
  stguard::cli::RemoteFlags remote;
  std::string format = "text";
  bool quiet = false;
  std::vector<std::string> paths;
};

// One reported file: a safetensors file (header summary or error) or an index.
struct Verdict {
  std::string path;
  std::optional<HeaderSummary> header;
  std::optional<Error> error;
  bool unreadable = false;
  // Indexes: the set's size; shards: the index that judged them.
  bool is_index = false;
  std::uint64_t shard_count = 0;
  std::uint64_t index_tensor_count = 0;
  std::string index_path;

  [[nodiscard]] bool ok() const noexcept { return !error; }
  [[nodiscard]] std::string_view status() const noexcept { return ok() ? "valid" : unreadable ? "unreadable" : "invalid"; }
};

void build_app(CLI::App& app, Settings& settings) {
  app.footer(stguard::cli::directory_operands_help() + "\n" + stguard::cli::profiles_help_text() + "\n" +
             stguard::cli::exit_status_help("every file is valid (or a folder held nothing to judge)",
                                            "at least one file is invalid",
                                            "a file could not be read (missing, unreadable, not a regular file;\n"
                                            "     for a URL: unreachable server, HTTP error, any NETWORK_* error)"));
  app.set_version_flag("--version", "st-validate 0.1.0");
  settings.profile.add_to(app);
  app.add_option("--format", settings.format,
                 "Output: text (a line per file and a summary), json (one document), github (workflow-command "
                 "annotations), junit (JUnit XML)")
      ->check(CLI::IsMember({"text", "json", "github", "junit"}))
      ->capture_default_str();
  app.add_flag("-q,--quiet", settings.quiet, "Print nothing; report through the exit status only");
  settings.walk.add_to(app);
  settings.remote.add_to(app);
  app.add_option("FILE", settings.paths,
                 "Files or folders to validate ('-' = standard input; http:// or https:// URLs)")
      ->required();
}

Result<HeaderSummary> summary_of(Result<Header> result) {
  if (!result.ok()) return std::move(result).error();
  return HeaderSummary::of(result.value());
}

// Files and descriptors through the summary validators (the same verdict
// without a tensor table: a third of the memory on large headers); streams
// and URLs, which produce Headers, summarised.
Result<HeaderSummary> validate_argument(const std::string& path, const stguard::Options& options,
                                        const stguard::cli::RemoteFlags& remote) {
  if (stguard::cli::is_url_operand(path)) return summary_of(stguard::cli::validate_url_operand(path, options, remote));
  if (path != "-") return stguard::validate_path_summary(path, options);
  struct stat info {};
  // A regular file on stdin (`< file`) is judged by its header alone; a pipe is streamed.
  if (::fstat(STDIN_FILENO, &info) == 0 && S_ISREG(info.st_mode) && ::lseek(STDIN_FILENO, 0, SEEK_CUR) == 0) {
    return stguard::validate_fd_summary(STDIN_FILENO, options);
  }
  return summary_of(stguard::validate_stream(STDIN_FILENO, options));
}

Verdict file_verdict(std::string path, Result<HeaderSummary> result) {
  Verdict verdict;
  verdict.path = std::move(path);
  if (result.ok()) {
    verdict.header = std::move(result).value();
  } else {
    verdict.unreadable = stguard::cli::is_unreadable(result.error());
    verdict.error = result.error();
  }
  return verdict;
}

// An index and its shards: the set's verdict is st-shard check's; each shard
// that could be read gets its own line. A shard that cannot be read is part
// of the index's verdict (INDEX_SHARD_INVALID), as in st-audit.
void judge_index(const Target& target, const stguard::Options& options, std::vector<Verdict>& out) {
  stguard::ShardCheckOptions check;
  check.shard_options = options;
  auto checked = stguard::check_shard_index(target.path, check);
  Verdict index;
  index.path = target.path;
  index.is_index = true;
  index.shard_count = target.shards.size();
  if (checked) {
    index.index_tensor_count = checked->index.weight_map.size();
  } else {
    index.unreadable = checked.error().error_class() == stguard::ErrorClass::io;
    index.error = checked.error();
  }
  out.push_back(std::move(index));
  for (std::size_t i = 0; i < target.shards.size(); ++i) {
    const std::string& shard = target.shards[i];
    Verdict verdict = checked && i < checked->shard_headers.size()
                          ? file_verdict(shard, HeaderSummary::of(checked->shard_headers[i]))
                          : file_verdict(shard, stguard::validate_path_summary(shard, options));
    if (verdict.unreadable) continue;
    verdict.index_path = target.path;
    out.push_back(std::move(verdict));
  }
}

std::vector<Verdict> judge(const stguard::cli::TargetList& targets, const stguard::Options& options,
                           const stguard::cli::RemoteFlags& remote) {
  std::vector<Verdict> verdicts;
  for (const Target& target : targets.targets) {
    switch (target.kind) {
      case Target::Kind::unreadable: {
        Verdict verdict;
        verdict.path = target.path;
        verdict.unreadable = true;
        verdict.error = target.error;
        verdicts.push_back(std::move(verdict));
        break;
      }
      case Target::Kind::index: judge_index(target, options, verdicts); break;
      case Target::Kind::file:  // a URL is reported redacted (json_operand), a path as given
        verdicts.push_back(
            file_verdict(stguard::cli::json_operand(target.path), validate_argument(target.path, options, remote)));
    }
  }
  return verdicts;
}

std::string shown_path(const Verdict& verdict) {
  return verdict.path == "-" ? "<stdin>" : stguard::escape_for_display(verdict.path);
}

std::string detail_of(const Verdict& verdict, std::string_view profile_name) {
  if (verdict.is_index) {
    return "sharded checkpoint: " + stguard::cli::count_of(verdict.shard_count, "shard") + ", " +
           stguard::cli::count_of(verdict.index_tensor_count, "tensor") + ", " + std::string(profile_name);
  }
  return stguard::cli::describe_header(*verdict.header) + ", " + std::string(profile_name);
}

std::string summary_line(const std::vector<Verdict>& verdicts) {
  std::size_t counts[3] = {0, 0, 0};  // valid, invalid, unreadable
  for (const Verdict& verdict : verdicts) ++counts[verdict.ok() ? 0 : verdict.unreadable ? 2 : 1];
  return stguard::cli::count_of(verdicts.size(), "file") + ": " + std::to_string(counts[0]) + " valid, " +
         std::to_string(counts[1]) + " invalid, " + std::to_string(counts[2]) + " unreadable";
}

std::string format_text(const std::vector<Verdict>& verdicts, std::string_view profile_name) {
  std::string out;
  for (const Verdict& verdict : verdicts) {
    if (verdict.ok()) {
      out += shown_path(verdict) + ": OK (" + detail_of(verdict, profile_name) + ")\n";
    } else {
      out += shown_path(verdict) + (verdict.unreadable ? ": ERROR " : ": INVALID ") +
             stguard::cli::format_error(*verdict.error) + "\n";
    }
  }
  return out;
}

std::string format_json(const std::vector<Verdict>& verdicts, std::string_view profile_name) {
  stguard::cli::JsonWriter json;
  std::size_t counts[3] = {0, 0, 0};
  json.begin_object();
  json.key("tool").string("st-validate");
  json.key("profile").string(profile_name);
  json.key("files").begin_array();
  for (const Verdict& verdict : verdicts) {
    ++counts[verdict.ok() ? 0 : verdict.unreadable ? 2 : 1];
    json.begin_object();
    json.key("path").string(verdict.path);
    json.key("status").string(verdict.status());
    json.key("valid").boolean(verdict.ok());  // deprecated: status == "valid"
    json.key("profile").string(profile_name);
    json.key("kind").string(verdict.is_index ? "index" : "file");
    if (!verdict.index_path.empty()) json.key("index").string(verdict.index_path);
    if (verdict.is_index) json.key("shard_count").number(verdict.shard_count);
    const HeaderSummary* header = verdict.header ? &*verdict.header : nullptr;
    json.key("tensor_count");
    if (header != nullptr) {
      json.number(header->tensor_count);
    } else if (verdict.is_index && verdict.ok()) {
      json.number(verdict.index_tensor_count);
    } else {
      json.null();
    }
    for (const auto& [key, value] :
         {std::pair<std::string_view, std::uint64_t>{"header_bytes", header ? header->header_length : 0},
          {"data_bytes", header ? header->data_size : 0},
          {"file_bytes", header ? header->file_size() : 0}}) {
      json.key(key);
      if (header != nullptr) {
        json.number(value);
      } else {
        json.null();
      }
    }
    json.key("error");
    if (verdict.error) {
      stguard::cli::write_error_json(json, *verdict.error);
    } else {
      json.null();
    }
    json.end_object();
  }
  json.end_array();
  json.key("summary").begin_object();
  json.key("files").number(verdicts.size());
  json.key("valid").number(counts[0]);
  json.key("invalid").number(counts[1]);
  json.key("unreadable").number(counts[2]);
  json.end_object();
  json.end_object();
  return json.str() + "\n";
}

std::vector<stguard::cli::CiFile> ci_files(const std::vector<Verdict>& verdicts, std::string_view profile_name) {
  std::vector<stguard::cli::CiFile> files;
  for (const Verdict& verdict : verdicts) {
    stguard::cli::CiFile file;
    file.path = verdict.path == "-" ? "<stdin>" : verdict.path;
    file.status = verdict.status();
    file.error = verdict.error;
    if (verdict.ok()) file.detail = detail_of(verdict, profile_name);
    file.fails = verdict.error && !verdict.unreadable;
    files.push_back(std::move(file));
  }
  return files;
}

std::string report(const Settings& settings, const stguard::cli::TargetList& targets,
                   const std::vector<Verdict>& verdicts, std::string_view profile_name) {
  if (settings.format == "json") return format_json(verdicts, profile_name);
  if (settings.format == "junit") return stguard::cli::write_junit(ci_files(verdicts, profile_name), "st-validate");
  std::string summary = summary_line(verdicts);
  if (verdicts.empty() && targets.directories_walked > 0) {
    summary += " (" + stguard::cli::nothing_found_message(settings.paths, settings.walk_options) + ")";
  }
  if (settings.format == "github") {
    return stguard::cli::write_github_annotations(ci_files(verdicts, profile_name), "st-validate",
                                                  stguard::cli::ArtifactBase(settings.walk.base), summary);
  }
  return format_text(verdicts, profile_name) + summary + "\n";
}

int exit_status(const std::vector<Verdict>& verdicts) {
  int status = stguard::cli::kExitOk;
  for (const Verdict& verdict : verdicts) {
    if (verdict.unreadable) return stguard::cli::kExitUsageOrIo;
    if (verdict.error) status = stguard::cli::kExitInvalid;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-validate: strictly validate safetensors files.\n\n"
               "Reads only the 8-byte length and the JSON header of each file (plus its size), so\n"
               "multi-GB models are judged in milliseconds. FILE may be a folder (walked for models),\n"
               "or '-' for standard input (streamed: e.g. curl -s URL | st-validate -); use ./- for a\n"
               "file named '-'. FILE may also be an http:// or https:// URL: judged from at most two\n"
               "range requests (docs/remote.md); the output names it with credentials and tokens redacted.",
               "st-validate"};
  Settings settings;
  build_app(app, settings);
  if (auto exit_now = stguard::cli::parse_command_line(app, argc, argv)) return *exit_now;
  if (auto refused = stguard::cli::check_stdin_operands("st-validate", settings.paths, true)) return *refused;
  if (auto problem = settings.walk.patterns(settings.walk_options)) {
    std::cerr << "st-validate: " << *problem << "\nTry 'st-validate --help' for more information.\n";
    return stguard::cli::kExitUsageOrIo;
  }

  const stguard::Options options = settings.profile.options();
  const stguard::cli::TargetList targets = stguard::cli::collect_targets(settings.paths, settings.walk_options);
  const std::vector<Verdict> verdicts = judge(targets, options, settings.remote);
  if (!settings.quiet) std::cout << report(settings, targets, verdicts, stguard::profile_name(options.profile));
  std::cout.flush();
  return exit_status(verdicts);
}
