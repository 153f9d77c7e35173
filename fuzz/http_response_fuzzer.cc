// http_response: the remote layer's response parser (lib/src/remote/
// http_response.hpp), which judges what a server answers a range request
// with: header lines, Content-Range, Content-Length, encodings, validators,
// then body chunks.
//
// Input: 16 parameter bytes, then header lines separated by '\n' up to an
// empty line, then the body, cut into chunks whose sizes cycle through the
// parameter bytes. Parameters: byte 0 flags (bit 0 whole body allowed, bit 1
// pinned to a version, bit 2 small budget, bit 3 transfer completed), bytes
// 1-4 the range's first byte, 5-8 its length, 9-15 chunk sizes.
// Properties: only documented codes; the body accepted never exceeds the
// budget, nor (206) the range; an accepted 206 is exactly the range asked
// for, cut at the end of the file; a pinned answer that succeeds shows the
// pinned size; a finished 206 delivered every byte of its range; every
// Content-Range accepted prints back to itself; same input, same verdict.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "remote/http_response.hpp"

namespace {

using stguard::ErrorCode;
using stguard::remote::detail::ContentRange;
using stguard::remote::detail::ObjectVersion;
using stguard::remote::detail::RangeRequest;
using stguard::remote::detail::ResponseParser;

constexpr std::size_t kParameterBytes = 16;

std::uint32_t load_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

bool documented(ErrorCode code) {
  const auto number = static_cast<unsigned>(code);
  return (number >= 1101 && number <= 1112) || code == ErrorCode::out_of_memory;
}

struct Outcome {
  bool ok = false;
  ErrorCode code = ErrorCode::internal_error;
  std::string message;
  std::uint64_t accepted = 0;
  int status = 0;
};

Outcome run(const RangeRequest& request, std::span<const std::uint8_t> params, std::string_view head,
            std::span<const std::uint8_t> body, bool completed) {
  ResponseParser parser(request);
  bool stopped = false;
  std::size_t start = 0;
  while (!stopped) {
    const std::size_t end = head.find('\n', start);
    const std::string_view line = head.substr(start, end == std::string_view::npos ? head.size() - start : end - start);
    if (!parser.on_header_line(line)) stopped = true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (!stopped && !parser.head_done()) stopped = !parser.on_header_line("\r\n");
  Outcome outcome;
  std::size_t at = 0;
  for (std::size_t turn = 0; !stopped && at < body.size(); ++turn) {
    const std::size_t size = std::min<std::size_t>(body.size() - at, 1 + params[9 + turn % 7] * 3u);
    const auto chunk = body.subspan(at, size);
    std::span<const std::uint8_t> accepted;
    if (!parser.on_body(chunk, accepted)) break;
    FUZZ_CHECK(accepted.data() == chunk.data() && accepted.size() == chunk.size());
    outcome.accepted += accepted.size();
    at += size;
  }
  FUZZ_CHECK(outcome.accepted == parser.body_bytes());
  FUZZ_CHECK(outcome.accepted <= request.body_budget);
  const auto verdict = parser.finish(completed, parser.redirect());
  outcome.ok = verdict.ok();
  outcome.status = parser.head().status;
  if (!verdict.ok()) {
    outcome.code = verdict.error().code;
    outcome.message = verdict.error().message;
    FUZZ_CHECK(documented(outcome.code));
    return outcome;
  }
  if (parser.redirect()) {
    FUZZ_CHECK(!parser.head().location.empty());
    return outcome;
  }
  FUZZ_CHECK(parser.head_done());
  if (outcome.status == 206) {
    const auto& range = parser.head().content_range;
    FUZZ_CHECK(range.has_value());
    FUZZ_CHECK(range->first == request.first && range->last <= request.last);
    FUZZ_CHECK(range->last == request.last || range->last == range->complete_length - 1);
    FUZZ_CHECK(parser.body_offset() == request.first);
    FUZZ_CHECK(outcome.accepted == range->last - range->first + 1);
  } else {
    FUZZ_CHECK(outcome.status == 200 || outcome.status == 416);
    FUZZ_CHECK(request.pin == nullptr && request.whole_body_allowed);
  }
  if (request.pin != nullptr) FUZZ_CHECK(parser.file_size() == request.pin->size);
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kParameterBytes) return 0;
  const std::span<const std::uint8_t> params(data, kParameterBytes);
  const std::string_view rest(reinterpret_cast<const char*>(data + kParameterBytes), size - kParameterBytes);
  // The head ends at the first empty line; what follows is the body.
  std::size_t head_end = rest.find("\n\n");
  const std::string_view head = rest.substr(0, head_end == std::string_view::npos ? rest.size() : head_end + 1);
  const std::size_t body_start = head_end == std::string_view::npos ? rest.size() : head_end + 2;
  const auto body = std::span<const std::uint8_t>(data + kParameterBytes + body_start, rest.size() - body_start);

  const ObjectVersion pin{"\"v1\"", "Tue, 01 Dec 2026 10:00:00 GMT", 100'000};
  RangeRequest request;
  request.whole_body_allowed = (params[0] & 1) != 0;
  request.pin = (params[0] & 2) != 0 ? &pin : nullptr;
  request.body_budget = (params[0] & 4) != 0 ? 64 : 1u << 20;
  request.first = request.whole_body_allowed ? 0 : load_u32(params.data() + 1);
  request.last = request.first + load_u32(params.data() + 5) % (1u << 20);
  const bool completed = (params[0] & 8) != 0;

  const Outcome first = run(request, params, head, body, completed);
  const Outcome again = run(request, params, head, body, completed);
  FUZZ_CHECK(first.ok == again.ok && first.code == again.code && first.message == again.message &&
             first.accepted == again.accepted);

  // Content-Range on its own: an accepted value prints back to itself.
  const std::string_view line = head.substr(0, std::min<std::size_t>(head.find('\n'), head.size()));
  if (const auto range = stguard::remote::detail::parse_content_range(line)) {
    FUZZ_CHECK(range->first <= range->last && range->last < range->complete_length);
    const std::string printed = "bytes " + std::to_string(range->first) + "-" + std::to_string(range->last) + "/" +
                                std::to_string(range->complete_length);
    const auto reparsed = stguard::remote::detail::parse_content_range(printed);
    FUZZ_CHECK(reparsed && reparsed->first == range->first && reparsed->last == range->last &&
               reparsed->complete_length == range->complete_length);
  }
  return 0;
}
