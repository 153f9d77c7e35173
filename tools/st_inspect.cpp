// st-inspect: look inside one validated safetensors file. Lists the tensors
// (name, dtype, shape, offsets, bytes) and the metadata as a table or JSON,
// or writes the raw bytes of one tensor or of a slice of it to stdout.
//
// The file is validated first, exactly as st-validate would (same profile
// flags, same error text, same exit statuses), and opened in pread mode: the
// data is never mapped, so a file truncated while it is being dumped gives an
// error, not a SIGBUS, and memory stays O(header) whatever the tensor size.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/cli_options.hpp"
#include "common/exit_codes.hpp"
#include "common/json_writer.hpp"
#include "common/report.hpp"
#include "stguard/escape.hpp"
#include "stguard/reader.hpp"

namespace {

using stguard::Error;
using stguard::Reader;
using stguard::TensorView;

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
// Longer names overflow their column instead of widening the whole table.
constexpr std::size_t kMaxNameColumn = 48;

constexpr std::string_view kHelpFooter = R"(Examples:
  st-inspect model.safetensors
  st-inspect --json model.safetensors
  st-inspect --dump embed.weight model.safetensors > embed.bin
  st-inspect --slice embed.weight '0:2,5' model.safetensors | xxd

Slice specifications (like Python's get_slice, on the leading dimensions):
  comma-separated entries, one per dimension from the first; each is
  ':' (all), 'a:' (from a), ':b' (up to b, excluded), 'a:b', or 'i' (one
  index, which removes the dimension). Unnamed trailing dimensions are kept
  whole. Out-of-range bounds, stop < start, more entries than the rank, and
  F4/F6 selections that do not start and end on a byte are errors (no
  clamping); negative indices and steps are not supported.

Binary output (--dump, --slice) is the tensor's bytes exactly as stored
(little-endian, C order). It is refused when stdout is a terminal, since
tensor bytes are attacker-controlled and could carry escape sequences. If the
reader of a pipe stops early (e.g. '| head -c 16'), st-inspect stops quietly.

Text output escapes every name, metadata key and value, path and message
(control characters, bidirectional controls, invisible and non-character code
points, invalid UTF-8; SECURITY.md lists the rule) so a file cannot inject
into your terminal; JSON output escapes per RFC 8259 and writes the same code
points as \uXXXX.
)";


std::string shape_text(std::span<const std::uint64_t> shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

// Columns are counted in code points: escaped text is printable ASCII or
// valid UTF-8, whose continuation bytes take no column of their own.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(std::string text, std::size_t width) {
  const std::size_t have = display_width(text);
  if (have < width) text.append(width - have, ' ');
  return text;
}

void print_table(const std::string& display_path, const Reader& reader) {
  const stguard::Header& header = reader.header();
  std::cout << display_path << ": OK (" << stguard::cli::describe_header(header) << ", "
            << stguard::profile_name(header.profile()) << ")\n";
  for (const Error& violation : header.strict_violations()) {
    std::cout << "note: strict would reject this file: " << stguard::cli::format_error(violation) << '\n';
  }
  if (header.violations_truncated()) std::cout << "note: more strict violations were not recorded\n";

  struct Row {
    std::string name, dtype, shape, offsets, bytes;
  };
  std::vector<Row> rows;
  rows.reserve(reader.tensor_count() + 1);
  rows.push_back(Row{"NAME", "DTYPE", "SHAPE", "OFFSETS", "BYTES"});
  for (const TensorView tensor : reader.tensors()) {
    rows.push_back(Row{stguard::escape_for_display(tensor.name()), std::string(stguard::dtype_name(tensor.dtype())),
                       shape_text(tensor.shape()),
                       "[" + std::to_string(tensor.data_begin()) + ", " + std::to_string(tensor.data_end()) + "]",
                       std::to_string(tensor.byte_size())});
  }
  std::size_t name_width = 0, dtype_width = 0, shape_width = 0, offsets_width = 0;
  for (const Row& row : rows) {
    name_width = std::max(name_width, std::min(display_width(row.name), kMaxNameColumn));
    dtype_width = std::max(dtype_width, row.dtype.size());
    shape_width = std::max(shape_width, row.shape.size());
    offsets_width = std::max(offsets_width, row.offsets.size());
  }
  for (const Row& row : rows) {
    std::cout << pad(row.name, name_width) << "  " << pad(row.dtype, dtype_width) << "  "
              << pad(row.shape, shape_width) << "  " << pad(row.offsets, offsets_width) << "  " << row.bytes << '\n';
  }

  const auto metadata = header.metadata();
  if (!header.has_metadata_object()) {
    std::cout << "metadata: none\n";
    return;
  }
  std::cout << "metadata (" << stguard::cli::count_of(metadata.size(), "entry", "entries") << "):\n";
  for (const stguard::MetadataEntry& entry : metadata) {
    std::cout << "  " << stguard::escape_for_display(entry.key) << ": " << stguard::escape_for_display(entry.value)
              << '\n';
  }
}

void print_json(const std::string& path, const Reader& reader) {
  const stguard::Header& header = reader.header();
  stguard::cli::JsonWriter json;
  json.begin_object();
  json.key("tool").string("st-inspect");
  json.key("path").string(path);
  json.key("profile").string(stguard::profile_name(header.profile()));
  json.key("status").string("valid");
  json.key("valid").boolean(true);  // deprecated: status == "valid"
  json.key("tensor_count").number(header.tensor_count());
  json.key("header_bytes").number(header.header_length());
  json.key("data_bytes").number(header.data_size());
  json.key("file_bytes").number(header.file_size());
  json.key("tensors").begin_array();
  for (const TensorView tensor : reader.tensors()) {
    json.begin_object();
    json.key("name").string(tensor.name());
    json.key("dtype").string(stguard::dtype_name(tensor.dtype()));
    json.key("shape").begin_array();
    for (const std::uint64_t dim : tensor.shape()) json.number(dim);
    json.end_array();
    json.key("data_offsets").begin_array().number(tensor.data_begin()).number(tensor.data_end()).end_array();
    json.key("file_offset").number(tensor.file_offset());
    json.key("bytes").number(tensor.byte_size());
    json.key("elements").number(tensor.element_count());
    json.end_object();
  }
  json.end_array();
  json.key("metadata");
  if (header.has_metadata_object()) {
    json.begin_object();
    for (const stguard::MetadataEntry& entry : header.metadata()) json.key(entry.key).string(entry.value);
    json.end_object();
  } else {
    json.null();
  }
  json.key("strict_violations").begin_array();
  for (const Error& violation : header.strict_violations()) stguard::cli::write_error_json(json, violation);
  json.end_array();
  json.key("error").null();
  json.end_object();
  std::cout << json.str() << '\n';
}

void print_json_failure(const std::string& path, const std::string& profile, const Error& error) {
  stguard::cli::JsonWriter json;
  json.begin_object();
  json.key("tool").string("st-inspect");
  json.key("path").string(path);
  json.key("profile").string(profile);
  json.key("status").string(stguard::cli::is_unreadable(error) ? "unreadable" : "invalid");
  json.key("valid").boolean(false);  // deprecated: status == "valid"
  json.key("error");
  stguard::cli::write_error_json(json, error);
  json.end_object();
  std::cout << json.str() << '\n';
}

enum class WriteOutcome { written, reader_gone, failed };

// write(2) until every byte is out: retries on EINTR and short writes.
WriteOutcome write_all(std::span<const std::uint8_t> bytes, int& error_number) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      error_number = errno;
      return errno == EPIPE ? WriteOutcome::reader_gone : WriteOutcome::failed;
    }
    done += static_cast<std::size_t>(wrote);
  }
  return WriteOutcome::written;
}

