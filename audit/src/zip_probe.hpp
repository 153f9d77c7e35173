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
#include <string>
#include <vector>

#include "byte_source.hpp"
#include "stguard/error.hpp"

namespace stguard::audit::detail {

inline constexpr std::uint64_t kZipTailBytes = 65'557;  // 22-byte EOCD + 65,535-byte comment
inline constexpr std::uint64_t kMaxCentralDirectoryBytes = 16ULL << 20U;
inline constexpr std::size_t kMaxReportedZipNames = 8;

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
};

// nullopt when the file does not open as a ZIP archive; an error only for I/O.
[[nodiscard]] Result<std::optional<ZipArchiveFound>> probe_zip(const ByteSource& source);

}  // namespace stguard::audit::detail
