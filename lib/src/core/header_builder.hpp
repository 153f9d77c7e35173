// HeaderBuilder: the schema and layout layers. It consumes JSON tokens
// (header_schema.cpp: the state machine that turns events into tensor
// entries and metadata, applying the name, field and limit rules of the
// profile) and then checks the layout (header_layout.cpp: duplicates, sort by
// offsets, contiguity, checked shape arithmetic, data size). It is the only
// code that constructs a Header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

class HeaderBuilder {
 public:
  HeaderBuilder(const Options& options, std::uint64_t header_length) noexcept;

  // JSON token events (file offsets); false stops parsing with error() set.
  bool on_object_start(std::uint64_t offset);
  bool on_object_end(std::uint64_t offset);
  bool on_array_start(std::uint64_t offset);
  bool on_array_end(std::uint64_t offset);
  bool on_key(std::string_view key, std::uint64_t offset);
  bool on_string(std::string_view value, std::uint64_t offset);
  bool on_number(std::string_view raw, std::uint64_t offset);
  bool on_bool(bool value, std::uint64_t offset);
  bool on_null(std::uint64_t offset);

  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }

  // Records something strict rejects but compat accepts (compat only).
  void note_strict_violation(Error violation);

  // After all tokens: duplicates, layout, and (when given) the data size.
  [[nodiscard]] Result<Header> finish(std::optional<std::uint64_t> data_size);

  // Compares a finished header's data size with the actual data region size.
  [[nodiscard]] static std::optional<Error> check_data_size(const Header& header,
                                                           std::uint64_t actual_data_size);

 private:
  enum class State : std::uint8_t {
    expect_root,
    top_key,
    metadata_value,
    metadata_key,
    metadata_string,
    tensor_value,
    tensor_key,
    dtype_value,
    shape_open,
    shape_item,
    offsets_open,
    offsets_item,
    skip_value,
    done,
  };

  struct PendingTensor {
    TensorInfo info;
    std::uint64_t key_offset = 0;  // file offset just after the name
    std::uint32_t name_rank = 0;   // position in name order among the survivors
  };

  bool fail(ErrorCode code, std::string message, std::uint64_t offset, std::string_view tensor = {});
  // Applies a strict-only rule: an error in strict, a recorded note in compat.
  bool strict_rule(ErrorCode code, std::string message, std::uint64_t offset, std::string_view tensor = {});
  bool wrong_type(std::uint64_t offset);
  bool after_scalar_in_skip();
  bool accept_integer(std::string_view raw, std::uint64_t offset, std::uint64_t& out);
  bool accept_tensor_name(std::string_view name, std::uint64_t offset);
  bool accept_metadata_key(std::string_view key, std::uint64_t offset);
  bool finish_tensor(std::uint64_t offset);
  [[nodiscard]] std::string_view current_tensor_name() const;

  std::optional<Error> resolve_duplicate_tensors();
  std::optional<Error> resolve_duplicate_metadata();
  std::optional<Error> check_layout();

  Options options_;
  std::uint64_t header_length_;
  State state_ = State::expect_root;
  std::uint64_t skip_depth_ = 0;
  std::uint8_t fields_seen_ = 0;
  std::uint8_t offsets_count_ = 0;
  bool metadata_seen_ = false;
  bool metadata_is_object_ = false;
  std::vector<PendingTensor> tensors_;
  std::vector<MetadataEntry> metadata_;
  std::vector<std::uint64_t> metadata_offsets_;
  std::vector<Error> violations_;
  bool violations_truncated_ = false;
  std::optional<Error> error_;
  Header header_;
};

}  // namespace stguard
