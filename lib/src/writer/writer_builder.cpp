// FileBuilder: collecting tensors and metadata (each checked on arrival,
// duplicate names included; the first error sticky), the whole-set aliasing check (sort by address, one
// sweep: never pairwise), and the three destinations: memory, a path
// (atomically, re-validated on disk before the rename) and a descriptor.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>
#include <string>

#include "stguard/atomic_file.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/stream_writer.hpp"
#include "stguard/writer.hpp"
#include "writer/writer_internal.hpp"

namespace stguard {
namespace {

// Appends to a vector reserved for the whole file.
class VectorSink final : public ByteSink {
 public:
  explicit VectorSink(std::vector<std::uint8_t>& out) noexcept : out_(out) {}
  Status write(std::span<const std::uint8_t> bytes) noexcept override {
    return detail::without_exceptions([&]() -> Status {
      out_.insert(out_.end(), bytes.begin(), bytes.end());
      return {};
    });
  }

 private:
  std::vector<std::uint8_t>& out_;
};

struct MemoryRange {
  std::uintptr_t begin;
  std::uintptr_t end;
  std::size_t entry;  // insertion index
};

}  // namespace

FileBuilder::FileBuilder(WriterOptions options) noexcept : options_(options) {}

Status FileBuilder::remember(Status status) noexcept {
  if (!status && !error_) {
    try {
      error_ = status.error();
    } catch (...) {
      error_ = detail::error_for_current_exception();  // still refuses to save
    }
  }
  return status;
}

Status FileBuilder::status() const noexcept {
  if (!error_) return {};
  return detail::without_exceptions([&]() -> Status { return *error_; });
}

Status FileBuilder::check_name_is_new(const std::string& name) const {
  const auto [first, last] = names_.equal_range(std::hash<std::string>{}(name));
  for (auto it = first; it != last; ++it) {
    if (entries_[it->second].spec.name == name) {
      return make_error(ErrorCode::duplicate_tensor_name,
                        "tensor " + quote_for_display(name) + ": the name is given more than once", kNoOffset,
                        name.substr(0, 64));
    }
  }
  return {};
}

void FileBuilder::index_name(std::size_t entry) {
  names_.emplace(std::hash<std::string>{}(entries_[entry].spec.name), entry);
}

Status FileBuilder::add_tensor(std::string name, Dtype dtype, std::vector<std::uint64_t> shape,
                               std::span<const std::uint8_t> bytes) noexcept {
  // One guard, remembered once: a builder that failed refuses to save.
  return remember(detail::without_exceptions([&]() -> Status {
    TensorSpec spec{std::move(name), dtype, std::move(shape)};
    auto size = checked_tensor_byte_size(spec, options_);
    if (!size) return std::move(size).error();
    if (Status fresh = check_name_is_new(spec.name); !fresh) return std::move(fresh);
    if (bytes.size() != *size) {
      return make_error(ErrorCode::data_length_mismatch,
                        "tensor " + quote_for_display(spec.name) + ": " + std::to_string(bytes.size()) +
                            " bytes given, shape x dtype needs " + std::to_string(*size),
                        kNoOffset, spec.name.substr(0, 64));
    }
    entries_.push_back(Entry{std::move(spec), *size, bytes, {}});
    index_name(entries_.size() - 1);
    return {};
  }));
}

Status FileBuilder::add_tensor(std::string name, Dtype dtype, std::vector<std::uint64_t> shape,
                               TensorProducer producer) noexcept {
  // One guard, remembered once: a builder that failed refuses to save.
  return remember(detail::without_exceptions([&]() -> Status {
    TensorSpec spec{std::move(name), dtype, std::move(shape)};
    auto size = checked_tensor_byte_size(spec, options_);
    if (!size) return std::move(size).error();
    if (Status fresh = check_name_is_new(spec.name); !fresh) return std::move(fresh);
    if (!producer) {
      return make_error(ErrorCode::invalid_argument, "tensor " + quote_for_display(spec.name) + ": the producer is empty",
                        kNoOffset, spec.name.substr(0, 64));
    }
    entries_.push_back(Entry{std::move(spec), *size, {}, std::move(producer)});
    index_name(entries_.size() - 1);
    return {};
  }));
}

Status FileBuilder::set_metadata(std::string key, std::string value) noexcept {
  // One guard, remembered once: a builder that failed refuses to save.
  return remember(detail::without_exceptions([&]() -> Status {
    if (auto error = detail::check_metadata_entry(key, value)) return *std::move(error);
    metadata_.insert_or_assign(std::move(key), std::move(value));
    return {};
  }));
}

namespace detail {

Result<ResolvedFile> FileBuilderAccess::resolve(const FileBuilder& builder) noexcept {
  return without_exceptions([&]() -> Result<ResolvedFile> {
    if (builder.error_) return *builder.error_;
    const auto& entries = builder.entries_;

    // Overlap detection: sort the in-memory ranges by address and sweep,
    // remembering the range that reaches furthest. Empty ranges own no bytes.
    std::vector<MemoryRange> ranges;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& bytes = entries[i].bytes;
      if (entries[i].producer || bytes.empty()) continue;
      const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data());
      ranges.push_back(MemoryRange{begin, begin + bytes.size(), i});
    }
    std::sort(ranges.begin(), ranges.end(), [](const MemoryRange& a, const MemoryRange& b) {
      if (a.begin != b.begin) return a.begin < b.begin;
      if (a.end != b.end) return a.end < b.end;
      return a.entry < b.entry;
    });

    std::vector<bool> dropped(entries.size(), false);
    if (builder.options_.aliases == AliasPolicy::keep_first_added) {
      // Identical ranges are tied weights: one tensor stands for all of them.
      std::vector<MemoryRange> kept;
      for (std::size_t k = 0; k < ranges.size();) {
        std::size_t run_end = k + 1;
        std::size_t keep = ranges[k].entry;
        while (run_end < ranges.size() && ranges[run_end].begin == ranges[k].begin &&
               ranges[run_end].end == ranges[k].end) {
          keep = std::min(keep, ranges[run_end].entry);
          ++run_end;
        }
        for (std::size_t j = k; j < run_end; ++j) {
          if (ranges[j].entry != keep) dropped[ranges[j].entry] = true;
        }
        kept.push_back(MemoryRange{ranges[k].begin, ranges[k].end, keep});
        k = run_end;
      }
      ranges = std::move(kept);
    }

    std::optional<std::pair<std::size_t, std::size_t>> first_alias;
    std::size_t aliased_count = 0;
    std::uintptr_t reach = 0;
    std::size_t reach_owner = 0;
    for (std::size_t k = 0; k < ranges.size(); ++k) {
      const MemoryRange& range = ranges[k];
      if (k > 0 && range.begin < reach) {
        ++aliased_count;
        if (!first_alias) first_alias = std::make_pair(std::min(reach_owner, range.entry), std::max(reach_owner, range.entry));
      }
      if (k == 0 || range.end > reach) {
        reach = range.end;
        reach_owner = range.entry;
      }
    }
    if (first_alias) {
      const std::string& a = entries[first_alias->first].spec.name;
      const std::string& b = entries[first_alias->second].spec.name;
      std::string message = "tensors " + quote_for_display(a) + " and " + quote_for_display(b) +
                            " share memory (tied or shared weights): a loader would untie them";
      if (aliased_count > 1) message += "; " + std::to_string(aliased_count) + " tensors overlap another in all";
      message += builder.options_.aliases == AliasPolicy::reject
                     ? "; AliasPolicy::keep_first_added keeps one of tensors with identical bytes"
                     : "; their bytes overlap only in part, so neither can stand for the other";
      return make_error(ErrorCode::aliased_tensors, std::move(message), kNoOffset, a);
    }

    ResolvedFile resolved;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& entry = entries[i];
      if (dropped[i]) {
        resolved.dropped_aliases.push_back(entry.spec.name);
        continue;
      }
      resolved.spec.tensors.push_back(entry.spec);
      resolved.sources.push_back(TensorSource{entry.bytes, entry.producer ? &entry.producer : nullptr});
    }
    resolved.spec.metadata.reserve(builder.metadata_.size());
    for (const auto& [key, value] : builder.metadata_) resolved.spec.metadata.push_back(MetadataEntry{key, value});
    return resolved;
  });
}

}  // namespace detail

