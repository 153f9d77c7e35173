// Header: the validated, immutable model of a safetensors header.
//
// Only the validation core constructs one, and only after every rule of the
// profile in force has passed, so holding a Header is proof of validity.
// Tensors are kept in data order (begin, end, then name); lookup by name is a
// binary search over a name-sorted index, so no hash flooding is possible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/dtype.hpp"
#include "stguard/error.hpp"
#include "stguard/options.hpp"

namespace stguard {

struct TensorInfo {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<std::uint64_t> shape;  // empty = scalar
  std::uint64_t begin = 0;           // relative to the data region
  std::uint64_t end = 0;
  std::uint64_t element_count = 0;   // product of shape (checked)

  [[nodiscard]] std::uint64_t byte_size() const noexcept { return end - begin; }
  [[nodiscard]] std::size_t rank() const noexcept { return shape.size(); }
};

struct MetadataEntry {
  std::string key;
  std::string value;
};

class Header {
 public:
  // Tensors in data order: by (begin, end), ties by name.
  [[nodiscard]] std::span<const TensorInfo> tensors() const noexcept { return tensors_; }
  [[nodiscard]] std::size_t tensor_count() const noexcept { return tensors_.size(); }
  // nullptr when absent.
  [[nodiscard]] const TensorInfo* find(std::string_view name) const noexcept;

  // Metadata sorted by key (duplicates resolved: strict has none, compat keeps the last).
  [[nodiscard]] std::span<const MetadataEntry> metadata() const noexcept { return metadata_; }
  [[nodiscard]] const std::string* metadata_value(std::string_view key) const noexcept;
  // True when "__metadata__" appeared as an object (false when absent or null).
  [[nodiscard]] bool has_metadata_object() const noexcept { return has_metadata_object_; }

  [[nodiscard]] Profile profile() const noexcept { return profile_; }
  // N, the header length in bytes (padding included).
  [[nodiscard]] std::uint64_t header_length() const noexcept { return header_length_; }
  // File offset of the data region: 8 + N.
  [[nodiscard]] std::uint64_t data_offset() const noexcept { return 8 + header_length_; }
  // Bytes the tensors cover: the end of the last tensor.
  [[nodiscard]] std::uint64_t data_size() const noexcept { return data_size_; }
  // 8 + N + data_size: the exact size a valid file has.
  [[nodiscard]] std::uint64_t file_size() const noexcept { return data_offset() + data_size_; }

  // compat only: what strict would have rejected, in the order met (at most
  // Options::max_recorded_violations; violations_truncated() says if more).
  [[nodiscard]] std::span<const Error> strict_violations() const noexcept { return strict_violations_; }
  [[nodiscard]] bool violations_truncated() const noexcept { return violations_truncated_; }

 private:
  friend class HeaderBuilder;  // the validation core (lib/src/core) fills these in

  std::vector<TensorInfo> tensors_;
  std::vector<std::uint32_t> by_name_;  // indexes into tensors_, sorted by name
  std::vector<MetadataEntry> metadata_;
  std::vector<Error> strict_violations_;
  std::uint64_t header_length_ = 0;
  std::uint64_t data_size_ = 0;
  Profile profile_ = Profile::strict;
  bool has_metadata_object_ = false;
  bool violations_truncated_ = false;
};

// The verdict on a valid header without its tensor table: what st-validate
// reports of a file (count, sizes, profile, the compat notes). The
// validators that return one (validate_path_summary, validate_fd_summary)
// run the same rules in the same order as those that return a Header, so
// the same input gets the same error, but keep no per-tensor copy: their
// peak memory is the header's bytes and about 60 bytes per tensor.
struct HeaderSummary {
  std::uint64_t tensor_count = 0;
  std::uint64_t header_length = 0;  // N, padding included
  std::uint64_t data_size = 0;      // the end of the last tensor
  Profile profile = Profile::strict;
  bool has_metadata_object = false;
  std::vector<Error> strict_violations;  // as Header::strict_violations()
  bool violations_truncated = false;

  [[nodiscard]] std::uint64_t data_offset() const noexcept { return 8 + header_length; }
  [[nodiscard]] std::uint64_t file_size() const noexcept { return data_offset() + data_size; }
  // The summary of a Header (for the paths that only produce Headers: streams, URLs).
  [[nodiscard]] static HeaderSummary of(const Header& header);
};

}  // namespace stguard
