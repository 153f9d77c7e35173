// Resident data sources: a caller's buffer (borrowed) or a whole file the
// source owns (snapshot). Both hand out the data region found with a
// ByteCursor over the validated file, and copy out of it with bounds checks.
#include <cstring>
#include <new>
#include <string>

#include "reader/reader_source.hpp"
#include "stguard/cursor.hpp"

namespace stguard::detail {
namespace {

// The data region [8 + N, 8 + N + data_size) of a whole file in memory.
Result<std::span<const std::uint8_t>> data_region_of(std::span<const std::uint8_t> file, const Header& header) {
  ByteCursor cursor(file);
  std::span<const std::uint8_t> region;
  if (header.data_offset() > SIZE_MAX || header.data_size() > SIZE_MAX ||
      !cursor.skip(static_cast<std::size_t>(header.data_offset())) ||
      !cursor.read_bytes(static_cast<std::size_t>(header.data_size()), region) || !cursor.empty()) {
    return make_error(ErrorCode::internal_error, "the buffer does not match the header it was validated with");
  }
  return region;
}

class OwnedSource final : public ResidentSource {
 public:
  explicit OwnedSource(std::vector<std::uint8_t> file) noexcept : ResidentSource({}), file_(std::move(file)) {}

  Status attach(const Header& header) {
    auto region = data_region_of(file_, header);
    if (!region) return std::move(region).error();
    set_region(*region);
    return {};
  }

 private:
  std::vector<std::uint8_t> file_;
};

}  // namespace

Status ResidentSource::read(std::uint64_t offset, std::span<std::uint8_t> out) const {
  ByteCursor cursor(region_);
  std::span<const std::uint8_t> bytes;
  if (offset > SIZE_MAX || !cursor.skip(static_cast<std::size_t>(offset)) || !cursor.read_bytes(out.size(), bytes)) {
    return make_error(ErrorCode::invalid_argument, "a read of " + std::to_string(out.size()) + " bytes at " +
                                                       std::to_string(offset) + " is outside the data region");
  }
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return {};
}

Result<std::unique_ptr<DataSource>> make_borrowed_source(std::span<const std::uint8_t> file, const Header& header) {
  auto region = data_region_of(file, header);
  if (!region) return std::move(region).error();
  return std::unique_ptr<DataSource>(std::make_unique<ResidentSource>(*region));
}

Result<std::unique_ptr<DataSource>> make_owned_source(std::vector<std::uint8_t> file, const Header& header) {
  auto source = std::make_unique<OwnedSource>(std::move(file));
  if (Status status = source->attach(header); !status) return status.error();
  return std::unique_ptr<DataSource>(std::move(source));
}

}  // namespace stguard::detail
