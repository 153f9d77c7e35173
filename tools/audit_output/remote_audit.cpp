// st-audit URL over stguard::remote (remote_audit.hpp).
#include "audit_output/remote_audit.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

namespace stguard::cli {

#if STGUARD_CLI_HAVE_REMOTE
namespace {

// The audit's reads, answered by the remote file: from the leading bytes
// when they hold the range, else by range requests pinned to the version
// open() saw, one per read (the audit's data reads are 1 MiB at most). A
// small read (a tensor of a few bytes, a signature probe) is answered from
// the aligned block of kBlockBytes around it, fetched once and kept among the
// last kBlocks, so a file of many small tensors costs about one request per
// block instead of one per tensor.
class RemoteRangeReader final : public audit::RangeReader {
 public:
  explicit RemoteRangeReader(const remote::RemoteObject& object) noexcept : object_(object) {}

  [[nodiscard]] std::uint64_t size() const noexcept override { return object_.file_size(); }

  [[nodiscard]] Status read(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept override {
    const std::uint64_t block = offset / kBlockBytes;
    // The audit reads inside the file (size() bounds it), so this cannot wrap.
    const std::uint64_t end = offset + out.size();
    if (out.empty() || end <= object_.prefix().size() || out.size() >= kBlockBytes ||
        (end - 1) / kBlockBytes != block) {
      return object_.read_into(offset, out);
    }
    return detail::without_exceptions([&]() -> Status {
      const std::lock_guard<std::mutex> guard(lock_);
      auto held = std::find_if(blocks_.begin(), blocks_.end(), [&](const Block& entry) { return entry.index == block; });
      if (held == blocks_.end()) {
        const std::uint64_t first = block * kBlockBytes;
        Block entry{block, std::vector<std::uint8_t>(
                               static_cast<std::size_t>(std::min<std::uint64_t>(kBlockBytes, size() - first)))};
        if (Status status = object_.read_into(first, entry.bytes); !status) return status;
        if (blocks_.size() == kBlocks) blocks_.pop_back();
        blocks_.insert(blocks_.begin(), std::move(entry));
        held = blocks_.begin();
      }
      std::memcpy(out.data(), held->bytes.data() + (offset - block * kBlockBytes), out.size());
      return {};
    });
  }

 private:
  // Small enough that a probe costs little, large enough for ~4,000 tensors of 16 bytes.
  static constexpr std::uint64_t kBlockBytes = std::uint64_t{64} << 10U;
  static constexpr std::size_t kBlocks = 16;
  struct Block {
    std::uint64_t index = 0;
    std::vector<std::uint8_t> bytes;
  };

  const remote::RemoteObject& object_;
  mutable std::mutex lock_;
  mutable std::vector<Block> blocks_;  // most recent first
};

}  // namespace

Result<audit::AuditReport> audit_url_operand(const std::string& url, const audit::AuditOptions& options,
                                             const RemoteFlags& flags) {
  if (audit::looks_like_index_path(url)) {
    return make_error(ErrorCode::invalid_argument,
                      "st-audit audits one remote safetensors file; check a sharded checkpoint behind a URL "
                      "with st-shard check INDEX-URL");
  }
  auto object = remote::RemoteObject::open(url, options.validation, remote_options(flags));
  if (!object) return std::move(object).error();
  const RemoteRangeReader reader(*object);
  return audit::audit_reader(reader, object->display_url(), options);
}
#else
Result<audit::AuditReport> audit_url_operand(const std::string& url, const audit::AuditOptions& options,
                                             const RemoteFlags& flags) {
  (void)url, (void)options, (void)flags;
  return url_support_missing();
}
#endif

}  // namespace stguard::cli
