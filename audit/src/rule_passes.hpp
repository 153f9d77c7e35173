// The rule passes of the audit, one function per family, each appending to a
// FindingSink. audit.cpp runs them in a fixed order; each pass walks its
// input in file order, so the same file always gives the same report.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "byte_source.hpp"
#include "data_pass.hpp"
#include "finding_sink.hpp"
#include "stguard/audit.hpp"
#include "stguard/header.hpp"

namespace stguard::audit::detail {

// STG-POLY-003, STG-POLY-004: what the first bytes (the 8 bytes of N and
// what follows, kLeadingWindow at most) start in a ZIP or pickle reader,
// looked at whether or not the file is valid.
inline constexpr std::size_t kLeadingWindow = 64 * 1024;
void check_leading_bytes(std::span<const std::uint8_t> window, std::uint64_t file_size, FindingSink& sink);

// STG-POLY-001, -002, -005, -006: signatures where other formats' readers
// look (ZIP tail, HDF5 superblock offsets, PDF's first kilobyte). `header`
// (null for an invalid file) only names the tensor a signature falls in.
[[nodiscard]] Status check_signatures(const ByteSource& source, const Header* header, FindingSink& sink);

// STG-STRICT-001: every strict violation recorded by the compat parse, plus
// the strict parse's own error when the violations do not explain it (a
// limit the caller tightened). `strict_error` is unset under compat.
void check_strictness(const Header& compat_header, const std::optional<Error>& strict_error, Profile gate,
                      FindingSink& sink);

// STG-HDR-001..003 and STG-LAY-001. `header_text` is the N header bytes.
void check_header_and_layout(const Header& header, std::span<const std::uint8_t> header_text, FindingSink& sink);

// STG-NAME-001..007 over tensor names and metadata keys.
void check_names(const Header& header, FindingSink& sink);

// STG-META-001..003.
void check_metadata(const Header& header, FindingSink& sink);

// STG-CFG-001..005 over config documents in metadata values, and STG-META-003
// for payloads and scripts in their string leaves.
void check_configs(const Header& header, FindingSink& sink);
// The same for one metadata entry (check_configs runs it on each; fuzzed alone).
void check_config_entry(std::string_view key, std::string_view value, FindingSink& sink);

// STG-VAL-001..005 from the data pass's outcomes (parallel to header.tensors()).
void check_values(const Header& header, std::span<const TensorTask> tasks, std::span<const TensorOutcome> outcomes,
                  FindingSink& sink);

// Which tensors the values pass must hash for the identical-bytes rule:
// those of non-zero size that share their size with another tensor.
[[nodiscard]] std::vector<bool> tensors_needing_hash_for_ties(const Header& header);

// The name of the tensor whose bytes contain `file_offset` (empty if none).
[[nodiscard]] std::string tensor_containing(const Header& header, std::uint64_t file_offset);

}  // namespace stguard::audit::detail
