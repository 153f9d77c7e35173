// shard_index: the hermetic index parser (parse_shard_index) on untrusted
// model.safetensors.index.json bytes, with default or tight limits chosen by
// the first input byte. Checks:
//   * a rejection has one of the documented codes and an offset inside the
//     input, never an internal error;
//   * an accepted index keeps its promises: shards sorted, distinct, each a
//     plain file name (shard_name_problem says nothing) that some tensor uses;
//     weight_map sorted by tensor name, distinct, names valid under strict's
//     rules, shard indexes in range, find() agrees; every limit holds;
//     total_size <= 2^53-1;
//   * serialize_shard_index gives text that parses back to the same index
//     and serialises to the same text again;
//   * (when simdjson is available) an independent decoder accepts the same
//     bytes and finds the same weight_map entries and total_size (except
//     when it refuses a number it cannot hold: see compare_with_simdjson).
//
// Input: [0] bit 0: tight limits (2 shards, 4 tensors, 8-byte names, 12-byte
//        shard names, depth 3)  [1..] the index JSON.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "fuzz_support.hpp"
#include "stguard/shard_index.hpp"

#ifdef STGUARD_FUZZ_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace {

namespace fz = stguard::fuzz;
using stguard::ErrorCode;

bool same_index(const stguard::ShardIndex& a, const stguard::ShardIndex& b) {
  const auto same_entry = [](const stguard::ShardIndexEntry& x, const stguard::ShardIndexEntry& y) {
    return x.tensor == y.tensor && x.shard == y.shard;
  };
  return a.total_size == b.total_size && a.shards == b.shards &&
         std::equal(a.weight_map.begin(), a.weight_map.end(), b.weight_map.begin(), b.weight_map.end(), same_entry);
}

bool documented_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::index_invalid_json:
    case ErrorCode::index_bad_shard_name:
    case ErrorCode::index_too_many_shards:
    case ErrorCode::limit_depth:
    case ErrorCode::limit_tensor_count:
    case ErrorCode::limit_name_bytes:
    case ErrorCode::invalid_tensor_name:
      return true;
    default:
      return false;
  }
}

void check_index(const stguard::ShardIndex& index, const stguard::ShardIndexLimits& limits) {
  FUZZ_CHECK(index.shards.size() <= limits.max_shards);
  FUZZ_CHECK(index.weight_map.size() <= limits.max_tensors);
  std::vector<bool> used(index.shards.size(), false);
  for (std::size_t k = 0; k < index.weight_map.size(); ++k) {
    const stguard::ShardIndexEntry& entry = index.weight_map[k];
    FUZZ_CHECK_MSG(entry.shard < index.shards.size(), entry.tensor);
    used[entry.shard] = true;
    if (k > 0) FUZZ_CHECK_MSG(index.weight_map[k - 1].tensor < entry.tensor, entry.tensor);
    FUZZ_CHECK_MSG(index.find(entry.tensor) == &entry, entry.tensor);
    const std::string& name = entry.tensor;
    FUZZ_CHECK_MSG(!name.empty() && name.size() <= limits.max_name_bytes && fz::is_strict_utf8(name) &&
                       !fz::has_c0_c1_control(name) && name != "__metadata__",
                   name);
  }
  FUZZ_CHECK(index.find("\xFF") == nullptr);
  for (std::size_t s = 0; s < index.shards.size(); ++s) {
    const std::string& shard = index.shards[s];
    if (s > 0) FUZZ_CHECK_MSG(index.shards[s - 1] < shard, shard);
    FUZZ_CHECK_MSG(used[s], shard);
    FUZZ_CHECK_MSG(!stguard::shard_name_problem(shard, limits.max_shard_name_bytes), shard);
    // The rule, re-stated: a plain name in the index's own folder.
    FUZZ_CHECK_MSG(!shard.empty() && shard.find_first_of("/\\:") == std::string::npos &&
                       shard.find("..") == std::string::npos && fz::is_strict_utf8(shard) &&
                       !fz::has_c0_c1_control(shard),
                   shard);
  }
  if (index.total_size) FUZZ_CHECK(*index.total_size <= stguard::kMaxSafeInteger);
}

#ifdef STGUARD_FUZZ_HAVE_SIMDJSON
// simdjson must accept what the strict parser accepted, and see the same map.
void compare_with_simdjson(std::span<const std::uint8_t> json, const stguard::ShardIndex& index) {
  static simdjson::dom::parser parser;  // reused: its buffers are not a leak
  const simdjson::padded_string padded(reinterpret_cast<const char*>(json.data()), json.size());
  simdjson::dom::element root;
  const simdjson::error_code error = parser.parse(padded).get(root);
  // Known difference: simdjson refuses numbers it cannot hold (integers
  // beyond 64 bits, doubles beyond DBL_MAX) that RapidJSON passes on as text
  // and the index ignores in unknown values. Any other refusal is a finding.
  if (error == simdjson::NUMBER_ERROR) return;
  FUZZ_CHECK_MSG(error == simdjson::SUCCESS, std::string("simdjson rejects an accepted index: ") +
                                                 simdjson::error_message(error));
  std::map<std::string, std::string> theirs;
  simdjson::dom::object weight_map;
  if (root["weight_map"].get(weight_map) == simdjson::SUCCESS) {
    for (const auto field : weight_map) {
      std::string_view shard;
      FUZZ_CHECK(field.value.get(shard) == simdjson::SUCCESS);
      FUZZ_CHECK_MSG(theirs.emplace(std::string(field.key), std::string(shard)).second, "duplicate tensor accepted");
    }
  }
  FUZZ_CHECK(theirs.size() == index.weight_map.size());
  for (const stguard::ShardIndexEntry& entry : index.weight_map) {
    const auto it = theirs.find(entry.tensor);
    FUZZ_CHECK_MSG(it != theirs.end() && it->second == index.shards[entry.shard], entry.tensor);
  }
  std::uint64_t total = 0;
  const bool has_total = root["metadata"]["total_size"].get(total) == simdjson::SUCCESS;
  FUZZ_CHECK(has_total == index.total_size.has_value());
  if (has_total) FUZZ_CHECK(total == *index.total_size);
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fz::ParamReader params({data, size});
  stguard::ShardIndexLimits limits;
  if ((params.byte() & 1) != 0) {
    limits.max_shards = 2;
    limits.max_tensors = 4;
    limits.max_name_bytes = 8;
    limits.max_shard_name_bytes = 12;
    limits.max_depth = 3;
  }
  const auto json = params.rest();
  const auto index = stguard::parse_shard_index(json, limits);
  if (!index) {
    fz::check_error_basics(index.error());
    FUZZ_CHECK_MSG(documented_code(index.error().code), fz::describe(index.error()));
    FUZZ_CHECK_MSG(!index.error().has_offset() || index.error().offset <= json.size(), fz::describe(index.error()));
    return 0;
  }
  check_index(*index, limits);

  const auto text = stguard::serialize_shard_index(*index);
  FUZZ_CHECK_MSG(text.ok(), fz::describe(text.error()));
  const auto reparsed = stguard::parse_shard_index(fz::as_bytes(*text), limits);
  FUZZ_CHECK_MSG(reparsed.ok(), fz::describe(reparsed.error()) + " in " + *text);
  FUZZ_CHECK_MSG(same_index(*index, *reparsed), *text);
  const auto text_again = stguard::serialize_shard_index(*reparsed);
  FUZZ_CHECK(text_again.ok() && *text_again == *text);
#ifdef STGUARD_FUZZ_HAVE_SIMDJSON
  compare_with_simdjson(json, *index);
#endif
  return 0;
}
