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

#include "core/tensor_table.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

class HeaderBuilder {
 public:
  // With the views storage the tensors' names stay in `in_situ_text`, the
  // buffer the tokenizer parses in place, which must outlive finish_summary().
  HeaderBuilder(const Options& options, std::uint64_t header_length, TensorStorage storage = TensorStorage::owned,
                std::string_view in_situ_text = {}) noexcept;

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
  // finish() for the owned storage, finish_summary() for the views: the same
  // checks in the same order, so the same input gets the same error.
  [[nodiscard]] Result<Header> finish(std::optional<std::uint64_t> data_size);
  [[nodiscard]] Result<HeaderSummary> finish_summary(std::optional<std::uint64_t> data_size);

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

  // What the layout needs of a tensor beside its entry, which is built in
  // place in the table (for the owned storage, the array the Header gets),
  // so the entries are never moved into a second array.
  // 32 bits hold any offset inside a header (tensor_table.hpp).
  struct TensorPlace {
    std::uint32_t key_offset = 0;  // file offset just after the name
    std::uint32_t name_rank = 0;   // position in name order among the survivors
  };

  bool fail(ErrorCode code, std::string message, std::uint64_t offset, std::string_view tensor = {});
  // Applies a strict-only rule: an error in strict, a recorded note in compat.
  bool strict_rule(ErrorCode code, std::string message, std::uint64_t offset, std::string_view tensor = {});
  bool wrong_type(std::uint64_t offset);
  // An object or array where the schema wants none: nested deeper inside a
  // skipped value, a wrong type anywhere else.
  bool open_unexpected_container(std::uint64_t offset);
  bool after_scalar_in_skip();
  bool accept_integer(std::string_view raw, std::uint64_t offset, std::uint64_t& out);
  bool accept_tensor_name(std::string_view name, std::uint64_t offset);
  bool accept_metadata_key(std::string_view key, std::uint64_t offset);
  bool finish_tensor(std::uint64_t offset);
  [[nodiscard]] std::string_view current_tensor_name() const;

  // Every check after the last token, for both storages (header_layout.cpp).
  std::optional<Error> check_complete_header(std::optional<std::uint64_t> data_size);
  template <typename Entries>
  std::optional<Error> resolve_duplicate_tensors(Entries& tensors);
  std::optional<Error> resolve_duplicate_metadata();
  template <typename Entries>
  std::optional<Error> check_layout(Entries& tensors);

  Options options_;
  std::uint64_t header_length_;
  State state_ = State::expect_root;
  std::uint64_t skip_depth_ = 0;
  std::uint8_t fields_seen_ = 0;
  std::uint8_t offsets_count_ = 0;
  bool metadata_seen_ = false;
  bool metadata_is_object_ = false;
  TensorTable tensors_;
  std::vector<TensorPlace> places_;  // parallel to tensors_
  std::vector<MetadataEntry> metadata_;
  std::vector<std::uint64_t> metadata_offsets_;
  std::vector<Error> violations_;
  bool violations_truncated_ = false;
  std::optional<Error> error_;
  Header header_;
};

}  // namespace stguard
