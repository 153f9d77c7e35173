// Connection: one libcurl easy handle bound to one remote file, sending GET
// range requests and judging the answers with ResponseParser.
//
// Redirects are followed here, not by libcurl, so the rules are ours: at
// most max_redirects, only to http/https, never from https to http, and the
// caller's headers and token only ever go to the origin (scheme, host, port)
// of the URL given: a redirect to another origin drops them. Once a request
// has been answered, the next goes straight to the URL that answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "remote/http_response.hpp"
#include "stguard/error.hpp"
#include "stguard/remote.hpp"

namespace stguard::remote::detail {

using Clock = std::chrono::steady_clock;

// Where the bytes of a response body go.
class BodyConsumer {
 public:
  virtual ~BodyConsumer() = default;
  // `bytes` are the file's bytes at `offset`; `file_size` is the size the
  // answer states, when it states one. False: no more are needed (the
  // transfer is stopped, which is not an error).
  virtual bool take(std::uint64_t offset, std::span<const std::uint8_t> bytes,
                    std::optional<std::uint64_t> file_size) = 0;
};

// What a completed request established.
struct Exchange {
  int status = 0;
  std::uint64_t file_size = 0;
  ObjectVersion version;
  bool stopped_early = false;
};

class Connection {
 public:
  // Checks the URL (http/https only), the extra headers and the token
  // variable: INVALID_ARGUMENT when one is unusable.
  [[nodiscard]] static Result<std::unique_ptr<Connection>> create(const std::string& url, const RemoteOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One range request (and its redirects), its body handed to `consumer`.
  [[nodiscard]] Result<Exchange> get(const RangeRequest& request, BodyConsumer& consumer, Clock::time_point deadline,
                                     TransferStats& stats);

  struct Impl;

 private:
  explicit Connection(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

// What a body collector throws for bytes it cannot store where they belong
// (a non-contiguous body, bytes outside the range asked for): its own type,
// so that no other exception is blamed on the server.
struct BodyRefused {};

// The one guard of the library's entry points (RemoteFile, RemoteObject,
// check_shard_index_url): a body a collector refuses (BodyRefused) is
// one the parser should have refused, NETWORK_PROTOCOL; every other
// exception is what stguard::detail::without_exceptions makes of it
// (OUT_OF_MEMORY for memory, INTERNAL_ERROR otherwise).
template <typename Body>
auto guarded_entry(Body&& body) noexcept -> decltype(body()) {
  return stguard::detail::without_exceptions([&]() -> decltype(body()) {
    try {
      return body();
    } catch (const BodyRefused&) {
      return make_error(ErrorCode::network_protocol, "the response body could not be stored as received");
    }
  });
}

// The NETWORK_* code (or INVALID_ARGUMENT, OUT_OF_MEMORY) for a libcurl
// result code (a CURLcode, passed as int so this header needs no curl.h).
// Unit-tested: the DNS failure cannot be provoked on loopback alone.
[[nodiscard]] ErrorCode error_code_for_curl(int curl_result) noexcept;

// `relative` (a file name such as a shard's) resolved against `base`, as a
// browser would resolve a link, after percent-encoding every byte of it that
// is not unreserved (so "a b#c" stays a name, never a fragment).
[[nodiscard]] Result<std::string> resolve_file_name(const std::string& base, std::string_view name);

}  // namespace stguard::remote::detail
