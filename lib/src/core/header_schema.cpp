// The schema layer: a state machine over JSON tokens that accepts exactly
//   { "__metadata__": {str: str, ...} | null(compat),
//     name: {"dtype": str, "shape": [uint...], "data_offsets": [uint, uint]}, ... }
// and applies the per-token rules of the profile: field names and types,
// integer grammar and limits, name rules, tensor count and rank limits.
// Anything the schema does not expect is rejected at the token that breaks it,
// except unknown tensor fields in compat, whose values are skipped whole.
#include <algorithm>
#include <string>

#include "core/header_builder.hpp"
#include "core/json_tokenizer.hpp"
#include "core/tensor_rules.hpp"
#include "stguard/escape.hpp"

namespace stguard {
namespace {

constexpr std::uint8_t kFieldDtype = 1;
constexpr std::uint8_t kFieldShape = 2;
constexpr std::uint8_t kFieldOffsets = 4;
constexpr std::uint8_t kAllFields = kFieldDtype | kFieldShape | kFieldOffsets;

// The shortest text of a tensor entry and its comma,
// "":{"dtype":"U8","shape":[],"data_offsets":[0,0]}, (no dtype name is
// shorter): a header of N bytes holds at most N / 50 + 1 entries, the last
// one perhaps incomplete, so the table reserved from N never grows (and
// never copies), and an allocation derived from N, which the framing step
// has already checked against the limits, never from a number in the file.
constexpr std::uint64_t kShortestTensorEntryBytes = 50;

}  // namespace

HeaderBuilder::HeaderBuilder(const Options& options, std::uint64_t header_length, TensorStorage storage,
                             std::string_view in_situ_text) noexcept
    : options_(options), header_length_(header_length), tensors_(storage, in_situ_text) {}

bool HeaderBuilder::fail(ErrorCode code, std::string message, std::uint64_t offset, std::string_view tensor) {
  if (!error_) error_ = make_error(code, std::move(message), offset, std::string(tensor));
  return false;
}

void HeaderBuilder::note_strict_violation(Error violation) {
  if (violations_.size() >= options_.max_recorded_violations) {
    violations_truncated_ = true;
    return;
  }
  violations_.push_back(std::move(violation));
}

bool HeaderBuilder::strict_rule(ErrorCode code, std::string message, std::uint64_t offset,
                                std::string_view tensor) {
  if (options_.profile == Profile::strict) return fail(code, std::move(message), offset, tensor);
  note_strict_violation(make_error(code, std::move(message), offset, std::string(tensor)));
  return true;
}

std::string_view HeaderBuilder::current_tensor_name() const {
  return tensors_.last_name();
}

bool HeaderBuilder::wrong_type(std::uint64_t offset) {
  const std::string_view name = current_tensor_name();
  switch (state_) {
    case State::expect_root:
      return fail(ErrorCode::root_not_object, "the top-level JSON value is not an object", offset);
    case State::metadata_value:
      return fail(ErrorCode::metadata_not_object, "__metadata__ is not an object", offset);
    case State::metadata_string:
      return fail(ErrorCode::metadata_value_not_string,
                  "a __metadata__ value is not a string (key \"" + escape_for_display(metadata_.back().key) + "\")",
                  offset);
    case State::tensor_value:
      return fail(ErrorCode::tensor_not_object, "tensor entry is not a JSON object", offset, name);
    case State::dtype_value:
      return fail(ErrorCode::dtype_not_string, "dtype is not a JSON string", offset, name);
    case State::shape_open:
      return fail(ErrorCode::shape_not_array, "shape is not an array", offset, name);
    case State::offsets_open:
      return fail(ErrorCode::offsets_not_pair, "data_offsets is not an array", offset, name);
    case State::shape_item:
    case State::offsets_item:
      return fail(ErrorCode::not_an_integer, "expected a non-negative integer", offset, name);
    default:
      return fail(ErrorCode::internal_error, "unexpected JSON token in schema state", offset, name);
  }
}

bool HeaderBuilder::after_scalar_in_skip() {
  if (skip_depth_ == 0) state_ = State::tensor_key;
  return true;
}

bool HeaderBuilder::accept_integer(std::string_view raw, std::uint64_t offset, std::uint64_t& out) {
  const std::string_view name = current_tensor_name();
  switch (detail::parse_json_uint(raw, out)) {
    case detail::IntegerParse::not_integer:
      return fail(ErrorCode::not_an_integer,
                  "\"" + escape_for_display(raw.substr(0, 40)) + "\" is not a plain non-negative integer",
                  offset, name);
    case detail::IntegerParse::overflow:
      return fail(ErrorCode::integer_overflow, "integer exceeds 2^64 - 1", offset, name);
    case detail::IntegerParse::ok:
      break;
  }
  if (out > options_.limits.max_integer) {
    return fail(ErrorCode::limit_integer,
                "integer " + std::to_string(out) + " exceeds max_integer (" +
                    std::to_string(options_.limits.max_integer) + ")",
                offset, name);
  }
  if (out > kMaxSafeInteger && options_.profile == Profile::compat) {
    note_strict_violation(make_error(ErrorCode::limit_integer,
                                     "integer " + std::to_string(out) + " exceeds 2^53 - 1", offset,
                                     std::string(name)));
  }
  return true;
}

bool HeaderBuilder::accept_tensor_name(std::string_view name, std::uint64_t offset) {
  if (tensors_.size() >= options_.limits.max_tensors) {
    return fail(ErrorCode::limit_tensor_count,
                "more than max_tensors (" + std::to_string(options_.limits.max_tensors) + ") tensors", offset);
  }
  if (name.size() > options_.limits.max_name_bytes) {
    return fail(ErrorCode::limit_name_bytes,
                "tensor name of " + std::to_string(name.size()) + " bytes exceeds max_name_bytes (" +
                    std::to_string(options_.limits.max_name_bytes) + ")",
                offset, name.substr(0, 64));
  }
  const Limits strict_limits = Limits::strict_defaults();
  if (options_.profile == Profile::compat && name.size() > strict_limits.max_name_bytes) {
    note_strict_violation(make_error(ErrorCode::limit_name_bytes, "tensor name longer than 4096 bytes", offset,
                                     std::string(name.substr(0, 64))));
  }
  switch (detail::header_tensor_name_fault(name)) {
    case detail::NameFault::empty:
      return strict_rule(ErrorCode::invalid_tensor_name, "empty tensor name", offset);
    case detail::NameFault::control_character:
      return strict_rule(ErrorCode::invalid_tensor_name, "tensor name contains a control character", offset, name);
    default:
      break;
  }
  return true;
}

bool HeaderBuilder::accept_metadata_key(std::string_view key, std::uint64_t offset) {
  if (detail::has_control_character(key)) {
    return strict_rule(ErrorCode::invalid_metadata_key,
                       "__metadata__ key \"" + escape_for_display(key) + "\" contains a control character", offset);
  }
  return true;
}

bool HeaderBuilder::open_unexpected_container(std::uint64_t offset) {
  if (state_ != State::skip_value) return wrong_type(offset);
  ++skip_depth_;  // an object or array inside an ignored value: only its depth matters
  return true;
}

bool HeaderBuilder::on_object_start(std::uint64_t offset) {
  switch (state_) {
    case State::expect_root: {
      const std::uint64_t most_entries =
          std::min(options_.limits.max_tensors, header_length_ / kShortestTensorEntryBytes + 1);
      tensors_.reserve(static_cast<std::size_t>(most_entries));
      places_.reserve(static_cast<std::size_t>(most_entries));
      state_ = State::top_key;
      return true;
    }
    case State::metadata_value:
      metadata_is_object_ = true;
      state_ = State::metadata_key;
      return true;
    case State::tensor_value:
      fields_seen_ = 0;
      state_ = State::tensor_key;
      return true;
    default:
      return open_unexpected_container(offset);
  }
}

bool HeaderBuilder::on_array_start(std::uint64_t offset) {
  switch (state_) {
    case State::shape_open:
      state_ = State::shape_item;
      return true;
    case State::offsets_open:
      offsets_count_ = 0;
      state_ = State::offsets_item;
      return true;
    default:
      return open_unexpected_container(offset);
  }
}

bool HeaderBuilder::on_key(std::string_view key, std::uint64_t offset) {
  switch (state_) {
    case State::top_key:
      if (key == "__metadata__") {
        if (metadata_seen_) {
          return fail(ErrorCode::duplicate_metadata_block, "__metadata__ appears more than once", offset);
        }
        metadata_seen_ = true;
        state_ = State::metadata_value;
        return true;
      }
      if (!accept_tensor_name(key, offset)) return false;
      tensors_.add(key);
      places_.push_back(TensorPlace{static_cast<std::uint32_t>(offset), 0});
      state_ = State::tensor_value;
      return true;
    case State::metadata_key:
      if (!accept_metadata_key(key, offset)) return false;
      metadata_.push_back(MetadataEntry{std::string(key), {}});
      metadata_offsets_.push_back(offset);
      state_ = State::metadata_string;
      return true;
    case State::tensor_key: {
      std::uint8_t field = 0;
      State next = State::skip_value;
      if (key == "dtype") {
        field = kFieldDtype;
        next = State::dtype_value;
      } else if (key == "shape") {
        field = kFieldShape;
        next = State::shape_open;
      } else if (key == "data_offsets") {
        field = kFieldOffsets;
        next = State::offsets_open;
      }
      if (field == 0) {
        if (!strict_rule(ErrorCode::unknown_tensor_field,
                         "unknown tensor field \"" + escape_for_display(key.substr(0, 64)) + "\"", offset,
                         current_tensor_name())) {
          return false;
        }
        skip_depth_ = 0;
        state_ = State::skip_value;
        return true;
      }
      if ((fields_seen_ & field) != 0) {
        return fail(ErrorCode::duplicate_tensor_field, "tensor field \"" + std::string(key) + "\" repeated", offset,
                    current_tensor_name());
      }
      fields_seen_ = static_cast<std::uint8_t>(fields_seen_ | field);
      state_ = next;
      return true;
    }
    case State::skip_value:
      return true;  // keys inside a skipped value
    default:
      return fail(ErrorCode::internal_error, "unexpected key in schema state", offset);
  }
}

bool HeaderBuilder::on_string(std::string_view value, std::uint64_t offset) {
  switch (state_) {
    case State::metadata_string:
      if (value.find('\0') != std::string_view::npos &&
          !strict_rule(ErrorCode::invalid_metadata_value,
                       "__metadata__ value of key \"" + escape_for_display(metadata_.back().key) + "\" contains U+0000",
                       offset)) {
        return false;
      }
      metadata_.back().value.assign(value);
      state_ = State::metadata_key;
      return true;
    case State::dtype_value: {
      const auto dtype = dtype_from_name(value);
      if (!dtype) {
        return fail(ErrorCode::unknown_dtype, "unknown dtype \"" + escape_for_display(value.substr(0, 32)) + "\"",
                    offset, current_tensor_name());
      }
      tensors_.set_last_dtype(*dtype);
      state_ = State::tensor_key;
      return true;
    }
    case State::skip_value:
      return after_scalar_in_skip();
    default:
      return wrong_type(offset);
  }
}

bool HeaderBuilder::on_number(std::string_view raw, std::uint64_t offset) {
  switch (state_) {
    case State::shape_item: {
      if (tensors_.last_rank() >= options_.limits.max_rank) {
        return fail(ErrorCode::limit_rank,
                    "shape has more than max_rank (" + std::to_string(options_.limits.max_rank) + ") dimensions",
                    offset, current_tensor_name());
      }
      std::uint64_t dim = 0;
      if (!accept_integer(raw, offset, dim)) return false;
      tensors_.push_last_dim(dim);
      return true;
    }
    case State::offsets_item: {
      if (offsets_count_ >= 2) {
        return fail(ErrorCode::offsets_not_pair, "data_offsets has more than two entries", offset,
                    current_tensor_name());
      }
      std::uint64_t value = 0;
      if (!accept_integer(raw, offset, value)) return false;
      (offsets_count_ == 0 ? tensors_.last_begin() : tensors_.last_end()) = value;
      ++offsets_count_;
      return true;
    }
    case State::skip_value:
      return after_scalar_in_skip();
    default:
      return wrong_type(offset);
  }
}

bool HeaderBuilder::on_bool(bool, std::uint64_t offset) {
  if (state_ == State::skip_value) return after_scalar_in_skip();
  return wrong_type(offset);
}

bool HeaderBuilder::on_null(std::uint64_t offset) {
  if (state_ == State::skip_value) return after_scalar_in_skip();
  if (state_ == State::metadata_value) {
    if (!strict_rule(ErrorCode::metadata_null, "__metadata__ is null", offset)) return false;
    state_ = State::top_key;
    return true;
  }
  return wrong_type(offset);
}

bool HeaderBuilder::on_array_end(std::uint64_t offset) {
  switch (state_) {
    case State::shape_item: {
      if (options_.profile == Profile::compat && tensors_.last_rank() > Limits::strict_defaults().max_rank) {
        note_strict_violation(make_error(ErrorCode::limit_rank, "shape has more than 64 dimensions", offset,
                                         std::string(current_tensor_name())));
      }
      state_ = State::tensor_key;
      return true;
    }
    case State::offsets_item:
      if (offsets_count_ != 2) {
        return fail(ErrorCode::offsets_not_pair, "data_offsets has fewer than two entries", offset,
                    current_tensor_name());
      }
      state_ = State::tensor_key;
      return true;
    case State::skip_value:
      if (--skip_depth_ == 0) state_ = State::tensor_key;
      return true;
    default:
      return fail(ErrorCode::internal_error, "unexpected array end in schema state", offset);
  }
}

bool HeaderBuilder::finish_tensor(std::uint64_t offset) {
  if (fields_seen_ != kAllFields) {
    const char* missing = (fields_seen_ & kFieldDtype) == 0   ? "dtype"
                          : (fields_seen_ & kFieldShape) == 0 ? "shape"
                                                              : "data_offsets";
    return fail(ErrorCode::missing_tensor_field, std::string("tensor lacks the \"") + missing + "\" field", offset,
                current_tensor_name());
  }
  state_ = State::top_key;
  return true;
}

bool HeaderBuilder::on_object_end(std::uint64_t offset) {
  switch (state_) {
    case State::top_key:
      state_ = State::done;
      return true;
    case State::metadata_key:
      state_ = State::top_key;
      return true;
    case State::tensor_key:
      return finish_tensor(offset);
    case State::skip_value:
      if (--skip_depth_ == 0) state_ = State::tensor_key;
      return true;
    default:
      return fail(ErrorCode::internal_error, "unexpected object end in schema state", offset);
  }
}

}  // namespace stguard
