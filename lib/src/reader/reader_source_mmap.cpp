// The mapped data source: a read-only, private mapping (PROT_READ,
// MAP_PRIVATE) of the data region only, page-aligned downwards, made after
// the header passed validation. Opening touches no data page, so it costs
// the same for a 1 KB and a 100 GB file. The mapping does not protect
// against the file shrinking later (SIGBUS on a lost page): that is the
// documented price of zero-copy; the snapshot and pread modes avoid it.
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <string>

#include "io/errno_message.hpp"
#include "reader/reader_source.hpp"
#include "stguard/cursor.hpp"

namespace stguard::detail {
namespace {

class MappedSource final : public ResidentSource {
 public:
  MappedSource(void* base, std::size_t length) noexcept : ResidentSource({}), base_(base), length_(length) {}
  ~MappedSource() override { ::munmap(base_, length_); }

  // The data region: `size` bytes starting `skip` bytes into the mapping.
  Status attach(std::size_t skip, std::uint64_t size) {
    ByteCursor cursor(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(base_), length_));
    std::span<const std::uint8_t> region;
    if (size > SIZE_MAX || !cursor.skip(skip) || !cursor.read_bytes(static_cast<std::size_t>(size), region)) {
      return make_error(ErrorCode::internal_error, "the mapping does not cover the data region");
    }
    set_region(region);
    return {};
  }

 private:
  void* base_;
  std::size_t length_;
};

}  // namespace

Result<std::unique_ptr<DataSource>> map_data_region(int fd, const Header& header) {
  const std::uint64_t data_size = header.data_size();
  if (data_size == 0) {
    // Nothing to map (mmap refuses a length of 0): an empty resident region.
    return std::unique_ptr<DataSource>(std::make_unique<ResidentSource>(std::span<const std::uint8_t>()));
  }
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) return make_error(ErrorCode::io_map_failed, "cannot determine the page size");
  const std::uint64_t data_offset = header.data_offset();
  const std::uint64_t map_offset = data_offset - data_offset % static_cast<std::uint64_t>(page);
  const std::uint64_t skip = data_offset - map_offset;
  std::uint64_t length = 0;
  if (__builtin_add_overflow(skip, data_size, &length) || length > SIZE_MAX ||
      map_offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
    return make_error(ErrorCode::io_map_failed, "the data region is too large to map on this system");
  }
  void* base = ::mmap(nullptr, static_cast<std::size_t>(length), PROT_READ, MAP_PRIVATE, fd,
                      static_cast<off_t>(map_offset));
  if (base == MAP_FAILED) {
    return make_error(ErrorCode::io_map_failed, detail::errno_message("cannot map the data region", errno));
  }
  auto source = std::make_unique<MappedSource>(base, static_cast<std::size_t>(length));
  if (Status status = source->attach(static_cast<std::size_t>(skip), data_size); !status) return status.error();
  // Validation saw the file at this size; if it shrank since, pages of the
  // mapping are already gone, so refuse rather than hand out a trap.
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return make_error(ErrorCode::io_read_failed, detail::errno_message("cannot stat", errno));
  }
  if (static_cast<std::uint64_t>(info.st_size) != header.file_size()) {
    return make_error(ErrorCode::io_file_changed, "the file changed size between validation and mapping (" +
                                                      std::to_string(header.file_size()) + " -> " +
                                                      std::to_string(info.st_size) + " bytes)");
  }
  return std::unique_ptr<DataSource>(std::move(source));
}

}  // namespace stguard::detail
