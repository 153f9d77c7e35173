// Saving owned tensors in one call: save_file and save mirror load_file and
// load (reader.hpp), as Python's safetensors.torch.save_file and save mirror
// load_file and load. They are FileBuilder (writer.hpp) with every tensor of
// the map added from its own bytes: the same strict checks before anything
// is written (every refusal an error value naming the tensor), the same
// canonical layout, and save_file writes by OutputFile's rule (atomic_file.hpp):
// a regular or new file is replaced atomically and re-validated on disk
// before the rename, so a failure leaves the previous file as it was.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/reader.hpp"
#include "stguard/writer.hpp"

namespace stguard {

// String metadata for the "__metadata__" block (empty: no block, as the
// reference writes with no metadata).
using MetadataMap = std::map<std::string, std::string, std::less<>>;

// Each tensor is saved under its map key. OwnedTensor::name must be the key
// or empty (invalid_argument otherwise: a renamed copy would be ambiguous);
// its data must be exactly shape x dtype (data_length_mismatch), as load
// gives it. Errors of save_file carry `path` as their context (Error::path).
[[nodiscard]] Status save_file(const TensorMap& tensors, const std::string& path, const MetadataMap& metadata = {},
                               const WriterOptions& options = {}) noexcept;
// The whole file in memory.
[[nodiscard]] Result<std::vector<std::uint8_t>> save(const TensorMap& tensors, const MetadataMap& metadata = {},
                                                     const WriterOptions& options = {}) noexcept;

// The metadata of a Reader (or a Header) as a MetadataMap, to save it again.
[[nodiscard]] Result<MetadataMap> metadata_map(std::span<const MetadataEntry> entries) noexcept;

}  // namespace stguard
