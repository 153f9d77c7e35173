// st-shard: sharded checkpoints (model-0000i-of-0000n.safetensors plus
// model.safetensors.index.json).
//   split --max-shard-size SIZE IN OUTDIR   one file -> shards + index
//   join INDEX OUT                          shards -> one canonical file
//   check INDEX                             the whole set is consistent
// Reading IN or the shards follows --profile (split and join default to
// compat, like st-rewrite: they convert; check defaults to strict: it
// judges). Everything written is canonical strict, written atomically.
// Exit: 0 ok, 1 invalid input (file, index or shard set), 2 usage or I/O.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <limits>
#include <optional>
#include <string>

#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/remote_operand.hpp"
#include "common/report.hpp"
#include "stguard/unique_fd.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/shard_index.hpp"
#include "stguard/shard_writer.hpp"
#include "stguard/writer.hpp"

namespace {

using stguard::Error;
namespace cli = stguard::cli;

// --max-shard-size as transformers' convert_file_size_to_int reads it:
// "5GB" = 5 * 10^9, "5GiB" = 5 * 2^30, a decimal number before a unit
// ("1.5GB" = 1,500,000,000), and a lower-case final "b" after K, M, G or T
// means bits ("5Gb" = 5 * 10^9 / 8). A bare number (or "B") is whole bytes.
// The value is computed exactly (no floating point) and rounded down to a
// whole byte; overflow and 0 are refused.
__extension__ using Wide = unsigned __int128;  // GCC and Clang: exact size arithmetic

std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::size_t at = 0;
  Wide mantissa = 0;  // every digit, the fraction's included
  std::size_t digits = 0;
  std::size_t fraction_digits = 0;
  bool seen_point = false;
  for (; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) break;
    if (++digits > 24) return std::nullopt;  // < 2^80: the product below fits in 128 bits
    mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    if (seen_point) ++fraction_digits;
  }
  if (digits == 0) return std::nullopt;
  const std::string unit_text = text.substr(at);
  std::string unit;
  for (const char c : unit_text) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  struct Unit {
    const char* name;
    std::uint64_t factor;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"B", 1},
      {"K", 1'000},
      {"KB", 1'000},
      {"KIB", 1ULL << 10},
      {"M", 1'000'000},
      {"MB", 1'000'000},
      {"MIB", 1ULL << 20},
      {"G", 1'000'000'000},
      {"GB", 1'000'000'000},
      {"GIB", 1ULL << 30},
      {"T", 1'000'000'000'000},
      {"TB", 1'000'000'000'000},
      {"TIB", 1ULL << 40},
  };
  for (const Unit& candidate : kUnits) {
    if (unit != candidate.name) continue;
    if (candidate.factor == 1 && fraction_digits > 0) return std::nullopt;  // no fractions of a byte
    Wide bytes = mantissa * candidate.factor;
    for (std::size_t i = 0; i < fraction_digits; ++i) bytes /= 10;
    const bool bits = unit.size() == 2 && unit[1] == 'B' && unit_text.back() == 'b';
    if (bits) bytes /= 8;
    if (bytes == 0 || bytes > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
  }
  return std::nullopt;
}

constexpr const char* kRequireTotalSizeHelp =
    "An index without metadata.total_size is invalid (by default it is accepted; a wrong one never is)";

int exit_status_for(const Error& error) { return cli::is_unreadable(error) ? cli::kExitUsageOrIo : cli::kExitInvalid; }

using InputFile = stguard::UniqueFd;

int run_split(const std::string& input_path, const std::string& out_dir, const std::string& size_text,
              const std::string& base_name, bool force, const stguard::Options& options, bool quiet) {
  const std::string display_in = stguard::escape_for_display(input_path);
  const std::optional<std::uint64_t> max_shard_bytes = parse_size(size_text);
  if (!max_shard_bytes) {
    std::cerr << "st-shard split: --max-shard-size " << stguard::escape_for_display(size_text)
              << " is not a size (examples: 5GB, 1.5GB, 500MB, 2GiB, 1048576)\n";
    return cli::kExitUsageOrIo;
  }
  const int raw_fd = ::open(input_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (raw_fd < 0) {
    const Error error = stguard::make_error(stguard::ErrorCode::io_open_failed,
                                            std::string("cannot open: ") + std::strerror(errno));
    std::cerr << display_in << ": ERROR " << cli::format_error(error) << '\n';
    return cli::kExitUsageOrIo;
  }
  InputFile input(raw_fd);
  auto header = stguard::validate_fd(input.get(), options);
  if (!header) {
    const bool unreadable = cli::is_unreadable(header.error());
    std::cerr << display_in << (unreadable ? ": ERROR " : ": INVALID ") << cli::format_error(header.error()) << '\n';
    return exit_status_for(header.error());
  }
  // Shards follow IN's data order, so a canonical IN splits into canonical runs.
  stguard::FileBuilder builder;
  for (const stguard::TensorInfo& tensor : header->tensors()) {
    if (!builder.add_tensor(tensor.name, tensor.dtype, tensor.shape,
                            stguard::file_region_producer(input.get(), header->data_offset() + tensor.begin,
                                                          tensor.byte_size()))) {
      break;
    }
  }
  for (const stguard::MetadataEntry& entry : header->metadata()) {
    if (!builder.set_metadata(entry.key, entry.value)) break;
  }
  if (auto plan = builder.plan(); !plan) {
    std::cerr << display_in << ": CANNOT REWRITE (strict cannot express it) " << cli::format_error(plan.error())
              << '\n';
    return cli::kExitInvalid;
  }
  if (::mkdir(out_dir.c_str(), 0777) != 0 && errno != EEXIST) {
    std::cerr << stguard::escape_for_display(out_dir) << ": ERROR cannot create the folder: " << std::strerror(errno)
              << '\n';
    return cli::kExitUsageOrIo;
  }
  stguard::ShardWriteOptions write_options;
  write_options.max_shard_bytes = *max_shard_bytes;
  write_options.base_name = base_name;
  write_options.replace_existing = force;
  auto written = stguard::save_sharded(builder, out_dir, write_options);
  if (!written) {
    const Error& error = written.error();
    std::cerr << stguard::escape_for_display(out_dir) << ": ERROR " << cli::format_error(error) << '\n';
    return error.code == stguard::ErrorCode::invalid_argument ? cli::kExitUsageOrIo : exit_status_for(error);
  }
  if (!quiet) {
    std::cout << stguard::escape_for_display(out_dir + "/" + written->index_file) << ": written ("
              << cli::count_of(written->index.shards.size(), "shard") << ", "
              << cli::count_of(written->index.weight_map.size(), "tensor") << ", total_size " << written->index.total_size.value_or(0) << ")\n";
  }
  return cli::kExitOk;
}

// The flags join and check share, registered in this order on either: the
// shards' profile and limits, the index bounds and --quiet.
struct IndexCheckFlags {
  cli::ProfileFlags profile;
  std::optional<std::uint64_t> max_shards;
  bool require_total_size = false;
  bool quiet = false;

  void add_to(CLI::App& command, const std::string& max_shards_help, const std::string& quiet_help) {
    profile.add_to(command);
    command.add_option("--max-shards", max_shards, max_shards_help);
    command.add_flag("--require-total-size", require_total_size, kRequireTotalSizeHelp);
    command.add_flag("-q,--quiet", quiet, quiet_help);
  }

  [[nodiscard]] stguard::ShardCheckOptions check_options() const {
    stguard::ShardCheckOptions check;
    check.shard_options = profile.options();
    if (max_shards) check.limits.max_shards = *max_shards;
    check.require_total_size = require_total_size;
    return check;
  }
};

int run_check(const std::string& index_path, const stguard::ShardCheckOptions& check, const cli::RemoteFlags& remote,
              bool quiet) {
  const std::string display = cli::display_operand(index_path);
  auto set = cli::is_url_operand(index_path) ? cli::check_shard_index_url_operand(index_path, check, remote)
                                             : stguard::check_shard_index(index_path, check);
  if (!set) {
    const bool unreadable = cli::is_unreadable(set.error());
    if (!quiet) std::cout << display << (unreadable ? ": ERROR " : ": INVALID ") << cli::format_error(set.error()) << '\n';
    return exit_status_for(set.error());
  }
  if (!quiet) {
    std::cout << display << ": OK (" << cli::count_of(set->index.shards.size(), "shard") << ", "
              << cli::count_of(set->index.weight_map.size(), "tensor") << ", total_size " << set->total_size << ", shards "
              << stguard::profile_name(check.shard_options.profile) << ")\n";
  }
  return cli::kExitOk;
}

int run_join(const std::string& index_path, const std::string& output_path, const stguard::ShardCheckOptions& check,
             bool quiet) {
  const bool to_stdout = output_path == "-";
  stguard::AtomicWriteOptions atomic;
  atomic.allow_terminal = false;
  // The library decides what OUT gets (a file replaced atomically, a device,
  // FIFO or '-' streamed, anything else refused); its errors name OUT.
  const stguard::Status joined = stguard::join_shards(index_path, output_path, check, atomic);
  if (!joined) {
    const Error& error = joined.error();
    std::cerr << stguard::escape_for_display(index_path) << (cli::is_unreadable(error) ? ": ERROR " : ": INVALID ")
              << cli::format_error(error) << '\n';
    return exit_status_for(error);
  }
  if (!quiet) {
    (to_stdout ? std::cerr : std::cout) << stguard::escape_for_display(index_path) << " -> "
                                        << (to_stdout ? "<stdout>" : stguard::escape_for_display(output_path))
                                        << ": joined (strict)\n";
  }
  return cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-shard: write, join and check sharded safetensors checkpoints.\n\n"
               "A sharded checkpoint is model-0000i-of-0000n.safetensors files plus\n"
               "model.safetensors.index.json: {\"metadata\": {\"total_size\": N}, \"weight_map\":\n"
               "{\"tensor\": \"shard file\", ...}}. Shard names must be plain file names beside the index.",
               "st-shard"};
  app.set_version_flag("--version", "st-shard 0.1.0");
  app.require_subcommand(1);
  const std::string exit_text = cli::exit_status_help(
      "done (split, join) or the set is consistent (check)", "a file, the index, or an inconsistent shard set",
      "a file could not be read or written");
  app.footer(exit_text);
  const std::string max_shards_text =
      "Most shards an index may name (default " + std::to_string(stguard::ShardIndexLimits{}.max_shards) + ")";

  CLI::App* split = app.add_subcommand(
      "split",
      "Split IN into shards of at most SIZE bytes of tensor data each (a larger tensor gets a shard\n"
      "of its own), in IN's data order, plus the index. Shards are canonical strict files; all are\n"
      "written to temporary files first and renamed into place only when every one is complete,\n"
      "the index last. Existing files are not replaced unless --force.");
  split->footer(cli::profiles_help_text("compat") + "\n" + exit_text);
  cli::ProfileFlags split_flags;
  split_flags.profile = "compat";
  split_flags.add_to(*split);
  std::string size_text;
  split->add_option("--max-shard-size", size_text, "Most tensor bytes per shard, as transformers reads max_shard_size: 5GB, 1.5GB,\n"
                    "500MB (powers of 10), 2GiB (powers of 2), 5Gb (bits), or bytes; rounded down to a byte")
      ->required();
  std::string base_name = "model";
  split->add_option("--base-name", base_name, "Shard and index name prefix")->capture_default_str();
  bool force = false;
  split->add_flag("--force", force, "Replace existing shards and index of the same names");
  bool split_quiet = false;
  split->add_flag("-q,--quiet", split_quiet, "Print nothing on success");
  std::string split_in;
  std::string split_dir;
  split->add_option("IN", split_in, "File to split")->required();
  split->add_option("OUTDIR", split_dir, "Folder for the shards and the index (created if missing)")->required();

  CLI::App* join = app.add_subcommand(
      "join",
      "Check the set INDEX describes (as 'check' does), then write every tensor into one canonical\n"
      "strict file OUT (atomically), or to standard output with '-'. Shard metadata is merged; a key\n"
      "with different values in two shards is an error.");
  join->footer(cli::profiles_help_text("compat") + "\n" + exit_text);
  IndexCheckFlags join_flags;
  join_flags.profile.profile = "compat";
  join_flags.add_to(*join, max_shards_text, "Print nothing on success");
  std::string join_index;
  std::string join_out;
  join->add_option("INDEX", join_index, "The model.safetensors.index.json")->required();
  join->add_option("OUT", join_out, "File to write ('-' = standard output)")->required();

  CLI::App* check = app.add_subcommand(
      "check",
      "Validate a sharded checkpoint as a whole: the index is strict JSON of the expected schema\n"
      "(no duplicate keys, shard names plain file names in the same folder, at most --max-shards\n"
      "shards), every shard is valid under --profile, every tensor of weight_map is in the shard\n"
      "named and in no other, no shard holds an unlisted tensor, and metadata.total_size, when present,\n"
      "equals the sum of the tensors' byte sizes (an index without it is accepted unless\n"
      "--require-total-size). st-audit judges an index the same way.");
  check->footer(cli::profiles_help_text() + "\n" + exit_text);
  IndexCheckFlags check_flags;
  check_flags.add_to(*check, max_shards_text, "Print nothing; report through the exit status only");
  cli::RemoteFlags check_remote;
  check_remote.add_to(*check, true);
  std::string check_index;
  check->add_option("INDEX", check_index,
                    "The model.safetensors.index.json, or its http(s) URL (shards resolved next to it and\n"
                    "fetched --connections at a time; docs/remote.md)")
      ->required();

  if (auto exit_now = cli::parse_command_line(app, argc, argv)) return *exit_now;
  // Every input here is opened by name (shards relative to the index, IN read
  // with pread): none can be standard input. join's OUT may be '-'.
  const std::vector<std::string> inputs =
      split->parsed() ? std::vector<std::string>{split_in, split_dir}
                      : std::vector<std::string>{join->parsed() ? join_index : check_index};
  if (auto refused = cli::check_stdin_operands("st-shard", inputs, false)) return *refused;

  if (split->parsed()) {
    return run_split(split_in, split_dir, size_text, base_name, force, split_flags.options(), split_quiet);
  }
  if (join->parsed()) {
    return run_join(join_index, join_out, join_flags.check_options(), join_flags.quiet);
  }
  return run_check(check_index, check_flags.check_options(), check_remote, check_flags.quiet);
}
