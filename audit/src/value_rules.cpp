// Value rules: findings from the data pass's statistics (NaN, Inf, BOOL
// bytes, all-zero tensors) and the identical-bytes grouping (tied weights),
// which groups by size first and compares SHA-256 digests only inside a size
// group, never every pair of tensors.
#include <algorithm>

#include "rule_passes.hpp"
#include "stguard/escape.hpp"
#include "text_scan.hpp"

namespace stguard::audit::detail {
namespace {

std::string tensor_label(const TensorInfo& tensor) {
  return "tensor \"" + display_excerpt(tensor.name) + "\" (" + std::string(dtype_name(tensor.dtype)) + ", " +
         std::to_string(tensor.element_count) + " elements)";
}

std::string element_position(const TensorInfo& tensor, std::uint64_t byte_position) {
  const unsigned element_bytes = dtype_alignment(tensor.dtype);
  // C64 holds two f32 per element: say which half.
  if (tensor.dtype == Dtype::C64) {
    return "first at element " + std::to_string(byte_position / 8) + (byte_position % 8 == 0 ? " (real)" : " (imag)");
  }
  return "first at element " + std::to_string(byte_position / element_bytes);
}

}  // namespace

std::vector<bool> tensors_needing_hash_for_ties(const Header& header) {
  const auto tensors = header.tensors();
  std::vector<std::size_t> order(tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return tensors[a].byte_size() < tensors[b].byte_size(); });
  std::vector<bool> needed(tensors.size(), false);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::uint64_t size = tensors[order[k]].byte_size();
    const bool same_as_previous = k > 0 && tensors[order[k - 1]].byte_size() == size;
    const bool same_as_next = k + 1 < order.size() && tensors[order[k + 1]].byte_size() == size;
    needed[order[k]] = size > 0 && (same_as_previous || same_as_next);
  }
  return needed;
}

void check_values(const Header& header, std::span<const TensorTask> tasks, std::span<const TensorOutcome> outcomes,
                  FindingSink& sink) {
  const auto tensors = header.tensors();
  for (std::size_t i = 0; i < tensors.size() && i < outcomes.size(); ++i) {
    const TensorInfo& tensor = tensors[i];
    const ValueStats& stats = outcomes[i].stats;
    const std::uint64_t start = tasks[i].file_offset;
    if (stats.nan_count > 0) {
      sink.add(Rule::value_nan, tensor_label(tensor) + " holds " + std::to_string(stats.nan_count) + " NaN value(s)",
               element_position(tensor, stats.first_nan_byte), start + stats.first_nan_byte, tensor.name);
    }
    if (stats.inf_count > 0) {
      sink.add(Rule::value_inf,
               tensor_label(tensor) + " holds " + std::to_string(stats.inf_count) + " infinite value(s)",
               element_position(tensor, stats.first_inf_byte), start + stats.first_inf_byte, tensor.name);
    }
    if (stats.bad_bool_count > 0) {
      sink.add(Rule::bool_not_zero_one,
               tensor_label(tensor) + " holds " + std::to_string(stats.bad_bool_count) + " byte(s) other than 0 and 1",
               element_position(tensor, stats.first_bad_bool_byte), start + stats.first_bad_bool_byte, tensor.name);
    }
    // Zero-size tensors are legitimate (they own no bytes) and never flagged.
    if (tasks[i].scan && tensor.byte_size() > 0 && !stats.any_nonzero) {
      sink.add(Rule::tensor_all_zero, tensor_label(tensor) + " holds only zero bytes",
               std::to_string(tensor.byte_size()) + " bytes, all 0x00", start, tensor.name);
    }
  }

  // Identical bytes: only tensors that were hashed, not all-zero (already
  // reported, and zero buffers of one size are alike by construction).
  std::vector<std::size_t> hashed;
  for (std::size_t i = 0; i < tensors.size() && i < outcomes.size(); ++i) {
    if (outcomes[i].sha256 && tensors[i].byte_size() > 0 && outcomes[i].stats.any_nonzero) hashed.push_back(i);
  }
  std::sort(hashed.begin(), hashed.end(), [&](std::size_t a, std::size_t b) {
    if (tensors[a].byte_size() != tensors[b].byte_size()) return tensors[a].byte_size() < tensors[b].byte_size();
    if (*outcomes[a].sha256 != *outcomes[b].sha256) return *outcomes[a].sha256 < *outcomes[b].sha256;
    return a < b;
  });
  struct Group {
    std::size_t first;  // position in `hashed`
    std::size_t count;
  };
  std::vector<Group> groups;
  for (std::size_t start = 0; start < hashed.size();) {
    std::size_t end = start + 1;
    while (end < hashed.size() && tensors[hashed[end]].byte_size() == tensors[hashed[start]].byte_size() &&
           *outcomes[hashed[end]].sha256 == *outcomes[hashed[start]].sha256) {
      ++end;
    }
    if (end - start > 1) groups.push_back({start, end - start});
    start = end;
  }
  // Report groups in data order of their first tensor.
  std::sort(groups.begin(), groups.end(), [&](const Group& a, const Group& b) { return hashed[a.first] < hashed[b.first]; });
  for (const Group& group : groups) {
    const TensorInfo& first = tensors[hashed[group.first]];
    std::string evidence = "sha256 " + to_hex(*outcomes[hashed[group.first]].sha256) + ", " +
                           std::to_string(first.byte_size()) + " bytes each:";
    for (std::size_t k = group.first; k < group.first + group.count && k < group.first + 8; ++k) {
      evidence += " \"" + display_excerpt(tensors[hashed[k]].name, 64) + "\"";
    }
    if (group.count > 8) evidence += " and " + std::to_string(group.count - 8) + " more";
    sink.add(Rule::tensors_identical,
             std::to_string(group.count) + " tensors hold identical bytes, starting with \"" +
                 display_excerpt(first.name) + "\"",
             evidence, tasks[hashed[group.first]].file_offset, first.name);
  }
}

}  // namespace stguard::audit::detail
