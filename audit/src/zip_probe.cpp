// The ZIP probe: EOCD search in the tail, ZIP64 locator, central directory
// walk, all bounded and through ByteCursor (see zip_probe.hpp for the model).
#include "zip_probe.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "cursor_read.hpp"
#include "pickle_probe.hpp"
#include "stguard/cursor.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kEocdMagic = "PK\x05\x06"sv;
constexpr std::string_view kZip64LocatorMagic = "PK\x06\x07"sv;
constexpr std::string_view kZip64EocdMagic = "PK\x06\x06"sv;
constexpr std::string_view kCentralHeaderMagic = "PK\x01\x02"sv;
constexpr std::string_view kLocalHeaderMagic = "PK\x03\x04"sv;
constexpr std::uint64_t kEocdBytes = 22;
constexpr std::uint64_t kZip64LocatorBytes = 20;
constexpr std::uint64_t kZip64EocdBytes = 56;

// Where the central directory is, as the EOCD (or its ZIP64 twin) records it.
struct DirectoryRecord {
  std::uint64_t entries = 0;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;     // relative to the archive start
  std::uint64_t record_at = 0;  // file offset of the record the directory ends before
  bool zip64 = false;
};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool looks_like_pickle_name(std::string_view name) {
  return ends_with(name, ".pkl") || ends_with(name, ".pickle");
}

// The ZIP64 end record sits right before its 20-byte locator, which sits
// right before the EOCD (the place zipfile reads it from).
Result<std::optional<DirectoryRecord>> read_zip64_record(const ByteSource& source, std::uint64_t eocd_offset) {
  if (eocd_offset < kZip64LocatorBytes + kZip64EocdBytes) return std::optional<DirectoryRecord>{};
  const std::uint64_t record_at = eocd_offset - kZip64LocatorBytes - kZip64EocdBytes;
  std::vector<std::uint8_t> scratch;
  auto bytes = source.view(record_at, kZip64EocdBytes + kZip64LocatorBytes, scratch);
  if (!bytes) return bytes.error();
  ByteCursor record(*bytes);
  ByteCursor locator;
  if (!record.skip(kZip64EocdBytes) || !record.read_cursor(kZip64LocatorBytes, locator)) {
    return std::optional<DirectoryRecord>{};
  }
  std::uint32_t locator_disk = 0;
  std::uint64_t ignored_offset = 0;
  std::uint32_t disks = 0;
  if (!read_magic(locator, kZip64LocatorMagic) || !read_u32le(locator, locator_disk) ||
      !locator.read_u64le(ignored_offset) || !read_u32le(locator, disks) || locator_disk != 0 || disks > 1) {
    return std::optional<DirectoryRecord>{};
  }
  record = ByteCursor(*bytes);
  std::uint64_t record_size = 0;
  std::uint16_t made_by = 0;
  std::uint16_t needed = 0;
  std::uint32_t disk = 0;
  std::uint32_t directory_disk = 0;
  std::uint64_t entries_here = 0;
  DirectoryRecord directory;
  if (!read_magic(record, kZip64EocdMagic) || !record.read_u64le(record_size) || !read_u16le(record, made_by) ||
      !read_u16le(record, needed) || !read_u32le(record, disk) || !read_u32le(record, directory_disk) ||
      !record.read_u64le(entries_here) || !record.read_u64le(directory.entries) ||
      !record.read_u64le(directory.size) || !record.read_u64le(directory.offset) || disk != 0 ||
      directory_disk != 0 || entries_here != directory.entries) {
    return std::optional<DirectoryRecord>{};
  }
  directory.record_at = record_at;
  directory.zip64 = true;
  return std::optional<DirectoryRecord>{directory};
}

// Reads the EOCD whose magic `eocd` has just consumed; nullopt when its
// fields cannot describe an archive in this file.
Result<std::optional<DirectoryRecord>> read_directory_record(const ByteSource& source, std::uint64_t eocd_offset,
                                                             ByteCursor eocd) {
  std::uint16_t disk = 0;
  std::uint16_t directory_disk = 0;
  std::uint16_t entries_here = 0;
  std::uint16_t entries = 0;
  std::uint32_t size = 0;
  std::uint32_t offset = 0;
  std::uint16_t comment_length = 0;
  if (!read_u16le(eocd, disk) || !read_u16le(eocd, directory_disk) || !read_u16le(eocd, entries_here) ||
      !read_u16le(eocd, entries) || !read_u32le(eocd, size) || !read_u32le(eocd, offset) ||
      !read_u16le(eocd, comment_length) || comment_length > eocd.remaining()) {
    return std::optional<DirectoryRecord>{};
  }
  if (entries == 0xFFFF || size == 0xFFFFFFFF || offset == 0xFFFFFFFF) return read_zip64_record(source, eocd_offset);
  if (disk != 0 || directory_disk != 0 || entries_here != entries) return std::optional<DirectoryRecord>{};
  return std::optional<DirectoryRecord>{DirectoryRecord{entries, size, offset, eocd_offset, false}};
}

constexpr std::uint64_t kLocalHeaderBytes = 30;