// Copies tensor bytes to stdout through one bounded buffer: memory stays
// O(1 MiB) whatever the tensor size, and the many small ranges of a slice
// are batched into few writes.
class BinaryWriter {
 public:
  explicit BinaryWriter(const std::string& display_path) : display_path_(display_path), buffer_(kChunkBytes) {}

  // Appends tensor bytes [offset, offset + length); an exit status on failure.
  std::optional<int> append(const TensorView& tensor, std::uint64_t offset, std::uint64_t length) {
    while (length > 0 && !reader_gone_) {
      const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(length, buffer_.size() - filled_));
      if (stguard::Status status = tensor.read(offset, std::span<std::uint8_t>(buffer_.data() + filled_, chunk));
          !status) {
        std::cerr << display_path_ << ": ERROR " << stguard::cli::format_error(status.error()) << '\n';
        return stguard::cli::kExitUsageOrIo;
      }
      filled_ += chunk;
      offset += chunk;
      length -= chunk;
      if (filled_ == buffer_.size()) {
        if (auto failed = flush()) return failed;
      }
    }
    return std::nullopt;
  }

  // Writes what is buffered; an exit status on a write error.
  std::optional<int> flush() {
    if (reader_gone_ || filled_ == 0) return std::nullopt;
    int error_number = 0;
    const WriteOutcome outcome = write_all(std::span<const std::uint8_t>(buffer_.data(), filled_), error_number);
    filled_ = 0;
    if (outcome == WriteOutcome::reader_gone) reader_gone_ = true;
    if (outcome == WriteOutcome::failed) {
      std::cerr << "st-inspect: cannot write to standard output: " << std::strerror(error_number) << '\n';
      return stguard::cli::kExitUsageOrIo;
    }
    return std::nullopt;
  }

  [[nodiscard]] bool reader_gone() const noexcept { return reader_gone_; }

 private:
  const std::string& display_path_;
  std::vector<std::uint8_t> buffer_;
  std::size_t filled_ = 0;
  bool reader_gone_ = false;
};

