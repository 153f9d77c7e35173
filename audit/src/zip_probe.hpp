// ZipProbe: does a file also open as a ZIP archive, the way Python's zipfile
// and torch.load open one?
//
// Both look for the end-of-central-directory record (EOCD) in the last
// 65,557 bytes (22 bytes of record + the longest comment), take the central
// directory it points to, and tolerate data prepended to the archive (the
// "concatenation offset": the directory is found just before the EOCD even
// when its recorded offset is relative to a later start). This probe does
// the same, bounded: one read of the tail, one read of at most
// kMaxCentralDirectoryBytes of directory, every field through ByteCursor.
// A hit requires a consistent directory (signatures, counts and lengths that
// add up), so random tensor bytes do not produce one.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "byte_source.hpp"
#include "stguard/error.hpp"

namespace stguard::audit::detail {

inline constexpr std::uint64_t kZipTailBytes = 65'557;  // 22-byte EOCD + 65,535-byte comment
inline constexpr std::uint64_t kMaxCentralDirectoryBytes = 16ULL << 20U;
inline constexpr std::size_t kMaxReportedZipNames = 8;
inline constexpr std::size_t kMaxReportedImports = 8;
// A stored pickle entry up to this size is walked for its imports.
inline constexpr std::uint64_t kMaxPickleEntryBytes = 4ULL << 20U;

struct ZipArchiveFound {
  std::uint64_t eocd_offset = 0;               // file offset of "PK\x05\x06"
  std::uint64_t archive_start = 0;             // file offset the archive's own offsets are relative to
  std::uint64_t central_directory_offset = 0;  // file offset of the first "PK\x01\x02"
  std::uint64_t entry_count = 0;               // as recorded
  std::uint64_t entries_checked = 0;           // central directory headers parsed
  bool zip64 = false;
  bool first_local_header_present = false;     // "PK\x03\x04" where the first entry says
  std::vector<std::string> names;              // the first kMaxReportedZipNames entry names (raw)
  std::optional<std::string> pickle_name;      // the first entry named like a pickle (data.pkl, *.pkl)
  std::vector<std::string> pickle_imports;     // what it imports ("os system"), when it is stored uncompressed
};

// True when `window` (the first bytes of a file of `file_size` bytes) starts
// with a ZIP local file header whose fields describe an entry: a known
// compression method, a plausible "version needed", a non-empty name, and
// name, extra field and (unless a data descriptor follows) compressed data
// that fit the file. What unzip and zipfile's local-header read require; a
// safetensors length prefix that merely spells PK\x03\x04 is followed by zero
// bytes and `{`, which make no such header.
[[nodiscard]] bool local_header_at_start(std::span<const std::uint8_t> window, std::uint64_t file_size) noexcept;

// nullopt when the file does not open as a ZIP archive; an error only for I/O.
[[nodiscard]] Result<std::optional<ZipArchiveFound>> probe_zip(const ByteSource& source);

}  // namespace stguard::audit::detail
