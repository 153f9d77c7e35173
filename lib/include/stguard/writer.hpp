// The writer: describe a safetensors file (tensors and string metadata) and
// lay it out exactly as the reference writer does, refusing everything the
// strict profile would reject.
//
// This header owns the description of what to write (TensorSpec, HeaderSpec,
// FileBuilder), the policy (WriterOptions) and the canonical layout
// (serialize_header). Layout is the reference convention of docs/format.md#writer-conventions: tensors
// sorted by dtype order descending, then by name bytewise; contiguous from 0;
// compact JSON with "__metadata__" first (keys sorted, so output is
// deterministic); header padded with spaces to a multiple of 8, so every tensor
// starts at a multiple of its element size. Every serialised header is parsed
// back with the strict profile before a single byte is written.
//
// Where the bytes go is the business of stream_writer.hpp (any descriptor, as a
// stream) and atomic_file.hpp (a path, replaced atomically). Nothing here
// throws: errors are values, std::bad_alloc becomes out_of_memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "stguard/dtype.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

struct AtomicWriteOptions;

namespace detail {
struct FileBuilderAccess;
}  // namespace detail

// Where written bytes go: a descriptor (FdSink), a temporary file
// (AtomicFile), memory, or a caller's own transport. write() consumes all of
// `bytes` or reports why it could not; a sink that failed stays failed.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  [[nodiscard]] virtual Status write(std::span<const std::uint8_t> bytes) noexcept = 0;

 protected:
  ByteSink() = default;
  ByteSink(const ByteSink&) = default;
  ByteSink& operator=(const ByteSink&) = default;
  ByteSink(ByteSink&&) = default;
  ByteSink& operator=(ByteSink&&) = default;
};

// One tensor's header entry: what the JSON says about it.
struct TensorSpec {
  std::string name;
  Dtype dtype = Dtype::U8;
  std::vector<std::uint64_t> shape;  // empty = scalar (one element)
};

// Everything a header holds. Tensors and metadata may come in any order: the
// layout is computed, never taken from the input order.
struct HeaderSpec {
  std::vector<TensorSpec> tensors;
  std::vector<MetadataEntry> metadata;  // keys must be distinct (duplicate_metadata_key)
};

// What to do with two input tensors whose bytes overlap in memory (tied or
// shared weights). The reference refuses them because a loader would untie
// them silently; so does stguard unless asked.
enum class AliasPolicy : std::uint8_t {
  reject = 0,            // aliased_tensors, naming both tensors
  keep_first_added = 1,  // tensors with the *same* bytes (same address and length): keep
                         // the one added first, drop the others; a partial overlap is
                         // still aliased_tensors (no single tensor can stand for both)
};

struct WriterOptions {
  // Limits the output must satisfy. They can only be tightened: each value is
  // capped at the strict default, so the writer never produces a file that
  // strict with default limits would reject.
  Limits limits = Limits::strict_defaults();
  AliasPolicy aliases = AliasPolicy::reject;
};

// A header ready to be written, and the proof that it is valid.
struct SerializedHeader {
  std::vector<std::uint8_t> bytes;  // the 8-byte little-endian N, then the N header bytes
  Header header;                    // what parse_header(strict) made of those bytes
  std::vector<std::size_t> layout;  // indexes into HeaderSpec::tensors, in data order
  std::vector<std::uint64_t> byte_sizes;  // byte size of each HeaderSpec tensor, by spec index
};

// Checks `spec` against every strict rule and lays it out canonically. Errors
// name the tensor: invalid_tensor_name (empty, not UTF-8, C0/C1 control
// characters, "__metadata__"), duplicate_tensor_name, limit_name_bytes,
// limit_rank, limit_integer (a dimension or an offset above 2^53-1),
// shape_overflow, subbyte_misaligned, limit_tensor_count, invalid_metadata_key,
// invalid_metadata_value, duplicate_metadata_key, header_too_large /
// limit_header_bytes. internal_error if the re-validation disagrees (a bug).
[[nodiscard]] Result<SerializedHeader> serialize_header(const HeaderSpec& spec,
                                                        const WriterOptions& options = {}) noexcept;

// The per-tensor part of those checks: the tensor's byte size (elements x
// bits / 8, overflow-checked) when its name, rank and shape are acceptable.
[[nodiscard]] Result<std::uint64_t> checked_tensor_byte_size(const TensorSpec& spec,
                                                             const WriterOptions& options = {}) noexcept;

