// ResponseParser: the checks a range response must pass (http_response.hpp).
#include "remote/http_response.hpp"

#include <algorithm>
#include <new>

namespace stguard::remote::detail {
namespace {

// Longest field value kept (an ETag, a date, a Location): longer is refused.
constexpr std::size_t kMaxKeptValue = 8192;

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// Visible ASCII and spaces only: such a value can be echoed in a request
// header or printed without escaping.
bool printable_ascii(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool is_redirect(int status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// "bytes" then one space: the only unit a range request asks for.
bool strip_bytes_unit(std::string_view& value) noexcept {
  constexpr std::string_view kUnit = "bytes ";
  if (value.size() < kUnit.size() || !equals_ignoring_case(value.substr(0, kUnit.size()), kUnit)) return false;
  value.remove_prefix(kUnit.size());
  return true;
}

}  // namespace

std::optional<std::uint64_t> parse_decimal(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (~std::uint64_t{0} - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<ContentRange> parse_content_range(std::string_view value) noexcept {
  value = trim(value);
  if (!strip_bytes_unit(value)) return std::nullopt;
  const std::size_t dash = value.find('-');
  const std::size_t slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) return std::nullopt;
  const auto first = parse_decimal(value.substr(0, dash));
  const auto last = parse_decimal(value.substr(dash + 1, slash - dash - 1));
  const auto complete = parse_decimal(value.substr(slash + 1));
  if (!first || !last || !complete || *first > *last || *last >= *complete) return std::nullopt;
  return ContentRange{*first, *last, *complete};
}

std::optional<std::uint64_t> parse_unsatisfied_range(std::string_view value) noexcept {
  value = trim(value);
  if (!strip_bytes_unit(value) || value.substr(0, 2) != "*/") return std::nullopt;
  return parse_decimal(value.substr(2));
}

ObjectVersion ResponseParser::version() const {
  return ObjectVersion{head_.etag, head_.last_modified, file_size_.value_or(0)};
}

bool ResponseParser::fail(ErrorCode code, std::string message) {
  if (!error_) {
    try {
      error_ = make_error(code, std::move(message));
    } catch (const std::bad_alloc&) {
      error_.emplace();  // internal_error with no message: still a refusal
      error_->code = ErrorCode::out_of_memory;
    }
  }
  return false;
}

bool ResponseParser::on_header_line(std::string_view line) noexcept {
  try {
    if (error_ || redirect_) return false;
    if (head_done_) return fail(ErrorCode::network_protocol, "a header line arrived after the response head");
    const std::string_view content = trim(line);
    if (line.substr(0, 5) == "HTTP/") return on_status_line(content);
    if (!seen_status_) return fail(ErrorCode::network_protocol, "the response does not start with a status line");
    if (content.empty()) return on_head_end();
    const std::size_t colon = content.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return fail(ErrorCode::network_protocol, "a response header line is not 'Name: value'");
    }
    return on_field(content.substr(0, colon), trim(content.substr(colon + 1)));
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::out_of_memory, "out of memory while reading the response head");
  }
}

bool ResponseParser::on_status_line(std::string_view line) {
  // "HTTP/1.1 206 Partial Content", "HTTP/2 200": a new response starts (an
  // interim 1xx response may come first), so what came before is dropped.
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) {
    return fail(ErrorCode::network_protocol, "a malformed HTTP status line");
  }
  const std::string_view code = line.substr(space + 1, 3);
  const auto status = parse_decimal(code);
  if (!status || *status < 100 || *status > 599 || (line.size() > space + 4 && line[space + 4] != ' ')) {
    return fail(ErrorCode::network_protocol, "a malformed HTTP status line");
  }
  head_ = ResponseHead{};
  head_.status = static_cast<int>(*status);
  seen_status_ = true;
  return true;
}

bool ResponseParser::on_field(std::string_view name, std::string_view value) {
  const auto keep = [&](std::string& slot, ErrorCode code) {
    if (value.size() > kMaxKeptValue || !printable_ascii(value)) {
      return fail(code, "the response's " + std::string(name.size() <= 32 && printable_ascii(name) ? name : "header") +
                            " header is too long or not printable ASCII");
    }
    if (!slot.empty() && slot != value) {
      return fail(ErrorCode::network_protocol, "the response repeats a header with different values");
    }
    slot.assign(value);
    return true;
  };
  if (equals_ignoring_case(name, "content-length")) {
    const auto length = parse_decimal(value);
    if (!length) return fail(ErrorCode::network_protocol, "the response's Content-Length is not a number");
    if (head_.content_length && *head_.content_length != *length) {
      return fail(ErrorCode::network_protocol, "the response has two different Content-Length values");
    }
    head_.content_length = length;
  } else if (equals_ignoring_case(name, "content-range")) {
    if (head_.content_range || head_.unsatisfied_length) {
      return fail(ErrorCode::network_range_not_honoured, "the response has two Content-Range headers");
    }
    head_.content_range = parse_content_range(value);
    if (!head_.content_range) head_.unsatisfied_length = parse_unsatisfied_range(value);
    if (!head_.content_range && !head_.unsatisfied_length) {
      return fail(ErrorCode::network_range_not_honoured, "the response's Content-Range is malformed");
    }
  } else if (equals_ignoring_case(name, "content-encoding") || equals_ignoring_case(name, "transfer-encoding")) {
    // Transfer-Encoding: chunked is undone by libcurl; anything else would
    // hand over bytes that are not the file's.
    std::string coding;
    for (const char c : value) coding.push_back(lower(c));
    const bool chunked = equals_ignoring_case(name, "transfer-encoding") && coding == "chunked";
    if (!chunked && !coding.empty() && coding != "identity") {
      return fail(ErrorCode::network_encoding_refused,
                  "the server sent a " + std::string(equals_ignoring_case(name, "content-encoding") ? "Content" : "Transfer") +
                      "-Encoding other than identity" +
                      (coding.size() <= 32 && printable_ascii(coding) ? " (" + coding + ")" : std::string()) +
                      "; only the file's own bytes can be judged");
    }
    head_.content_encoding = coding;
  } else if (equals_ignoring_case(name, "etag")) {
    return keep(head_.etag, ErrorCode::network_protocol);
  } else if (equals_ignoring_case(name, "last-modified")) {
    return keep(head_.last_modified, ErrorCode::network_protocol);
  } else if (equals_ignoring_case(name, "location")) {
    return keep(head_.location, ErrorCode::network_redirect_refused);
  }
  return true;
}

bool ResponseParser::on_head_end() {
  if (head_.status < 200) {
    seen_status_ = false;  // an interim response: the final one follows
    return true;
  }
  head_done_ = true;
  const int status = head_.status;
  if (is_redirect(status)) {
    if (head_.location.empty()) {
      return fail(ErrorCode::network_redirect_refused, "a redirect (HTTP " + std::to_string(status) + ") without Location");
    }
    redirect_ = true;
    return false;  // the body of a redirect is not read
  }
  if (request_.pin != nullptr && status == 412) {
    return fail(ErrorCode::network_object_changed,
                "the remote file changed since the first request (HTTP 412: its ETag no longer matches)");
  }
  if (status == 206) return judge_partial();
  if (status == 200) return judge_whole();
  if (status == 416 && request_.whole_body_allowed && request_.first == 0 && head_.unsatisfied_length &&
      *head_.unsatisfied_length == 0) {
    // Range 0-... of an empty file: it has no byte 0. The verdict is FILE_TOO_SMALL.
    file_size_ = 0;
    expected_known_ = true;
    return check_version();
  }
  if (status >= 400) {
    return fail(ErrorCode::network_http_status, "the server answered HTTP " + std::to_string(status));
  }
  return fail(ErrorCode::network_http_status,
              "the server answered HTTP " + std::to_string(status) + ", not 200 or 206, to a range request");
}

bool ResponseParser::judge_partial() {
  if (!head_.content_range) {
    return fail(ErrorCode::network_range_not_honoured, "a 206 answer without a byte Content-Range");
  }
  const ContentRange& range = *head_.content_range;
  const std::uint64_t asked_last = request_.last;
  // The range asked for, cut at the end of the file: nothing else is valid.
  const std::uint64_t due_last = std::min(asked_last, range.complete_length - 1);
  if (range.first != request_.first || range.last != due_last) {
    return fail(ErrorCode::network_range_not_honoured,
                "the server sent bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                    std::to_string(range.complete_length) + " for a request of bytes " +
                    std::to_string(request_.first) + "-" + std::to_string(asked_last));
  }
  expected_body_ = range.last - range.first + 1;
  expected_known_ = true;
  if (head_.content_length && *head_.content_length != expected_body_) {
    return fail(ErrorCode::network_protocol, "the response's Content-Length (" + std::to_string(*head_.content_length) +
                                                 ") disagrees with its Content-Range (" +
                                                 std::to_string(expected_body_) + " bytes)");
  }
  if (expected_body_ > request_.body_budget) {
    return fail(ErrorCode::network_body_too_large, "the answer would exceed max_bytes");
  }
  body_offset_ = range.first;
  file_size_ = range.complete_length;
  return check_version();
}

bool ResponseParser::judge_whole() {
  if (request_.pin != nullptr) {
    // If-Range: the server sends the whole file when the version differs.
    return fail(ErrorCode::network_object_changed,
                "the remote file changed since the first request (the server sent the whole new file)");
  }
  if (!request_.whole_body_allowed || request_.first != 0) {
    return fail(ErrorCode::network_range_not_honoured, "the server ignored the Range header (HTTP 200)");
  }
  body_offset_ = 0;
  if (head_.content_length) {
    expected_body_ = *head_.content_length;
    expected_known_ = true;
    file_size_ = expected_body_;
  }
  return check_version();
}

bool ResponseParser::check_version() {
  const ObjectVersion* pin = request_.pin;
  if (pin == nullptr) return true;
  const bool etag_differs = !pin->etag.empty() && !head_.etag.empty() && pin->etag != head_.etag;
  const bool date_differs = pin->etag.empty() && !pin->last_modified.empty() && !head_.last_modified.empty() &&
                            pin->last_modified != head_.last_modified;
  const bool size_differs = file_size_ && *file_size_ != pin->size;
  if (etag_differs || date_differs || size_differs) {
    return fail(ErrorCode::network_object_changed,
                std::string("the remote file changed since the first request (its ") +
                    (etag_differs ? "ETag" : date_differs ? "Last-Modified date" : "size") + " differs)");
  }
  return true;
}

bool ResponseParser::on_body(std::span<const std::uint8_t> chunk, std::span<const std::uint8_t>& accepted) noexcept {
  try {
    accepted = {};
    if (error_ || redirect_) return false;
    if (!head_done_) return fail(ErrorCode::network_protocol, "body bytes arrived before the response head ended");
    const std::uint64_t size = chunk.size();
    if (expected_known_ && size > expected_body_ - body_bytes_) {
      return fail(ErrorCode::network_body_too_large,
                  "the server sent more than the " + std::to_string(expected_body_) + " bytes it announced");
    }
    if (size > request_.body_budget - std::min(body_bytes_, request_.body_budget)) {
      return fail(ErrorCode::network_body_too_large,
                  "the server sent more than max_bytes allows (" + std::to_string(request_.body_budget) + " bytes)");
    }
    body_bytes_ += size;
    accepted = chunk;
    return true;
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::out_of_memory, "out of memory while reading the response");
  }
}

Status ResponseParser::finish(bool completed, bool stopped_early) {
  if (error_) return *error_;
  if (stopped_early && head_done_) return {};
  if (!completed) return make_error(ErrorCode::network_protocol, "the transfer stopped before the response was complete");
  if (!head_done_) return make_error(ErrorCode::network_protocol, "the response ended before its head was complete");
  if (expected_known_ && body_bytes_ != expected_body_) {
    return make_error(ErrorCode::network_protocol, "the response ended after " + std::to_string(body_bytes_) + " of " +
                                                       std::to_string(expected_body_) + " announced bytes");
  }
  if (!file_size_) file_size_ = body_bytes_;  // a 200 without Content-Length: the body is the file
  return {};
}

}  // namespace stguard::remote::detail
