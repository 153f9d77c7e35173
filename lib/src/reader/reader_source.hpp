// DataSource: where a Reader's tensor bytes come from, behind one interface
// (internal to the library).
//
// Three kinds exist: memory that is resident for the Reader's lifetime (a
// caller's buffer, a private copy, or a read-only mapping), and a descriptor
// read with pread on every access. Every source is built only from a Header
// that passed validation, for a data region of exactly header.data_size()
// bytes, and every read checks its range against that size again: a source
// never trusts its caller's arithmetic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/unique_fd.hpp"

namespace stguard::detail {

class DataSource {
 public:
  DataSource() = default;
  DataSource(const DataSource&) = delete;
  DataSource& operator=(const DataSource&) = delete;
  virtual ~DataSource() = default;

  // The whole data region when it is in memory for the source's lifetime;
  // nullopt for a source that reads on demand.
  [[nodiscard]] virtual std::optional<std::span<const std::uint8_t>> resident() const noexcept = 0;
  // Copies bytes [offset, offset + out.size()) of the data region into `out`.
  // Safe to call from many threads at once.
  [[nodiscard]] virtual Status read(std::uint64_t offset, std::span<std::uint8_t> out) const = 0;
};

// A data region in memory that outlives the source (a caller's buffer).
// Reads go through a ByteCursor over it.
class ResidentSource : public DataSource {
 public:
  explicit ResidentSource(std::span<const std::uint8_t> region) noexcept : region_(region) {}
  [[nodiscard]] std::optional<std::span<const std::uint8_t>> resident() const noexcept final { return region_; }
  [[nodiscard]] Status read(std::uint64_t offset, std::span<std::uint8_t> out) const final;

 protected:
  void set_region(std::span<const std::uint8_t> region) noexcept { region_ = region; }

 private:
  std::span<const std::uint8_t> region_;
};

// The data region of a whole validated file held in `file` (a span of it).
[[nodiscard]] Result<std::unique_ptr<DataSource>> make_borrowed_source(std::span<const std::uint8_t> file,
                                                                       const Header& header);
// Same, the source taking `file` over.
[[nodiscard]] Result<std::unique_ptr<DataSource>> make_owned_source(std::vector<std::uint8_t> file,
                                                                     const Header& header);
// A read-only private mapping of the data region of the file open on `fd`
// (validated as `header`); checks afterwards that the file still has the
// validated size. The mapping outlives the descriptor.
[[nodiscard]] Result<std::unique_ptr<DataSource>> map_data_region(int fd, const Header& header);
// Reads the data region with pread on every access.
[[nodiscard]] Result<std::unique_ptr<DataSource>> make_pread_source(UniqueFd fd, const Header& header);

}  // namespace stguard::detail
