// The pread data source: never maps. Every access is a pread_exact of just
// the bytes asked for, at an absolute offset (no shared file position, so
// any number of threads may read at once). A file truncated under it yields
// io_file_changed from pread_exact instead of a signal. UniqueFd, the owned
// descriptor this source keeps, is defined here too.
#include <unistd.h>

#include <string>

#include "reader/reader_source.hpp"
#include "stguard/file_validate.hpp"

namespace stguard::detail {
namespace {

class PreadSource final : public DataSource {
 public:
  PreadSource(UniqueFd fd, std::uint64_t data_offset, std::uint64_t data_size) noexcept
      : fd_(std::move(fd)), data_offset_(data_offset), data_size_(data_size) {}

  [[nodiscard]] std::optional<std::span<const std::uint8_t>> resident() const noexcept override {
    return std::nullopt;
  }

  [[nodiscard]] Status read(std::uint64_t offset, std::span<std::uint8_t> out) const override {
    std::uint64_t end = 0;
    std::uint64_t file_offset = 0;
    if (__builtin_add_overflow(offset, out.size(), &end) || end > data_size_ ||
        __builtin_add_overflow(data_offset_, offset, &file_offset)) {
      return make_error(ErrorCode::invalid_argument, "a read of " + std::to_string(out.size()) + " bytes at " +
                                                         std::to_string(offset) + " is outside the data region");
    }
    if (out.empty()) return {};
    return pread_exact(fd_.get(), file_offset, out.data(), out.size());
  }

 private:
  UniqueFd fd_;
  std::uint64_t data_offset_;
  std::uint64_t data_size_;
};

}  // namespace

Result<std::unique_ptr<DataSource>> make_pread_source(UniqueFd fd, const Header& header) {
  return std::unique_ptr<DataSource>(
      std::make_unique<PreadSource>(std::move(fd), header.data_offset(), header.data_size()));
}

}  // namespace stguard::detail
