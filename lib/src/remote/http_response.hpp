// ResponseParser: judges one HTTP response to a range request, header line by
// header line and body chunk by body chunk, as libcurl delivers them.
//
// It is the remote layer's only reader of what a server sends besides the
// file bytes themselves (which go to validate_prefix), and it has no I/O and
// no libcurl in it, so it is fuzzed on its own (fuzz/http_response_fuzzer.cc).
// Every number (status, Content-Length, Content-Range) is parsed as plain
// decimal digits with overflow checks; every value kept is bounded in length
// and printable ASCII (an ETag is sent back in If-Match, a Location is
// followed). The verdict is a Status with a NETWORK_* code: a response that
// is not exactly what the request allows is refused, never guessed at.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "stguard/error.hpp"

namespace stguard::remote::detail {

// "bytes FIRST-LAST/COMPLETE" (RFC 9110 14.4) with FIRST <= LAST < COMPLETE.
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t complete_length = 0;
};
[[nodiscard]] std::optional<ContentRange> parse_content_range(std::string_view value) noexcept;
// "bytes */COMPLETE", the form of a 416 answer.
[[nodiscard]] std::optional<std::uint64_t> parse_unsatisfied_range(std::string_view value) noexcept;
// One or more ASCII digits, no sign, no spaces, at most 2^64 - 1.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept;

// The version of the file the first answer described: later requests are
// pinned to it and their answers checked against it.
struct ObjectVersion {
  std::string etag;           // as sent, quotes and W/ included; empty when none
  std::string last_modified;  // as sent; empty when none
  std::uint64_t size = 0;
  [[nodiscard]] bool has_strong_etag() const noexcept { return !etag.empty() && etag.rfind("W/", 0) != 0; }
};

// What one request asked for.
struct RangeRequest {
  std::uint64_t first = 0;
  std::uint64_t last = 0;                // inclusive
  bool whole_body_allowed = false;       // first request: a 200 with the whole file is read as far as needed
  const ObjectVersion* pin = nullptr;    // later requests: the version they must still see
  std::uint64_t body_budget = 0;         // body bytes this response may deliver
};

struct ResponseHead {
  int status = 0;
  std::optional<ContentRange> content_range;
  std::optional<std::uint64_t> unsatisfied_length;  // 416: "bytes */N"
  std::optional<std::uint64_t> content_length;
  std::string content_encoding;  // lowercase, trimmed; empty when absent
  std::string etag;
  std::string last_modified;
  std::string location;
};

class ResponseParser {
 public:
  explicit ResponseParser(const RangeRequest& request) noexcept : request_(request) {}

  // One header line as libcurl hands it: a status line, a field, or the empty
  // line that ends a head (CR LF included or not). False: stop the transfer
  // (redirect() or an error; see finish()).
  bool on_header_line(std::string_view line) noexcept;

  // One body chunk. On true, `accepted` is the chunk (file bytes starting at
  // body_offset() + body_bytes() before the call). False: stop (an error).
  bool on_body(std::span<const std::uint8_t> chunk, std::span<const std::uint8_t>& accepted) noexcept;

  // True once the head of the final response is complete and judged.
  [[nodiscard]] bool head_done() const noexcept { return head_done_; }
  // A redirect: the head was complete and carried a usable Location.
  [[nodiscard]] bool redirect() const noexcept { return redirect_; }
  [[nodiscard]] const ResponseHead& head() const noexcept { return head_; }
  // File offset of the first body byte: the range's first byte (206), 0 (200).
  [[nodiscard]] std::uint64_t body_offset() const noexcept { return body_offset_; }
  [[nodiscard]] std::uint64_t body_bytes() const noexcept { return body_bytes_; }
  // The file size the answer states, once the head is done (nullopt for a
  // 200 without Content-Length until the body has ended).
  [[nodiscard]] std::optional<std::uint64_t> file_size() const noexcept { return file_size_; }
  // The version this answer describes (for pinning later requests).
  [[nodiscard]] ObjectVersion version() const;

  // The verdict once the transfer is over. `completed`: the transport
  // delivered the whole response; `stopped_early`: the caller stopped it on
  // purpose (it had the bytes it needed, or this is a redirect). A false
  // `completed` without either is reported by the transport (its own error).
  [[nodiscard]] Status finish(bool completed, bool stopped_early);
  // An error already decided by a header line or a chunk.
  [[nodiscard]] const std::optional<Error>& error() const noexcept { return error_; }

 private:
  bool fail(ErrorCode code, std::string message);
  bool on_status_line(std::string_view line);
  bool on_field(std::string_view name, std::string_view value);
  bool on_head_end();
  bool judge_partial();
  bool judge_whole();
  bool check_version();

  RangeRequest request_;
  ResponseHead head_;
  std::optional<Error> error_;
  std::optional<std::uint64_t> file_size_;
  std::uint64_t body_offset_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::uint64_t expected_body_ = 0;  // exact body length when known (206, or 200 with Content-Length)
  bool expected_known_ = false;
  bool seen_status_ = false;
  bool head_done_ = false;
  bool redirect_ = false;
};

}  // namespace stguard::remote::detail
