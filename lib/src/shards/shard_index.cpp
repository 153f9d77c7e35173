// The hermetic shard index parser and its serialiser. The JSON layer is the
// one the header parser uses (json_tokenizer.hpp: RapidJSON's SAX reader over
// ByteCursor, iterative, numbers as raw text, our depth count, NUL and tail
// checks); this file is the schema on top: a state machine whose default
// answer to any event is "reject". Duplicate keys are found by sorting after
// the parse (never hashing); every count is checked against its limit as it
// grows, so memory is bounded by the input and the limits.
#include "stguard/shard_index.hpp"

#include <algorithm>
#include <new>
#include <numeric>
#include <string>
#include <utility>

#include "core/json_tokenizer.hpp"
#include "core/utf8.hpp"
#include "stguard/escape.hpp"
#include "writer/writer_internal.hpp"

namespace stguard {
namespace {

struct PendingEntry {
  std::string tensor;
  std::string shard;
  std::uint64_t offset = 0;
};

struct SeenKey {
  std::string key;
  std::uint64_t offset = 0;
};

// The schema: {"metadata": {"total_size": uint, other: any}, "weight_map":
// {tensor: shard}, other: any}. Events arrive from the tokenizer.
class IndexSchema {
 public:
  explicit IndexSchema(const ShardIndexLimits& limits) : limits_(limits) {}

  bool on_object_start(std::uint64_t offset) {
    switch (state_) {
      case State::expect_root: state_ = State::top_key; return true;
      case State::metadata_open: state_ = State::metadata_key; return true;
      case State::weight_map_open: state_ = State::weight_map_key; return true;
      case State::skip_value: ++skip_depth_; return true;
      default: return wrong_type(offset);
    }
  }
  bool on_array_start(std::uint64_t offset) {
    if (state_ == State::skip_value) {
      ++skip_depth_;
      return true;
    }
    return wrong_type(offset);
  }
  bool on_object_end(std::uint64_t offset) {
    switch (state_) {
      case State::top_key: state_ = State::done; return true;
      case State::metadata_key: state_ = State::top_key; return true;
      case State::weight_map_key: state_ = State::top_key; return true;
      case State::skip_value: return leave_container();
      default: return fail(ErrorCode::internal_error, "unexpected object end in the index schema", offset);
    }
  }
  bool on_array_end(std::uint64_t offset) {
    if (state_ == State::skip_value) return leave_container();
    return fail(ErrorCode::internal_error, "unexpected array end in the index schema", offset);
  }
  bool on_key(std::string_view key, std::uint64_t offset) {
    switch (state_) {
      case State::top_key:
        top_keys_.push_back(SeenKey{std::string(key), offset});
        if (key == "metadata") {
          state_ = State::metadata_open;
        } else if (key == "weight_map") {
          state_ = State::weight_map_open;
        } else {
          start_skip(State::top_key);
        }
        return true;
      case State::metadata_key:
        metadata_keys_.push_back(SeenKey{std::string(key), offset});
        if (key == "total_size") {
          state_ = State::total_size_value;
        } else {
          start_skip(State::metadata_key);
        }
        return true;
      case State::weight_map_key:
        if (!accept_tensor_name(key, offset)) return false;
        entries_.push_back(PendingEntry{std::string(key), {}, offset});
        state_ = State::weight_map_value;
        return true;
      case State::skip_value:
        return true;
      default:
        return fail(ErrorCode::internal_error, "unexpected key in the index schema", offset);
    }
  }
  bool on_string(std::string_view value, std::uint64_t offset) {
    switch (state_) {
      case State::weight_map_value:
        if (auto problem = shard_name_problem(value, limits_.max_shard_name_bytes)) {
          return fail(ErrorCode::index_bad_shard_name,
                      "weight_map puts tensor " + quote_for_display(entries_.back().tensor) + " in shard " + quote_for_display(value) +
                          ": " + *problem,
                      offset, entries_.back().tensor);
        }
        entries_.back().shard.assign(value);
        state_ = State::weight_map_key;
        return true;
      case State::skip_value:
        return after_scalar();
      default:
        return wrong_type(offset);
    }
  }
  bool on_number(std::string_view raw, std::uint64_t offset) {
    if (state_ == State::skip_value) return after_scalar();
    if (state_ != State::total_size_value) return wrong_type(offset);
    std::uint64_t value = 0;
    switch (detail::parse_json_uint(raw, value)) {
      case detail::IntegerParse::not_integer:
        return fail(ErrorCode::index_invalid_json,
                    "metadata.total_size " + quote_for_display(raw) + " is not a plain non-negative integer", offset);
      case detail::IntegerParse::overflow:
        return fail(ErrorCode::index_invalid_json, "metadata.total_size exceeds 2^64 - 1", offset);
      case detail::IntegerParse::ok:
        break;
    }
    if (value > kMaxSafeInteger) {
      return fail(ErrorCode::index_invalid_json,
                  "metadata.total_size " + std::to_string(value) + " exceeds 2^53 - 1 (readers using doubles round it)",
                  offset);
    }
    total_size_ = value;
    state_ = State::metadata_key;
    return true;
  }
  bool on_bool(bool, std::uint64_t offset) {
    if (state_ == State::skip_value) return after_scalar();
    return wrong_type(offset);
  }
  bool on_null(std::uint64_t offset) {
    if (state_ == State::skip_value) return after_scalar();
    return wrong_type(offset);
  }