int report_failure(const std::string& display_path, const Error& error) {
  const bool unreadable = stguard::cli::is_unreadable(error);
  std::cerr << display_path << (unreadable ? ": ERROR " : ": INVALID ") << stguard::cli::format_error(error) << '\n';
  return unreadable ? stguard::cli::kExitUsageOrIo : stguard::cli::kExitInvalid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"st-inspect: list the tensors and metadata of a safetensors file, or dump their bytes.\n\n"
               "The file is validated first (strict by default), exactly as st-validate does; an\n"
               "invalid file is refused with the same message and exit status. FILE may be '-'\n"
               "when standard input is a regular file (st-inspect - < model.safetensors).\n",
               "st-inspect"};
  app.footer(std::string(kHelpFooter) + "\n" + stguard::cli::profiles_help_text() + "\n" +
             stguard::cli::exit_status_help(
                 "the file is valid (and the requested bytes were written)",
                 "the file is invalid under the profile (PATH: INVALID [CODE] ... on stderr)",
                 "the file could not be read, an unknown tensor (TENSOR_NOT_FOUND), a bad slice\n"
                 "     (SLICE_*), or a write error on stdout"));
  app.set_version_flag("--version", "st-inspect 0.1.0");

  stguard::cli::ProfileFlags flags;
  flags.add_to(app);
  bool json = false;
  auto* json_flag = app.add_flag("--json", json, "Print the listing as one JSON document");
  std::string dump_name;
  auto* dump_option = app.add_option("--dump", dump_name, "Write the raw bytes of tensor NAME to stdout")
                          ->type_name("NAME");
  std::vector<std::string> slice_args;
  auto* slice_option = app.add_option("--slice", slice_args,
                                      "Write the raw bytes of a slice of tensor NAME to stdout, e.g. --slice w '0:2,1'")
                           ->expected(2)
                           ->type_name("NAME SPEC");
  json_flag->excludes(dump_option)->excludes(slice_option);
  dump_option->excludes(slice_option);
  std::string path;
  app.add_option("FILE", path, "The safetensors file ('-' = standard input, if it is a regular file)")->required();

  if (auto exit_now = stguard::cli::parse_command_line(app, argc, argv)) return *exit_now;

  const bool binary = !dump_option->empty() || !slice_option->empty();
  const std::string display_path = path == "-" ? "<stdin>" : stguard::escape_for_display(path);
  if (binary && ::isatty(STDOUT_FILENO) == 1) {
    std::cerr << "st-inspect: refusing to write binary tensor data to a terminal; redirect stdout "
                 "(e.g. > tensor.bin or | xxd)\n";
    return stguard::cli::kExitUsageOrIo;
  }

  stguard::ReaderOptions reader_options;
  reader_options.validation = flags.options();
  reader_options.mode = stguard::ReaderMode::pread;
  auto opened = path == "-" ? Reader::open_fd(STDIN_FILENO, reader_options) : Reader::open(path, reader_options);
  if (!opened) {
    const int status = report_failure(display_path, opened.error());
    if (json) print_json_failure(path, std::string(stguard::profile_name(reader_options.validation.profile)),
                                 opened.error());
    return status;
  }
  const Reader& reader = opened.value();

  if (!binary) {
    if (json) {
      print_json(path, reader);
    } else {
      print_table(display_path, reader);
    }
    std::cout.flush();
    return std::cout ? stguard::cli::kExitOk : stguard::cli::kExitUsageOrIo;
  }

  // A reader that closes the pipe early is not an error: see the help text.
  std::signal(SIGPIPE, SIG_IGN);
  const std::string& name = dump_option->empty() ? slice_args.at(0) : dump_name;
  auto tensor = reader.tensor(name);
  if (!tensor) return report_failure(display_path, tensor.error());
  BinaryWriter writer(display_path);
  if (slice_option->empty()) {
    if (auto failed = writer.append(*tensor, 0, tensor->byte_size())) return *failed;
  } else {
    auto slice = tensor->slice(std::string_view(slice_args.at(1)));
    if (!slice) return report_failure(display_path, slice.error());
    stguard::SliceRangeCursor ranges = slice->plan().ranges();
    stguard::ByteRange range;
    while (!writer.reader_gone() && ranges.next(range)) {
      if (auto failed = writer.append(*tensor, range.offset, range.length)) return *failed;
    }
  }
  if (auto failed = writer.flush()) return *failed;
  return stguard::cli::kExitOk;
}