Result<FilePlan> FileBuilder::plan() const noexcept {
  return detail::without_exceptions([&]() -> Result<FilePlan> {
    auto resolved = detail::FileBuilderAccess::resolve(*this);
    if (!resolved) return std::move(resolved).error();
    auto header = serialize_header(resolved->spec, options_);
    if (!header) return std::move(header).error();
    FilePlan plan;
    plan.header = std::move(header).value();
    plan.dropped_aliases = std::move(resolved->dropped_aliases);
    return plan;
  });
}

Result<std::vector<std::uint8_t>> FileBuilder::save() const noexcept {
  return detail::without_exceptions([&]() -> Result<std::vector<std::uint8_t>> {
    auto resolved = detail::FileBuilderAccess::resolve(*this);
    if (!resolved) return std::move(resolved).error();
    auto header = serialize_header(resolved->spec, options_);
    if (!header) return std::move(header).error();
    const std::uint64_t total = header->header.file_size();
    std::vector<std::uint8_t> out;
    if (total > out.max_size() || total > std::numeric_limits<std::size_t>::max()) {
      return make_error(ErrorCode::out_of_memory,
                        "a file of " + std::to_string(total) + " bytes cannot be held in memory; save to a path");
    }
    out.reserve(static_cast<std::size_t>(total));
    VectorSink sink(out);
    if (Status status = detail::write_file(sink, resolved->spec, std::move(header).value(), resolved->sources);
        !status) {
      return status.error();
    }
    return out;
  });
}