// The fixed part of a local file header ("PK\x03\x04" and 26 bytes).
struct LocalHeader {
  std::uint16_t version_needed = 0;
  std::uint16_t flags = 0;
  std::uint16_t method = 0;
  std::uint32_t compressed_size = 0;
  std::uint16_t name_length = 0;
  std::uint16_t extra_length = 0;
};

std::optional<LocalHeader> read_local_header(ByteCursor& cursor) {
  LocalHeader header;
  std::uint16_t time_or_date = 0;
  std::uint32_t crc_or_size = 0;
  if (!read_magic(cursor, kLocalHeaderMagic) || !read_u16le(cursor, header.version_needed) ||
      !read_u16le(cursor, header.flags) || !read_u16le(cursor, header.method) || !read_u16le(cursor, time_or_date) ||
      !read_u16le(cursor, time_or_date) || !read_u32le(cursor, crc_or_size) ||
      !read_u32le(cursor, header.compressed_size) || !read_u32le(cursor, crc_or_size) ||
      !read_u16le(cursor, header.name_length) || !read_u16le(cursor, header.extra_length)) {
    return std::nullopt;
  }
  return header;
}

struct DirectoryWalk {
  bool consistent = false;
  std::uint64_t parsed = 0;
  std::uint64_t first_local_offset = 0;
  std::vector<std::string> names;
  std::optional<std::string> pickle_name;
  // Where the pickle entry's data is, as the directory records it.
  std::uint16_t pickle_method = 0;
  std::uint32_t pickle_compressed_size = 0;
  std::uint32_t pickle_local_offset = 0;
};

// Walks the central directory as zipfile does: headers must tile it exactly.
// When only a prefix was read (a huge directory), the headers in it count.
DirectoryWalk walk_directory(std::span<const std::uint8_t> bytes, bool complete) {
  DirectoryWalk walk;
  ByteCursor cursor(bytes);
  while (!cursor.empty()) {
    ByteCursor header = cursor;
    std::uint16_t skip16 = 0;
    std::uint32_t skip32 = 0;
    std::uint16_t method = 0;
    std::uint32_t compressed_size = 0;
    std::uint16_t name_length = 0;
    std::uint16_t extra_length = 0;
    std::uint16_t comment_length = 0;
    std::uint32_t local_offset = 0;
    std::span<const std::uint8_t> name;
    // version made by, needed, flags, method, time, date; crc, sizes.
    const bool fixed_ok = read_magic(header, kCentralHeaderMagic) && read_u16le(header, skip16) &&
                          read_u16le(header, skip16) && read_u16le(header, skip16) && read_u16le(header, method) &&
                          read_u16le(header, skip16) && read_u16le(header, skip16) && read_u32le(header, skip32) &&
                          read_u32le(header, compressed_size) && read_u32le(header, skip32) &&
                          read_u16le(header, name_length) && read_u16le(header, extra_length) &&
                          read_u16le(header, comment_length) && read_u16le(header, skip16) &&
                          read_u16le(header, skip16) && read_u32le(header, skip32) &&
                          read_u32le(header, local_offset);
    const bool variable_ok = fixed_ok && header.read_bytes(name_length, name) && header.skip(extra_length) &&
                             header.skip(comment_length);
    if (!variable_ok) {
      // A header cut by the read limit is not evidence against the archive.
      walk.consistent = !complete && walk.parsed > 0 && starts_with_magic(cursor.rest(), kCentralHeaderMagic);
      return walk;
    }
    if (walk.parsed == 0) walk.first_local_offset = local_offset;
    const std::string_view name_text(reinterpret_cast<const char*>(name.data()), name.size());
    if (walk.names.size() < kMaxReportedZipNames) walk.names.emplace_back(name_text);
    if (!walk.pickle_name && looks_like_pickle_name(name_text)) {
      walk.pickle_name = std::string(name_text);
      walk.pickle_method = method;
      walk.pickle_compressed_size = compressed_size;
      walk.pickle_local_offset = local_offset;
    }
    ++walk.parsed;
    cursor = header;
  }
  walk.consistent = walk.parsed > 0 || complete;
  return walk;
}

// The imports of a stored (uncompressed) pickle entry, what torch.save
// writes: its local header says where the data starts. Nothing when the
// header or data is not where the directory says, or is over the cap.
Result<std::vector<std::string>> read_pickle_imports(const ByteSource& source, std::uint64_t archive_start,
                                                     std::uint32_t local_offset, std::uint32_t size) {
  std::uint64_t local_at = 0;
  if (size > kMaxPickleEntryBytes || __builtin_add_overflow(archive_start, local_offset, &local_at) ||
      local_at > source.size() || source.size() - local_at < kLocalHeaderBytes) {
    return std::vector<std::string>{};
  }
  std::vector<std::uint8_t> scratch;
  auto header = source.view(local_at, kLocalHeaderBytes, scratch);
  if (!header) return header.error();
  ByteCursor cursor(*header);
  const auto local = read_local_header(cursor);
  if (!local) return std::vector<std::string>{};
  // No overflow: local_at <= size, the rest is below 2^17.
  const std::uint64_t data_at = local_at + kLocalHeaderBytes + local->name_length + local->extra_length;
  if (data_at > source.size() || source.size() - data_at < size) return std::vector<std::string>{};
  auto data = source.view(data_at, size, scratch);
  if (!data) return data.error();
  return pickle_imports(*data, kMaxReportedImports);
}

