// Remote validation: judge a safetensors file behind an http:// or https://
// URL without downloading it (library stguard::remote, target
// stguard_remote; it links libcurl, the core library stguard::stguard does
// not). See docs/remote.md.
//
// Validation needs only the first 8 + N bytes and the file size, so a remote
// file costs at most two range requests: bytes 0 .. 8 + read_ahead - 1
// (the size comes from Content-Range), then, when the header is longer than
// that, one more for the rest of it, pinned to the first answer's version
// (If-Match / If-Range with its ETag, or its Last-Modified date) so that a
// file replaced in between is reported (NETWORK_OBJECT_CHANGED), never judged
// from two versions. A server that ignores Range (200 and the whole body) is
// read only as far as the header needs, then the transfer is aborted. Every
// byte received is judged by the same validate_prefix the local path uses:
// the same file gives the same Header or Error from disk and over HTTP.
//
// Failures to fetch are errors of class `network` (NETWORK_*, 11xx in
// docs/errors.md); a URL with another scheme is INVALID_ARGUMENT. Nothing
// here throws, and no message ever holds a header value, the token or URL
// credentials (URLs in messages go through redact_url).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/dtype.hpp"
#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"
#include "stguard/shard_index.hpp"
#include "stguard/slice.hpp"

namespace stguard::remote {

// How requests are made. Every field has a safe default; docs/remote.md
// lists them with the command-line flags that set them.
struct RemoteOptions {
  // Time allowed to establish each connection (TCP and TLS).
  std::chrono::milliseconds connect_timeout{10'000};
  // Time allowed for one whole operation (open, or one read), redirects and
  // every request included.
  std::chrono::milliseconds total_timeout{60'000};
  // A transfer that stays below low_speed_bytes per second for
  // low_speed_time is aborted (NETWORK_TIMEOUT): a server that drips bytes
  // cannot hold a gate for total_timeout. 0 bytes turns the check off.
  std::uint64_t low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{10};
  // Redirects followed per request (the Hub redirects to a CDN); one more
  // is NETWORK_TOO_MANY_REDIRECTS.
  unsigned max_redirects = 5;
  // Body bytes one operation may receive, every request together
  // (NETWORK_BODY_TOO_LARGE beyond). The header alone may need up to
  // 8 + max_header_bytes.
  std::uint64_t max_bytes = 256ull * 1024 * 1024;
  // Bytes asked for after the first 8 in the first request: a header up to
  // this long is read in one round trip.
  std::uint64_t read_ahead = 64 * 1024;
  // PEM file of CA certificates to trust instead of the system's. TLS
  // verification (certificate and host name) is always on.
  std::string ca_file;
  // Extra request headers, "Name: value" each (e.g. "Authorization: Bearer
  // ..."). Sent to the URL's origin (scheme, host, port) only: a redirect to
  // another origin drops them. CR, LF and NUL are refused (INVALID_ARGUMENT).
  std::vector<std::string> headers;
  // Name of an environment variable holding a token, sent as
  // "Authorization: Bearer <token>" to the URL's origin only. Empty: none.
  // An unset or empty variable is INVALID_ARGUMENT.
  std::string token_env;
  // Proxies come from the usual environment variables (http_proxy,
  // https_proxy, no_proxy, all_proxy), as libcurl reads them.
};

// What the requests of one RemoteFile cost so far (benchmarks, tests).
struct TransferStats {
  unsigned requests = 0;            // HTTP requests sent, redirects included
  unsigned redirects = 0;           // redirects followed
  std::uint64_t body_bytes = 0;     // response body bytes received
};

// "http://" or "https://" (any case) at the start: what the tools treat as a
// URL operand instead of a path.
[[nodiscard]] bool is_remote_url(std::string_view text) noexcept;

// Whether `text` starts with a URL scheme ("ftp://", "file://" ...): the
// tools hand such operands to the remote layer, which refuses every scheme
// but http and https with INVALID_ARGUMENT.
[[nodiscard]] bool has_url_scheme(std::string_view text) noexcept;

// The URL as it may be printed: user name and password replaced by "***",
// and the value of every query parameter whose name suggests a secret
// (token, sig, signature, key, secret, password, auth, credential, session,
// policy, in any case or as part of a longer name such as X-Amz-Signature)
// replaced by "REDACTED". Works on any text, valid URL or not.
[[nodiscard]] std::string redact_url(std::string_view url);

// A tensor slice fetched from a remote file (RemoteFile::read_slice).
struct RemoteSlice {
  Dtype dtype = Dtype::U8;
  std::vector<std::uint64_t> shape;
  std::vector<std::uint8_t> bytes;  // the selected elements in row-major order
};

// What RemoteFile and RemoteObject share: one remote file pinned to the
// version that open() saw, the leading bytes it received and the counters of
// the transfers. Only those two classes are made of it.
class RemoteSource {
 public:
  // The size the server reported (Content-Range, or Content-Length).
  [[nodiscard]] std::uint64_t file_size() const noexcept;
  // The leading bytes received by open(): for a RemoteFile, at least the
  // first min(file size, 8 + N) bytes, as received.
  [[nodiscard]] std::span<const std::uint8_t> prefix() const noexcept;
  // The URL as given, redacted for display.
  [[nodiscard]] const std::string& display_url() const noexcept;
  [[nodiscard]] TransferStats stats() const noexcept;

  struct State;  // defined in lib/src/remote

 protected:
  explicit RemoteSource(std::unique_ptr<State> state) noexcept;
  RemoteSource(RemoteSource&&) noexcept;
  RemoteSource& operator=(RemoteSource&&) noexcept;
  ~RemoteSource();

  std::unique_ptr<State> state_;
};

class RemoteFile : public RemoteSource {
 public:
  // Validates the file at `url` under `validation` (see the top of this
  // file). An invalid file is the validation Error (class framing ..
  // limit); a fetch failure is NETWORK_*; a bad URL, header or token
  // variable is INVALID_ARGUMENT.
  [[nodiscard]] static Result<RemoteFile> open(const std::string& url, const Options& validation = Options::strict(),
                                               const RemoteOptions& remote = {}) noexcept;

  [[nodiscard]] const Header& header() const noexcept;

  // The bytes of [offset, offset + length) of the file, in one range request
  // pinned to the version that was validated (NETWORK_OBJECT_CHANGED if the
  // file was replaced). Beyond the file size is INVALID_ARGUMENT; more than
  // max_bytes is NETWORK_BODY_TOO_LARGE (checked before any allocation).
  // Safe to call from several threads (requests are serialised).
  [[nodiscard]] Result<std::vector<std::uint8_t>> read(std::uint64_t offset, std::uint64_t length) const noexcept;
  // One tensor's bytes (TENSOR_NOT_FOUND for an unknown name).
  [[nodiscard]] Result<std::vector<std::uint8_t>> read_tensor(std::string_view name) const noexcept;
  // A slice of one tensor (slice.hpp), fetched as the one byte span that
  // covers every selected range, then gathered.
  [[nodiscard]] Result<RemoteSlice> read_slice(std::string_view name, std::span<const SliceIndex> spec) const noexcept;

 private:
  friend struct stguard::ResultPoison<RemoteFile>;
  explicit RemoteFile(std::unique_ptr<State> state) noexcept;
};

// A remote file's bytes, not judged: for callers that judge them
// themselves (st-audit, whose audit parses with its own profiles and also
// looks at invalid files). open() makes the requests RemoteFile::open makes
// (the first range, and the rest of the header when it is longer than the
// read-ahead; `framing` bounds N exactly as validation would) and keeps
// those leading bytes; an invalid file is not an error here.
class RemoteObject : public RemoteSource {
 public:
  [[nodiscard]] static Result<RemoteObject> open(const std::string& url, const Options& framing = Options::strict(),
                                                 const RemoteOptions& remote = {}) noexcept;

  // Fills `out` with the bytes at [offset, offset + out.size()): from the
  // leading bytes when they hold them all, else in one range request pinned
  // to the version open() saw (NETWORK_OBJECT_CHANGED if the file was
  // replaced), like RemoteFile::read. Safe to call from several threads.
  [[nodiscard]] Status read_into(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept;

 private:
  friend struct stguard::ResultPoison<RemoteObject>;
  explicit RemoteObject(std::unique_ptr<State> state) noexcept;
};

// RemoteFile::open(url, validation, remote), keeping only the verdict.
[[nodiscard]] Result<Header> validate_url(const std::string& url, const Options& validation = Options::strict(),
                                          const RemoteOptions& remote = {}) noexcept;

// A sharded checkpoint behind a URL: the index (at most
// options.limits.max_index_bytes, else INDEX_INVALID_JSON) and every shard it
// names, resolved against `index_url` as a relative link ("model-00001-of-
// 00030.safetensors" next to the index), validated with `connections`
// transfers at once, and cross-checked exactly as check_shard_index does (the
// same first error for the same set). A shard that cannot be fetched is its
// NETWORK_* error (message naming the shard), not INDEX_SHARD_INVALID.
[[nodiscard]] Result<CheckedShardSet> check_shard_index_url(const std::string& index_url,
                                                            const ShardCheckOptions& options = {},
                                                            const RemoteOptions& remote = {},
                                                            unsigned connections = 8) noexcept;

}  // namespace stguard::remote

namespace stguard {
// A failed RemoteFile::open dereferences to a file whose every read fails
// with the original error (see Result in error.hpp).
template <>
struct ResultPoison<remote::RemoteFile> {
  [[nodiscard]] static remote::RemoteFile make(const Error& why) noexcept;
};
template <>
struct ResultPoison<remote::RemoteObject> {
  [[nodiscard]] static remote::RemoteObject make(const Error& why) noexcept;
};
}  // namespace stguard
