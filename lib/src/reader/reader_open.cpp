// Opening a Reader: validate first, then set up the data source of the mode
// asked for. Validation is the library's (validate_fd for descriptors,
// validate_file for buffers); this file only decides what happens after a
// file passed, so no byte of a tensor can be reached before that.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "io/errno_message.hpp"
#include "reader/reader_source.hpp"
#include "reader/reader_state.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/reader.hpp"
#include "stguard/validate.hpp"

namespace stguard {
namespace {

using detail::DataSource;
using detail::ReaderState;

Result<std::unique_ptr<ReaderState>> make_state(Header header, ReaderMode mode,
                                                Result<std::unique_ptr<DataSource>> source) {
  if (!source) return std::move(source).error();
  auto state = std::make_unique<ReaderState>();
  state->header = std::move(header);
  state->mode = mode;
  state->source = std::move(source).value();
  return state;
}

// Snapshot mode: after the cheap prefix validation (so an invalid 100 GB file
// costs nothing), copy the whole file and validate the copy itself. The Header
// kept is the copy's, so header and bytes come from one consistent snapshot
// even if the file was being rewritten in place meanwhile.
Result<std::unique_ptr<ReaderState>> open_snapshot(int fd, const Header& prefix_header, const Options& options) {
  const std::uint64_t file_size = prefix_header.file_size();
  if (file_size > SIZE_MAX) return make_error(ErrorCode::out_of_memory, "the file is too large to copy into memory");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(file_size));
  if (Status status = pread_exact(fd, 0, bytes.data(), bytes.size()); !status) return status.error();
  struct stat info {};
  if (::fstat(fd, &info) != 0) return make_error(ErrorCode::io_read_failed, detail::errno_message("cannot stat", errno));
  if (static_cast<std::uint64_t>(info.st_size) != file_size) {
    return make_error(ErrorCode::io_file_changed, "the file changed size while it was being copied");
  }
  auto header = validate_file(bytes, options);
  if (!header) {
    return make_error(ErrorCode::io_file_changed,
                      "the file changed while it was being copied (the copy fails validation with " +
                          std::string(error_code_name(header.error().code)) + ")");
  }
  auto source = detail::make_owned_source(std::move(bytes), *header);
  return make_state(std::move(header).value(), ReaderMode::snapshot, std::move(source));
}

// `owned` holds `fd` when the Reader opened it itself; otherwise the caller
// keeps `fd` and a mode that needs a descriptor later takes a duplicate.
Result<std::unique_ptr<ReaderState>> open_descriptor(int fd, UniqueFd owned, const ReaderOptions& options) {
  if (options.mode == ReaderMode::borrowed) {
    return make_error(ErrorCode::invalid_argument, "mode borrowed is only for Reader::from_memory");
  }
  auto header = validate_fd(fd, options.validation);
  if (!header) return std::move(header).error();
  switch (options.mode) {
    case ReaderMode::mapped: {
      auto source = detail::map_data_region(fd, *header);
      return make_state(std::move(header).value(), ReaderMode::mapped, std::move(source));
    }
    case ReaderMode::pread: {
      if (!owned.valid()) {
        owned = UniqueFd(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
        if (!owned.valid()) {
          return make_error(ErrorCode::io_open_failed, detail::errno_message("cannot duplicate the descriptor", errno));
        }
      }
      auto source = detail::make_pread_source(std::move(owned), *header);
      return make_state(std::move(header).value(), ReaderMode::pread, std::move(source));
    }
    case ReaderMode::snapshot:
      return open_snapshot(fd, *header, options.validation);
    case ReaderMode::borrowed:
      break;
  }
  return make_error(ErrorCode::invalid_argument, "unknown reader mode");
}

Result<std::unique_ptr<ReaderState>> open_buffer(std::span<const std::uint8_t> file, std::vector<std::uint8_t>* owned,
                                                 const Options& options) {
  auto header = validate_file(file, options);
  if (!header) return std::move(header).error();
  if (owned == nullptr) {
    auto source = detail::make_borrowed_source(file, *header);
    return make_state(std::move(header).value(), ReaderMode::borrowed, std::move(source));
  }
  auto source = detail::make_owned_source(std::move(*owned), *header);
  return make_state(std::move(header).value(), ReaderMode::snapshot, std::move(source));
}

}  // namespace

Result<Reader> Reader::open(const std::string& path, const ReaderOptions& options) {
  return detail::without_exceptions([&]() -> Result<Reader> {
    auto owned = open_for_reading(path);  // a FIFO cannot hang it; validate_fd then rejects it
    if (!owned) return std::move(owned).error();
    const int fd = owned->get();
    auto state = open_descriptor(fd, std::move(owned).value(), options);
    if (!state) return with_path(std::move(state).error(), path);
    return Reader(std::move(state).value());
  });
}

Result<Reader> Reader::open_fd(int fd, const ReaderOptions& options) {
  return detail::without_exceptions([&]() -> Result<Reader> {
    auto state = open_descriptor(fd, UniqueFd(), options);
    if (!state) return std::move(state).error();
    return Reader(std::move(state).value());
  });
}

Result<Reader> Reader::from_memory(std::span<const std::uint8_t> file, const Options& options) {
  return detail::without_exceptions([&]() -> Result<Reader> {
    auto state = open_buffer(file, nullptr, options);
    if (!state) return std::move(state).error();
    return Reader(std::move(state).value());
  });
}

Result<Reader> Reader::from_bytes(std::vector<std::uint8_t> file, const Options& options) {
  return detail::without_exceptions([&]() -> Result<Reader> {
    const std::span<const std::uint8_t> view(file);
    auto state = open_buffer(view, &file, options);
    if (!state) return std::move(state).error();
    return Reader(std::move(state).value());
  });
}

}  // namespace stguard