// Produces one tensor's bytes on demand, in order, in chunks of any size:
// it must write exactly the tensor's byte size into `out` and return success.
// Returning an error (or throwing) aborts the save: producer_failed, and no
// file is left behind. It is called once per save, in layout order.
using TensorProducer = std::function<Status(ByteSink& out)>;

// A producer that copies [offset, offset + length) of the file open on `fd`
// with pread, `chunk_bytes` at a time (constant memory; the descriptor's
// offset is not used or moved). A file that became shorter is io_file_changed.
// `fd` must stay open until the save is over.
[[nodiscard]] TensorProducer file_region_producer(int fd, std::uint64_t offset, std::uint64_t length,
                                                  std::size_t chunk_bytes = std::size_t{1} << 20);

// What FileBuilder::plan() decided.
struct FilePlan {
  SerializedHeader header;
  std::vector<std::string> dropped_aliases;  // names dropped under AliasPolicy::keep_first_added
};

// Collects tensors and metadata, then writes them to memory, a path or a
// descriptor. Each add_* checks its tensor at once and returns the verdict;
// the first error is also remembered (sticky, as BoringSSL's CBB), so a
// caller that ignores one cannot save a file missing a tensor. Checks that
// need the whole set (duplicates, aliasing, header size) run at save time.
class FileBuilder {
 public:
  explicit FileBuilder(WriterOptions options = {}) noexcept;

  // Borrowed bytes: they must stay valid and unchanged until the last save.
  // data_length_mismatch unless bytes.size() is exactly shape x dtype.
  Status add_tensor(std::string name, Dtype dtype, std::vector<std::uint64_t> shape,
                    std::span<const std::uint8_t> bytes) noexcept;
  // Bytes produced later (a file region, a GPU copy, a generator).
  Status add_tensor(std::string name, Dtype dtype, std::vector<std::uint64_t> shape,
                    TensorProducer producer) noexcept;
  // Sets (or replaces) a metadata entry. An empty metadata map writes no
  // "__metadata__" block, as the reference does with no metadata.
  Status set_metadata(std::string key, std::string value) noexcept;

  // The first error met so far (ok when none).
  [[nodiscard]] Status status() const noexcept;
  [[nodiscard]] std::size_t tensor_count() const noexcept { return entries_.size(); }
  [[nodiscard]] const WriterOptions& options() const noexcept { return options_; }

  // Runs every check and computes the layout without writing anything.
  [[nodiscard]] Result<FilePlan> plan() const noexcept;

  // The whole file in memory.
  [[nodiscard]] Result<std::vector<std::uint8_t>> save() const noexcept;
  // Writes to `path` by OutputFile's rule (atomic_file.hpp): a regular or new
  // file is replaced atomically (on failure the previous file is untouched
  // and no temporary file remains); "-", a character device or a FIFO is
  // streamed to; a folder, socket or block device is io_not_regular_file.
  [[nodiscard]] Status save_to_path(const std::string& path) const noexcept;
  [[nodiscard]] Status save_to_path(const std::string& path, const AtomicWriteOptions& atomic) const noexcept;
  // Streams the file to `fd` (pipe, socket, stdout, file at its current
  // offset): header first, then each tensor in layout order, in chunks.
  [[nodiscard]] Status save_to_fd(int fd) const noexcept;
  // Same, into any sink.
  [[nodiscard]] Status save_to_sink(ByteSink& sink) const noexcept;

 private:
  friend struct detail::FileBuilderAccess;

  struct Entry {
    TensorSpec spec;
    std::uint64_t byte_size = 0;
    std::span<const std::uint8_t> bytes;  // used when producer is empty
    TensorProducer producer;
  };

  Status remember(Status status) noexcept;
  // duplicate_tensor_name if a tensor of this name was added before.
  [[nodiscard]] Status check_name_is_new(const std::string& name) const;
  void index_name(std::size_t entry);

  WriterOptions options_;
  std::vector<Entry> entries_;
  // Hash of each added name -> its entry: duplicates are refused at add time
  // without a second copy of every name.
  std::unordered_multimap<std::size_t, std::size_t> names_;
  std::map<std::string, std::string> metadata_;  // ordered: deterministic, no hashing
  std::optional<Error> error_;
};

}  // namespace stguard
