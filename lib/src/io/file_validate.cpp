// File, descriptor and stream validation: fstat for the size, pread for the
// first bytes (the length prefix, checked by the core's one framing step
// against the limits and the file size before anything is allocated), then
// the N header bytes straight into the buffer the core parses in place.
#include "stguard/file_validate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <new>
#include <vector>

#include "io/errno_message.hpp"
#include "core/core_internal.hpp"
#include "stguard/stream_validator.hpp"
#include "stguard/unique_fd.hpp"
#include "stguard/validate.hpp"

namespace stguard {
namespace {

constexpr std::size_t kLengthBytes = 8;

}  // namespace

Status pread_exact(int fd, std::uint64_t offset, void* buffer, std::size_t length) {
  return detail::without_exceptions([&]() -> Status {
    auto* out = static_cast<unsigned char*>(buffer);
    std::size_t done = 0;
    while (done < length) {
      const ssize_t got = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return make_error(ErrorCode::io_read_failed, detail::errno_message("read failed", errno), offset + done);
      }
      if (got == 0) {
        return make_error(ErrorCode::io_file_changed, "the file ended early while reading (was it truncated?)",
                          offset + done);
      }
      done += static_cast<std::size_t>(got);
    }
    return {};
  });
}

namespace {

// The descriptor path for both results: `parse_in_place` is the core's
// parse_header_in_place (a Header) or summarize_header_in_place (a summary).
template <typename Verdict>
Result<Verdict> validate_fd_with(int fd, const Options& options,
                                 Result<Verdict> (*parse_in_place)(std::span<std::uint8_t>,
                                                                   std::optional<std::uint64_t>, const Options&) noexcept) {
  return detail::without_exceptions([&]() -> Result<Verdict> {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      return make_error(ErrorCode::io_read_failed, detail::errno_message("cannot stat", errno));
    }
    if (!S_ISREG(info.st_mode)) {
      return make_error(ErrorCode::io_not_regular_file,
                        S_ISDIR(info.st_mode) ? "is a directory" : "is not a regular file");
    }
    const auto file_size = static_cast<std::uint64_t>(info.st_size);
    // The length prefix plus enough leading bytes for read_header_length to
    // tell what a file that is not safetensors is (an index, an LFS pointer).
    std::array<std::uint8_t, detail::kRecognitionWindowBytes> leading{};
    const auto leading_size = static_cast<std::size_t>(std::min<std::uint64_t>(file_size, leading.size()));
    if (file_size >= 8) {
      if (Status status = pread_exact(fd, 0, leading.data(), leading_size); !status) return status.error();
    }
    auto header_length = read_header_length(std::span(leading.data(), leading_size), file_size, options);
    if (!header_length) return std::move(header_length).error();
    // N is now known to be within the limits and the file, so this
    // allocation is bounded by what the file really holds. The header bytes
    // already read are moved over, the rest read into place; the core then
    // parses this buffer itself, so the header is copied once in all.
    const std::uint64_t length = *header_length;
    std::vector<std::uint8_t> header(static_cast<std::size_t>(length));
    const std::size_t have = std::min<std::size_t>(leading_size - kLengthBytes, header.size());
    // std::copy_n, not memcpy: with N = 0 the buffer's data() is null.
    std::copy_n(leading.data() + kLengthBytes, have, header.data());
    if (Status status = pread_exact(fd, kLengthBytes + have, header.data() + have, header.size() - have); !status) {
      return status.error();
    }
    return parse_in_place(header, file_size - kLengthBytes - length, options);
  });
}

template <typename Verdict>
Result<Verdict> validate_path_with(const std::string& path, const Options& options,
                                   Result<Verdict> (*validate)(int, const Options&)) {
  auto fd = open_for_reading(path);
  if (!fd) return std::move(fd).error();
  return with_path(validate(fd->get(), options), path);
}

}  // namespace

Result<Header> validate_fd(int fd, const Options& options) {
  return validate_fd_with<Header>(fd, options, detail::parse_header_in_place);
}

Result<HeaderSummary> validate_fd_summary(int fd, const Options& options) {
  return validate_fd_with<HeaderSummary>(fd, options, detail::summarize_header_in_place);
}

Result<Header> validate_path(const std::string& path, const Options& options) {
  return validate_path_with<Header>(path, options, validate_fd);
}

Result<HeaderSummary> validate_path_summary(const std::string& path, const Options& options) {
  return validate_path_with<HeaderSummary>(path, options, validate_fd_summary);
}

Result<std::string> read_regular_file(const std::string& path, std::uint64_t max_bytes) noexcept {
  auto fd = open_for_reading(path);
  if (!fd) return std::move(fd).error();
  return with_path(detail::without_exceptions([&]() -> Result<std::string> {
                     struct stat info {};
                     if (::fstat(fd->get(), &info) != 0) {
                       return make_error(ErrorCode::io_read_failed, detail::errno_message("cannot stat", errno));
                     }
                     if (!S_ISREG(info.st_mode)) {
                       return make_error(ErrorCode::io_not_regular_file,
                                         S_ISDIR(info.st_mode) ? "is a directory" : "is not a regular file");
                     }
                     const auto size = static_cast<std::uint64_t>(info.st_size);
                     if (size > max_bytes) {
                       return make_error(ErrorCode::io_read_failed,
                                         "the file is larger than " + std::to_string(max_bytes) + " bytes");
                     }
                     std::string text(static_cast<std::size_t>(size), '\0');
                     if (Status status = pread_exact(fd->get(), 0, text.data(), text.size()); !status) {
                       return status.error();
                     }
                     return text;
                   }),
                   path);
}

Result<Header> validate_stream(int fd, const Options& options, bool drain) {
  return detail::without_exceptions([&]() -> Result<Header> {
    StreamValidator validator(options);
    std::vector<std::uint8_t> chunk(1 << 16);
    for (;;) {
      const ssize_t got = ::read(fd, chunk.data(), chunk.size());
      if (got < 0) {
        if (errno == EINTR) continue;
        return make_error(ErrorCode::io_read_failed, detail::errno_message("read failed", errno), validator.bytes_seen());
      }
      if (got == 0) break;
      const bool keep_going = validator.feed(std::span<const std::uint8_t>(chunk.data(), static_cast<std::size_t>(got)));
      if (!keep_going && !drain) break;
    }
    return validator.finish();
  });
}

}  // namespace stguard