  [[nodiscard]] std::optional<Error>& error() noexcept { return error_; }

  [[nodiscard]] Result<ShardIndex> finish() {
    if (error_) return *error_;
    if (state_ != State::done) return make_error(ErrorCode::internal_error, "the index schema ended incomplete");
    if (auto duplicate = find_duplicate(top_keys_)) {
      return make_error(ErrorCode::index_invalid_json, "top-level key " + quote_for_display(duplicate->key) + " appears twice",
                        duplicate->offset);
    }
    if (auto duplicate = find_duplicate(metadata_keys_)) {
      return make_error(ErrorCode::index_invalid_json, "metadata key " + quote_for_display(duplicate->key) + " appears twice",
                        duplicate->offset);
    }
    const bool has_weight_map =
        std::any_of(top_keys_.begin(), top_keys_.end(), [](const SeenKey& k) { return k.key == "weight_map"; });
    if (!has_weight_map) return make_error(ErrorCode::index_invalid_json, "the index has no weight_map");

    // Tensors: sorted by name, then by position so the reported repeat is
    // always the later one.
    std::sort(entries_.begin(), entries_.end(), [](const PendingEntry& a, const PendingEntry& b) {
      const int order = a.tensor.compare(b.tensor);
      return order != 0 ? order < 0 : a.offset < b.offset;
    });
    for (std::size_t k = 1; k < entries_.size(); ++k) {
      if (entries_[k].tensor == entries_[k - 1].tensor) {
        return make_error(ErrorCode::index_invalid_json,
                          "tensor " + quote_for_display(entries_[k].tensor) + " appears twice in weight_map", entries_[k].offset,
                          entries_[k].tensor);
      }
    }

    ShardIndex index;
    index.total_size = total_size_;
    index.shards.reserve(entries_.size());
    for (const PendingEntry& entry : entries_) index.shards.push_back(entry.shard);
    std::sort(index.shards.begin(), index.shards.end());
    index.shards.erase(std::unique(index.shards.begin(), index.shards.end()), index.shards.end());
    const std::uint64_t max_shards = std::min<std::uint64_t>(limits_.max_shards, UINT32_MAX);
    if (index.shards.size() > max_shards) {
      return make_error(ErrorCode::index_too_many_shards,
                        "the index names " + std::to_string(index.shards.size()) + " shards, more than the limit of " +
                            std::to_string(max_shards));
    }
    index.shards.shrink_to_fit();
    index.weight_map.reserve(entries_.size());
    for (PendingEntry& entry : entries_) {
      const auto at = std::lower_bound(index.shards.begin(), index.shards.end(), entry.shard);
      index.weight_map.push_back(
          ShardIndexEntry{std::move(entry.tensor), static_cast<std::uint32_t>(at - index.shards.begin())});
    }
    return index;
  }

 private:
  enum class State : std::uint8_t {
    expect_root,
    top_key,
    metadata_open,
    metadata_key,
    total_size_value,
    weight_map_open,
    weight_map_key,
    weight_map_value,
    skip_value,
    done,
  };

  bool fail(ErrorCode code, std::string message, std::uint64_t offset, std::string tensor = {}) {
    if (!error_) error_ = make_error(code, std::move(message), offset, std::move(tensor));
    return false;
  }

