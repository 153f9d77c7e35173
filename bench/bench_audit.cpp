// Audit data-pass benchmarks on GPT-2 small (498 MB, in the page cache):
// SHA-256 digests and the value scan, with 1 and 2 threads, timed in wall
// time and in process CPU time, so the summary can state GB/s per core.
//
//   audit/header_only/T        audit_path without a data pass: the fixed cost
//   audit/digests/T            compute_digests: SHA-256 of the whole file (its
//                              own thread) and of every tensor, so about twice
//                              the file is hashed; counter hashed_bytes
//   audit/scan_values/T        scan_values only; counter scanned_bytes. The
//                              scan also hashes every tensor whose byte size
//                              another tensor shares (the identical-tensor
//                              rule): in GPT-2, all but wte and wpe
//   audit/scan_kernel          the value classifier alone (audit/src
//                              value_scan.hpp) over the file in memory, 1 MiB
//                              at a time as the data pass calls it
//   audit/sha256_evp_oneshot   libcrypto's EVP SHA-256 of the whole file held
//                              in memory, one call: the in-harness ceiling
//   audit/sha256_evp_pread     the same over pread'd 1 MiB chunks, the shape of
//                              the audit's loop without the audit around it
// `openssl speed -evp sha256` (bench/run.sh) is the outside reference.
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <memory>

#include "bench_common.hpp"
#include "bench_files.hpp"
#include "stguard/audit.hpp"
#include "stguard/audit_digest.hpp"
#include "stguard/reader.hpp"
#include "stguard/validate.hpp"
#include "value_scan.hpp"  // audit/src: the classifier the data pass runs

namespace stguard::bench {
namespace {

struct AuditSubject {
  std::string path;
  std::uint64_t file_bytes = 0;
  std::uint64_t data_bytes = 0;
};

void bench_audit(benchmark::State& state, const AuditSubject& subject, bool digests, bool scan, unsigned threads) {
  warm_page_cache(subject.path);
  audit::AuditOptions options;
  options.compute_digests = digests;
  options.scan_values = scan;
  options.threads = threads;
  for (auto _ : state) {
    auto report = audit::audit_path(subject.path, options);
    if (!ok_or_skip(state, report, "audit_path")) return;
    if (report->verdict == audit::Verdict::invalid || (digests && !report->digests)) {
      state.SkipWithError("the audit did not complete its data pass");
      return;
    }
    benchmark::DoNotOptimize(report->findings.size());
  }
  // Bytes through SHA-256: the whole file once, every tensor once more.
  const std::uint64_t hashed = digests ? subject.file_bytes + subject.data_bytes : 0;
  const std::uint64_t scanned = scan ? subject.data_bytes : 0;
  state.counters["hashed_bytes"] = static_cast<double>(hashed);
  state.counters["scanned_bytes"] = static_cast<double>(scanned);
  state.counters["threads"] = threads;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(digests ? hashed : scanned));
}

void bench_sha256_oneshot(benchmark::State& state, const AuditSubject& subject) {
  static std::vector<std::uint8_t> file;
  if (file.empty()) file = read_whole_file(subject.path);
  for (auto _ : state) {
    auto digest = audit::sha256(file);
    if (!digest) {
      state.SkipWithError("libcrypto failed");
      return;
    }
    benchmark::DoNotOptimize(digest->data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(file.size()));
}

void bench_scan_kernel(benchmark::State& state, const AuditSubject& subject) {
  static std::vector<std::uint8_t> file;
  if (file.empty()) file = read_whole_file(subject.path);
  auto reader = Reader::from_memory(file);
  if (!ok_or_skip(state, reader, "Reader::from_memory")) return;
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20U;
  for (auto _ : state) {
    for (const TensorView view : reader->tensors()) {
      auto bytes = view.bytes();
      if (!ok_or_skip(state, bytes, "bytes")) return;
      audit::detail::ValueStats stats;
      for (std::uint64_t at = 0; at < bytes->size(); at += kChunk) {
        const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bytes->size() - at));
        audit::detail::scan_values(view.dtype(), bytes->subspan(static_cast<std::size_t>(at), length), at, stats);
      }
      benchmark::DoNotOptimize(stats);
    }
  }
  state.counters["scanned_bytes"] = static_cast<double>(subject.data_bytes);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(subject.data_bytes));
}

void bench_sha256_pread(benchmark::State& state, const AuditSubject& subject) {
  warm_page_cache(subject.path);
  constexpr std::size_t kChunk = std::size_t{1} << 20U;
  std::vector<std::uint8_t> buffer = prefaulted(kChunk);
  const int fd = ::open(subject.path.c_str(), O_RDONLY | O_CLOEXEC);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  for (auto _ : state) {
    bool ok = fd >= 0 && context && EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1;
    for (std::uint64_t at = 0; ok && at < subject.file_bytes;) {
      const ssize_t n = ::pread(fd, buffer.data(), kChunk, static_cast<off_t>(at));
      ok = n > 0 && EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(n)) == 1;
      at += n > 0 ? static_cast<std::uint64_t>(n) : 0;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!ok || EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
      state.SkipWithError("pread or libcrypto failed");
      break;
    }
    benchmark::DoNotOptimize(digest[0]);
  }
  if (fd >= 0) ::close(fd);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(subject.file_bytes));
}

}  // namespace

void register_audit_benchmarks() {
  AuditSubject subject;
  subject.path = corpus_path(kGpt2Name);
  if (!file_exists(subject.path)) return;
  const HeaderBytes header = read_header_bytes(subject.path);
  subject.file_bytes = header.prefix.size() + header.data_size;
  subject.data_bytes = header.data_size;
  const std::string suffix = std::string("/") + kGpt2Name;

  // Process CPU time covers every worker thread: bytes / cpu_time is the rate per core.
  const auto add = [&](const std::string& name, auto function) {
    benchmark::RegisterBenchmark((name + suffix).c_str(), function)
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime()
        ->UseRealTime();
  };
  add("audit/header_only", [subject](benchmark::State& s) { bench_audit(s, subject, false, false, 1); });
  for (const unsigned threads : {1U, 2U}) {
    const std::string t = "/t" + std::to_string(threads);
    add("audit/digests" + t, [subject, threads](benchmark::State& s) { bench_audit(s, subject, true, false, threads); });
    add("audit/scan_values" + t,
        [subject, threads](benchmark::State& s) { bench_audit(s, subject, false, true, threads); });
  }
  add("audit/scan_kernel", [subject](benchmark::State& s) { bench_scan_kernel(s, subject); });
  add("audit/sha256_evp_oneshot", [subject](benchmark::State& s) { bench_sha256_oneshot(s, subject); });
  add("audit/sha256_evp_pread", [subject](benchmark::State& s) { bench_sha256_pread(s, subject); });
}

}  // namespace stguard::bench
