// st-rewrite: turn a file that only the lenient reader accepts into one every
// reader agrees on. IN is read under compat (default) or strict, i.e. as the
// reference loader sees it (duplicate names: last wins; unknown fields and
// padding quirks ignored), and OUT is written in canonical strict form: the
// reference writer's layout, re-validated before any byte is written. Tensor
// data is copied from IN with pread in 1 MiB chunks (constant memory, IN is
// never loaded whole). OUT is replaced atomically, or streamed to stdout
// with "-". Exit: 0 written, 1 IN invalid or not representable in strict form,
// 2 usage or I/O error.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/report.hpp"
#include "stguard/unique_fd.hpp"
#include "stguard/atomic_file.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/writer.hpp"

namespace {

using stguard::Error;

using InputFile = stguard::UniqueFd;

// Remembers the first read error of any producer, so a failing IN is
// reported as the I/O error it is (exit 2), not as a generic producer failure.
struct ReadFailure {
  std::optional<Error> first;
};

stguard::TensorProducer reading_producer(int fd, std::uint64_t offset, std::uint64_t length, ReadFailure& failure) {
  stguard::TensorProducer copy = stguard::file_region_producer(fd, offset, length);
  return [copy = std::move(copy), &failure](stguard::ByteSink& out) -> stguard::Status {
    stguard::Status status = copy(out);
    if (!status && !failure.first && status.error().error_class() == stguard::ErrorClass::io &&
        status.error().code != stguard::ErrorCode::io_write_failed) {
      failure.first = status.error();
    }
    return status;
  };
}

int exit_status_for(const Error& error) {
  return stguard::cli::is_unreadable(error) ? stguard::cli::kExitUsageOrIo : stguard::cli::kExitInvalid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-rewrite: rewrite a safetensors file in canonical strict form.\n\n"
               "Reads IN as the reference loader does (--profile compat, the default: duplicate names\n"
               "resolved last-wins, unknown tensor fields dropped, whitespace quirks ignored) and writes\n"
               "OUT so that every reader sees the same tensors: the reference writer's layout (dtype\n"
               "descending, then name), compact JSON, space padding to a multiple of 8, metadata keys\n"
               "sorted. The new header is re-validated under strict before anything is written.\n"
               "Tensor bytes are copied from IN in chunks (constant memory).\n\n"
               "OUT is replaced atomically (temporary file in the same folder, fsync, rename), so a\n"
               "failure leaves any existing OUT untouched; OUT may equal IN. OUT '-' streams the file\n"
               "to standard output; a character device (/dev/null) or a FIFO is written to as a stream,\n"
               "never replaced; a symlink applies the same rule to what it points to (the link stays);\n"
               "a folder, socket or block device is refused (exit 2). A terminal is refused.",
               "st-rewrite"};
  app.footer(stguard::cli::profiles_help_text("compat") + "\n" +
             stguard::cli::exit_status_help("OUT written",
                                            "IN is invalid under the profile, or holds something strict\n"
                                            "     cannot express (e.g. a control character in a name)",
                                            "IN could not be read or OUT could not be written"));
  app.set_version_flag("--version", "st-rewrite 0.1.0");

  stguard::cli::ProfileFlags flags;
  flags.profile = "compat";
  flags.add_to(app);
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Print nothing on success, and no notes");
  std::string input_path;
  std::string output_path;
  app.add_option("IN", input_path, "File to read (a path; '-' is refused)")->required();
  app.add_option("OUT", output_path, "File to write ('-' = standard output)")->required();

  if (auto exit_now = stguard::cli::parse_command_line(app, argc, argv)) return *exit_now;
  // IN is read with pread after validation: it must be a file, not a stream.
  if (auto refused = stguard::cli::check_stdin_operands("st-rewrite", {input_path}, false)) return *refused;

  const std::string display_in = stguard::escape_for_display(input_path);
  const bool to_stdout = output_path == "-";
  const std::string display_out = to_stdout ? "<stdout>" : stguard::escape_for_display(output_path);
  // With OUT on stdout, stdout carries the file: every message goes to stderr.
  std::ostream& report = to_stdout ? std::cerr : std::cout;


  const int raw_fd = ::open(input_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (raw_fd < 0) {
    const Error error = stguard::make_error(stguard::ErrorCode::io_open_failed,
                                            std::string("cannot open: ") + std::strerror(errno));
    std::cerr << display_in << ": ERROR " << stguard::cli::format_error(error) << '\n';
    return stguard::cli::kExitUsageOrIo;
  }
  InputFile input(raw_fd);

  const stguard::Options options = flags.options();
  auto header = stguard::validate_fd(input.get(), options);
  if (!header) {
    const Error& error = header.error();
    const bool unreadable = stguard::cli::is_unreadable(error);
    std::cerr << display_in << (unreadable ? ": ERROR " : ": INVALID ") << stguard::cli::format_error(error) << '\n';
    return exit_status_for(error);
  }

  ReadFailure read_failure;
  stguard::FileBuilder builder;
  for (const stguard::TensorInfo& tensor : header->tensors()) {
    stguard::Status added = builder.add_tensor(
        tensor.name, tensor.dtype, tensor.shape,
        reading_producer(input.get(), header->data_offset() + tensor.begin, tensor.byte_size(), read_failure));
    if (!added) break;  // the builder remembers the error; reported below
  }
  for (const stguard::MetadataEntry& entry : header->metadata()) {
    if (!builder.set_metadata(entry.key, entry.value)) break;
  }
  // Every rule of the output (names, limits, header size) is checked here,
  // before OUT is touched.
  if (auto plan = builder.plan(); !plan) {
    std::cerr << display_in << ": CANNOT REWRITE (strict cannot express it) "
              << stguard::cli::format_error(plan.error()) << '\n';
    return stguard::cli::kExitInvalid;
  }

  // The library decides what OUT gets: a regular or new file is replaced
  // atomically, '-', a character device or a FIFO is streamed to, anything
  // else (a folder, a socket, a block device) is refused. Never a terminal.
  stguard::AtomicWriteOptions atomic;
  atomic.allow_terminal = false;
  const stguard::Status saved = builder.save_to_path(output_path, atomic);
  if (!saved) {
    if (read_failure.first) {
      std::cerr << display_in << ": ERROR " << stguard::cli::format_error(*read_failure.first) << '\n';
      return stguard::cli::kExitUsageOrIo;
    }
    const Error& error = saved.error();
    std::cerr << display_out << ": ERROR " << stguard::cli::format_error(error) << '\n';
    // Everything about IN was checked before writing began: a failure now is
    // the output's (I/O) or a bug, never "IN is invalid".
    return stguard::cli::kExitUsageOrIo;
  }

  if (!quiet) {
    if (header->profile() == stguard::Profile::compat) {
      for (const Error& fixed : header->strict_violations()) {
        std::cerr << display_in << ": note: rewritten away: " << stguard::cli::format_error(fixed) << '\n';
      }
      if (header->violations_truncated()) std::cerr << display_in << ": note: (more notes omitted)\n";
    }
    report << display_in << " -> " << display_out << ": written (" << stguard::cli::count_of(header->tensor_count(), "tensor")
           << ", strict)\n";
  }
  return stguard::cli::kExitOk;
}