Status FileBuilder::save_to_sink(ByteSink& sink) const noexcept {
  auto resolved = detail::FileBuilderAccess::resolve(*this);
  if (!resolved) return std::move(resolved).error();
  auto header = serialize_header(resolved->spec, options_);
  if (!header) return std::move(header).error();
  return detail::write_file(sink, resolved->spec, std::move(header).value(), resolved->sources);
}

Status FileBuilder::save_to_fd(int fd) const noexcept {
  FdSink sink(fd);
  return save_to_sink(sink);
}

Status FileBuilder::save_to_path(const std::string& path) const noexcept {
  return save_to_path(path, AtomicWriteOptions{});
}

namespace {

Status save_builder_to_path(const FileBuilder& builder, const std::string& path,
                            const AtomicWriteOptions& atomic) noexcept {
  // On an exception the OutputFile's destructor discards the temporary file.
  return detail::without_exceptions([&]() -> Status {
  // Every check runs before the filesystem is touched.
  auto resolved = detail::FileBuilderAccess::resolve(builder);
  if (!resolved) return std::move(resolved).error();
  auto header = serialize_header(resolved->spec, builder.options());
  if (!header) return std::move(header).error();
  auto file = OutputFile::open(path, atomic);
  if (!file) return std::move(file).error();
    const Header planned = header->header;
    if (Status status = detail::write_file(file->sink(), resolved->spec, std::move(header).value(), resolved->sources);
        !status) {
      file->discard();
      return status;
    }
    // A stream cannot be read back; a file is re-validated before the rename.
    if (Status status = file->is_stream() ? Status{} : detail::verify_written_file(file->verifiable_fd(), planned);
        !status) {
      file->discard();
      return status;
    }
    return file->commit();
  });
}

}  // namespace

Status FileBuilder::save_to_path(const std::string& path, const AtomicWriteOptions& atomic) const noexcept {
  return with_path(save_builder_to_path(*this, path, atomic), path);
}

TensorProducer file_region_producer(int fd, std::uint64_t offset, std::uint64_t length, std::size_t chunk_bytes) {
  if (chunk_bytes == 0) chunk_bytes = 1;
  return [fd, offset, length, chunk_bytes](ByteSink& out) -> Status {
    return detail::without_exceptions([&]() -> Status {
      std::vector<std::uint8_t> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, length)));
      std::uint64_t done = 0;
      while (done < length) {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
        std::uint64_t position = 0;
        if (__builtin_add_overflow(offset, done, &position)) {
          return make_error(ErrorCode::invalid_argument, "file region beyond 2^64");
        }
        if (Status status = pread_exact(fd, position, buffer.data(), take); !status) return status;
        if (Status status = out.write(std::span<const std::uint8_t>(buffer.data(), take)); !status) return status;
        done += take;
      }
      return {};
    });
  };
}

}  // namespace stguard
