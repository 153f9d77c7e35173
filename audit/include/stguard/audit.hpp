// The audit layer: findings about safetensors files that the validator
// accepts (or that the reference reader would accept), for scanners, hubs
// and CI.
//
// Validation answers "may this file be loaded?"; the audit answers "what is
// odd about it?". A file is parsed with the compat profile (what the
// reference reader loads) so the audit sees what a victim's loader sees;
// everything strict would have rejected becomes a finding (STG-STRICT-001),
// and a file compat rejects is reported as invalid, not as a finding. Rules
// that look at raw bytes (polyglot signatures) run on invalid files too.
//
// Every entry point returns errors as values and never throws. Work is
// linear in the header size plus, only when asked (scan_values,
// compute_digests), one read of the data, spread over a thread pool.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stguard/audit_digest.hpp"
#include "stguard/audit_rules.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard::audit {

struct Finding {
  Rule rule = Rule::strict_rejects;
  Severity severity = Severity::info;  // usually rule_info(rule).severity
  std::string tensor;        // raw tensor name when one is involved (escape before display)
  std::string metadata_key;  // raw __metadata__ key when one is involved
  std::string json_path;     // where inside a metadata config ("model.layers[2]._target_"), escaped for display
  std::uint64_t offset = kNoOffset;  // byte offset in the file, when one applies
  std::string message;       // one line, untrusted text already escaped for display
  std::string evidence;      // the bytes or values that triggered it, already escaped

  [[nodiscard]] bool has_offset() const noexcept { return offset != kNoOffset; }
};

enum class Verdict : std::uint8_t {
  strict_valid = 0,  // both profiles accept it
  compat_only = 1,   // the reference reader loads it, strict rejects it (see STG-STRICT-001)
  invalid = 2,       // the reference reader refuses it: `error` says why
};

[[nodiscard]] std::string_view verdict_name(Verdict verdict) noexcept;  // "valid", "compat-only", "invalid"

// Bytes done out of bytes total for the data pass (whole-file digest and
// tensor reads counted separately, so `total` may exceed the file size).
struct Progress {
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
};

struct AuditOptions {
  // The profile the caller gates with, and its limits. The audit always
  // parses with compat; under `strict` the file is also judged by strict with
  // these limits, and every strict rejection is a high finding. Under
  // `compat` the strict rejections are reported as low findings.
  Options validation = Options::strict();
  // Reads every tensor: NaN/Inf counts, BOOL bytes, all-zero and identical tensors.
  bool scan_values = false;
  // SHA-256 of the whole file and of every tensor (AuditReport::digests).
  bool compute_digests = false;
  // Worker threads for the data pass; 0 = std::thread::hardware_concurrency().
  unsigned threads = 0;
  // A rule that fires more often than this in one file keeps its first
  // findings and counts the rest in AuditReport::suppressed_findings.
  std::uint32_t max_findings_per_rule = 1000;
  // Sharded checkpoints (audit_index): the index's verdict is the one
  // check_shard_index gives (what st-shard check reports), with the shards
  // judged by `validation` and this as ShardCheckOptions::require_total_size.
  bool require_total_size = false;
  // Called on the calling thread about ten times a second during the data
  // pass (and once at its end). Must not throw.
  std::function<void(const Progress&)> progress;
};

struct AuditReport {
  std::string path;          // as given ("<memory>" for audit_bytes)
  std::uint64_t file_size = 0;
  Verdict verdict = Verdict::invalid;
  std::optional<Error> error;    // why the file is invalid (verdict == invalid)
  std::optional<Header> header;  // the compat parse, when not invalid
  std::vector<Finding> findings;  // rule passes in a fixed order, each in file order
  std::uint64_t suppressed_findings = 0;
  bool values_scanned = false;
  std::optional<FileDigests> digests;  // when compute_digests and the file is not invalid

  // The highest severity among the findings (nullopt when there are none).
  [[nodiscard]] std::optional<Severity> max_severity() const noexcept;
  // Findings at or above `threshold`.
  [[nodiscard]] std::size_t count_at_least(Severity threshold) const noexcept;
};

// Audits the file at `path`. The Result is an error only when the file
// cannot be read (io_* codes, or out_of_memory); an invalid file is a report
// with verdict == invalid.
[[nodiscard]] Result<AuditReport> audit_path(const std::string& path, const AuditOptions& options = {}) noexcept;

// Audits a whole file held in memory (tests, fuzzing, scanners that already
// have the bytes). Never reads anything else.
[[nodiscard]] Result<AuditReport> audit_bytes(std::span<const std::uint8_t> file,
                                              const AuditOptions& options = {}) noexcept;

// A file's bytes read by range from a place the audit library knows nothing
// about: the remote layer implements it over HTTP range requests (st-audit
// URL, docs/remote.md), so this library never links libcurl.
class RangeReader {
 public:
  virtual ~RangeReader() = default;
  // The file's size, fixed for the reader's life.
  [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
  // Fills `out` with the bytes at [offset, offset + out.size()), a range the
  // audit keeps inside size(); an error (any code) fails the audit with it.
  // Data reads are at most 1 MiB each. Called from several threads at once.
  [[nodiscard]] virtual Status read(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept = 0;
};

// Audits the file `reader` reads, reporting it as `name` (the report's
// path): the same report audit_path gives for the same bytes. The Result is
// an error when a read fails (the reader's own error), or out_of_memory.
[[nodiscard]] Result<AuditReport> audit_reader(const RangeReader& reader, std::string name,
                                               const AuditOptions& options = {}) noexcept;

// Audits a sharded checkpoint: the index at `index_path`
// (model.safetensors.index.json) and every shard it names, in the index's
// folder. The first report is the index's own (cross-check findings
// STG-SHARD-*; verdict invalid when the index itself does not parse), then one
// report per shard that could be read, in shard-name order. An error only
// when the index file cannot be read.
[[nodiscard]] Result<std::vector<AuditReport>> audit_index(const std::string& index_path,
                                                           const AuditOptions& options = {}) noexcept;

// True for paths the tools treat as a sharded-checkpoint index ("*.index.json").
[[nodiscard]] bool looks_like_index_path(std::string_view path) noexcept;

}  // namespace stguard::audit