  bool wrong_type(std::uint64_t offset) {
    switch (state_) {
      case State::expect_root: return fail(ErrorCode::index_invalid_json, "the index is not a JSON object", offset);
      case State::metadata_open: return fail(ErrorCode::index_invalid_json, "\"metadata\" is not an object", offset);
      case State::weight_map_open: return fail(ErrorCode::index_invalid_json, "\"weight_map\" is not an object", offset);
      case State::total_size_value:
        return fail(ErrorCode::index_invalid_json, "metadata.total_size is not an integer", offset);
      case State::weight_map_value:
        return fail(ErrorCode::index_bad_shard_name,
                    "weight_map value of tensor " + quote_for_display(entries_.back().tensor) + " is not a string", offset,
                    entries_.back().tensor);
      default: return fail(ErrorCode::internal_error, "unexpected JSON token in the index schema", offset);
    }
  }

  void start_skip(State return_to) {
    skip_return_ = return_to;
    skip_depth_ = 0;
    state_ = State::skip_value;
  }
  bool after_scalar() {
    if (skip_depth_ == 0) state_ = skip_return_;
    return true;
  }
  bool leave_container() {
    if (--skip_depth_ == 0) state_ = skip_return_;
    return true;
  }

  bool accept_tensor_name(std::string_view name, std::uint64_t offset) {
    if (entries_.size() >= limits_.max_tensors) {
      return fail(ErrorCode::limit_tensor_count,
                  "weight_map has more than " + std::to_string(limits_.max_tensors) + " tensors", offset);
    }
    if (name.size() > limits_.max_name_bytes) {
      return fail(ErrorCode::limit_name_bytes,
                  "tensor name of " + std::to_string(name.size()) + " bytes exceeds the limit of " +
                      std::to_string(limits_.max_name_bytes),
                  offset, std::string(name.substr(0, 64)));
    }
    if (name.empty()) return fail(ErrorCode::invalid_tensor_name, "weight_map has an empty tensor name", offset);
    if (detail::has_control_character(name)) {
      return fail(ErrorCode::invalid_tensor_name, "tensor name contains a control character", offset,
                  std::string(name));
    }
    if (name == "__metadata__") {
      return fail(ErrorCode::invalid_tensor_name, "\"__metadata__\" is not a tensor name", offset, std::string(name));
    }
    return true;
  }

  static std::optional<SeenKey> find_duplicate(std::vector<SeenKey>& keys) {
    std::sort(keys.begin(), keys.end(), [](const SeenKey& a, const SeenKey& b) {
      const int order = a.key.compare(b.key);
      return order != 0 ? order < 0 : a.offset < b.offset;
    });
    for (std::size_t k = 1; k < keys.size(); ++k) {
      if (keys[k].key == keys[k - 1].key) return keys[k];
    }
    return std::nullopt;
  }