Result<std::optional<ZipArchiveFound>> examine_candidate(const ByteSource& source, std::uint64_t eocd_offset,
                                                         ByteCursor after_magic) {
  auto record = read_directory_record(source, eocd_offset, after_magic);
  if (!record) return record.error();
  if (!*record) return std::optional<ZipArchiveFound>{};
  const DirectoryRecord& directory = **record;
  std::uint64_t directory_span = 0;
  if (__builtin_add_overflow(directory.size, directory.offset, &directory_span) ||
      directory_span > directory.record_at) {
    return std::optional<ZipArchiveFound>{};
  }
  // The recorded entry count is not checked: zipfile ignores it and walks
  // the directory by its size, so a wrong count still opens.

  ZipArchiveFound found;
  found.eocd_offset = eocd_offset;
  // zipfile's concatenation offset: the directory ends where the record starts.
  found.archive_start = directory.record_at - directory_span;
  found.central_directory_offset = directory.record_at - directory.size;
  found.entry_count = directory.entries;
  found.zip64 = directory.zip64;

  const std::uint64_t to_read = std::min(directory.size, kMaxCentralDirectoryBytes);
  std::vector<std::uint8_t> scratch;
  auto bytes = source.view(found.central_directory_offset, static_cast<std::size_t>(to_read), scratch);
  if (!bytes) return bytes.error();
  DirectoryWalk walk = walk_directory(*bytes, to_read == directory.size);
  if (!walk.consistent) return std::optional<ZipArchiveFound>{};
  found.entries_checked = walk.parsed;
  found.names = std::move(walk.names);
  found.pickle_name = std::move(walk.pickle_name);

  std::uint64_t local_at = 0;
  if (walk.parsed > 0 && !__builtin_add_overflow(found.archive_start, walk.first_local_offset, &local_at) &&
      local_at <= source.size() && source.size() - local_at >= kLocalHeaderMagic.size()) {
    std::vector<std::uint8_t> local_scratch;
    auto local = source.view(local_at, kLocalHeaderMagic.size(), local_scratch);
    if (!local) return local.error();
    found.first_local_header_present = starts_with_magic(*local, kLocalHeaderMagic);
  }
  if (found.pickle_name && walk.pickle_method == 0) {
    auto imports = read_pickle_imports(source, found.archive_start, walk.pickle_local_offset,
                                       walk.pickle_compressed_size);
    if (!imports) return imports.error();
    found.pickle_imports = std::move(*imports);
  }
  return std::optional<ZipArchiveFound>{std::move(found)};
}

bool is_known_method(std::uint16_t method) {
  // stored, deflate, deflate64, bzip2, lzma, zstd, xz, ppmd, AES-encrypted
  constexpr std::array<std::uint16_t, 9> kMethods{0, 8, 9, 12, 14, 93, 95, 98, 99};
  return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

}  // namespace

bool local_header_at_start(std::span<const std::uint8_t> window, std::uint64_t file_size) noexcept {
  constexpr std::uint16_t kDataDescriptorFlag = 0x0008;
  constexpr std::uint8_t kHighestVersionNeeded = 63;  // 6.3, the latest APPNOTE
  ByteCursor cursor(window);
  const auto header = read_local_header(cursor);
  if (!header || (header->version_needed & 0xFFU) > kHighestVersionNeeded || !is_known_method(header->method) ||
      header->name_length == 0) {
    return false;
  }
  std::uint64_t end = kLocalHeaderBytes + header->name_length + header->extra_length;
  const bool sized = (header->flags & kDataDescriptorFlag) == 0 && header->compressed_size != 0xFFFFFFFFU;
  if (sized) end += header->compressed_size;
  return end <= file_size;
}

Result<std::optional<ZipArchiveFound>> probe_zip(const ByteSource& source) {
  const std::uint64_t size = source.size();
  if (size < kEocdBytes) return std::optional<ZipArchiveFound>{};
  const std::uint64_t tail_length = std::min(size, kZipTailBytes);
  const std::uint64_t tail_start = size - tail_length;
  std::vector<std::uint8_t> scratch;
  auto tail = source.view(tail_start, static_cast<std::size_t>(tail_length), scratch);
  if (!tail) return tail.error();
  // The last record wins, as in zipfile (which searches from the end).
  for (std::size_t position = static_cast<std::size_t>(tail_length - kEocdBytes) + 1; position-- > 0;) {
    ByteCursor cursor(*tail);
    if (!cursor.skip(position) || !read_magic(cursor, kEocdMagic)) continue;
    auto found = examine_candidate(source, tail_start + position, cursor);
    if (!found) return found.error();
    if (*found) return found;
  }
  return std::optional<ZipArchiveFound>{};
}

}  // namespace stguard::audit::detail