  ShardIndexLimits limits_;
  State state_ = State::expect_root;
  State skip_return_ = State::top_key;
  std::uint64_t skip_depth_ = 0;
  std::vector<SeenKey> top_keys_;
  std::vector<SeenKey> metadata_keys_;
  std::vector<PendingEntry> entries_;
  std::optional<std::uint64_t> total_size_;
  std::optional<Error> error_;
};

// Syntax and encoding problems all mean "this is not a valid index".
Error as_index_error(Error error) {
  const ErrorClass cls = error.error_class();
  if (cls == ErrorClass::encoding || cls == ErrorClass::syntax || cls == ErrorClass::framing) {
    error.message = "the index is not valid JSON: " + error.message;
    error.code = ErrorCode::index_invalid_json;
  }
  return error;
}

Result<ShardIndex> parse_index(std::span<const std::uint8_t> json, const ShardIndexLimits& limits) {
  const ByteCursor input(json);
  if (const auto bad = detail::find_invalid_utf8(input)) {
    return make_error(ErrorCode::index_invalid_json, "the index is not valid UTF-8", *bad);
  }
  IndexSchema schema(limits);
  detail::TokenizerConfig config;
  config.max_depth = limits.max_depth;
  config.base_offset = 0;
  // The tokenizer parses in place: it gets a private copy, never the caller's bytes.
  std::vector<char> scratch(json.begin(), json.end());
  if (auto error = detail::tokenize_json(std::span<char>(scratch), config, schema)) {
    return as_index_error(*std::move(error));
  }
  return schema.finish();
}

}  // namespace

const ShardIndexEntry* ShardIndex::find(std::string_view tensor) const noexcept {
  const auto it = std::lower_bound(weight_map.begin(), weight_map.end(), tensor,
                                   [](const ShardIndexEntry& entry, std::string_view name) {
                                     return std::string_view(entry.tensor) < name;
                                   });
  if (it == weight_map.end() || it->tensor != tensor) return nullptr;
  return &*it;
}

std::optional<std::string> shard_name_problem(std::string_view name, std::uint64_t max_bytes) noexcept {
  try {
    if (name.empty()) return "the shard name is empty";
    if (name.size() > max_bytes) return "the shard name is longer than " + std::to_string(max_bytes) + " bytes";
    if (!detail::is_valid_utf8(name)) return "the shard name is not valid UTF-8";
    if (detail::has_control_character(name)) return "the shard name contains a control character";
    if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos) {
      return "the shard name contains a path separator (shards must sit beside the index)";
    }
    if (name == "." || name.find("..") != std::string_view::npos) {
      return "the shard name contains \"..\" or is \".\"";
    }
    if (name.find(':') != std::string_view::npos) {
      return "the shard name contains ':' (a URL, a scheme or a drive letter)";
    }
    return std::nullopt;
  } catch (...) {
    return std::string();
  }
}

Result<ShardIndex> parse_shard_index(std::span<const std::uint8_t> json, const ShardIndexLimits& limits) noexcept {
  return detail::without_exceptions([&]() -> Result<ShardIndex> {
    return parse_index(json, limits);
  });
}

Result<std::string> serialize_shard_index(const ShardIndex& index) noexcept {
  return detail::without_exceptions([&]() -> Result<std::string> {
    for (std::size_t k = 0; k < index.weight_map.size(); ++k) {
      const ShardIndexEntry& entry = index.weight_map[k];
      if (entry.shard >= index.shards.size()) {
        return make_error(ErrorCode::invalid_argument, "weight_map entry names a shard that does not exist",
                          kNoOffset, entry.tensor);
      }
      if (k > 0 && !(index.weight_map[k - 1].tensor < entry.tensor)) {
        return make_error(ErrorCode::invalid_argument, "weight_map is not sorted by name or has duplicates",
                          kNoOffset, entry.tensor);
      }
      if (detail::written_tensor_name_fault(entry.tensor) != detail::NameFault::none) {
        return make_error(ErrorCode::invalid_tensor_name, "weight_map has an invalid tensor name", kNoOffset,
                          entry.tensor);
      }
    }
    std::vector<bool> used(index.shards.size(), false);
    for (const ShardIndexEntry& entry : index.weight_map) used[entry.shard] = true;
    for (std::size_t s = 0; s < index.shards.size(); ++s) {
      if (auto problem = shard_name_problem(index.shards[s])) {
        return make_error(ErrorCode::index_bad_shard_name, "shard " + quote_for_display(index.shards[s]) + ": " + *problem);
      }
      if (s > 0 && !(index.shards[s - 1] < index.shards[s])) {
        return make_error(ErrorCode::invalid_argument, "shards are not sorted by name or have duplicates");
      }
      if (!used[s]) {
        return make_error(ErrorCode::invalid_argument,
                          "shard " + quote_for_display(index.shards[s]) + " holds no tensor (an index cannot list it)");
      }
    }
    if (index.total_size && *index.total_size > kMaxSafeInteger) {
      return make_error(ErrorCode::invalid_argument, "total_size exceeds 2^53 - 1");
    }
    std::string out = "{\n  \"metadata\": {";
    if (index.total_size) out += "\n    \"total_size\": " + std::to_string(*index.total_size) + "\n  ";
    out += "},\n  \"weight_map\": {";
    for (std::size_t k = 0; k < index.weight_map.size(); ++k) {
      out += k == 0 ? "\n    " : ",\n    ";
      detail::append_json_string(out, index.weight_map[k].tensor);
      out += ": ";
      detail::append_json_string(out, index.shards[index.weight_map[k].shard]);
    }
    if (!index.weight_map.empty()) out += "\n  ";
    out += "}\n}\n";
    return out;
  });
}

}  // namespace stguard
