// Connection over libcurl (transport.hpp): request options, the header and
// body callbacks feeding ResponseParser, redirects, and libcurl's errors as
// NETWORK_* codes.
#include "remote/transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <mutex>
#include <new>
#include <vector>

namespace stguard::remote::detail {
namespace {

constexpr const char* kUserAgent = "stguard/0.1";
constexpr const char* kAllowedProtocols = "http,https";

void initialise_libcurl_once() {
  // curl_global_init is not thread-safe everywhere: call it exactly once.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct UrlHandle {
  CURLU* handle = curl_url();
  UrlHandle() = default;
  UrlHandle(const UrlHandle&) = delete;
  UrlHandle& operator=(const UrlHandle&) = delete;
  ~UrlHandle() { curl_url_cleanup(handle); }

  [[nodiscard]] std::optional<std::string> get(CURLUPart part, unsigned flags = 0) const {
    char* text = nullptr;
    if (handle == nullptr || curl_url_get(handle, part, &text, flags) != CURLUE_OK || text == nullptr) {
      return std::nullopt;
    }
    std::string value(text);
    curl_free(text);
    return value;
  }
};

struct ParsedUrl {
  std::string url;     // normalised by libcurl
  std::string scheme;  // lowercase
  std::string origin;  // scheme://host:port
};

std::optional<ParsedUrl> parse_url(const UrlHandle& url) {
  auto full = url.get(CURLUPART_URL);
  auto scheme = url.get(CURLUPART_SCHEME);
  auto host = url.get(CURLUPART_HOST);
  auto port = url.get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!full || !scheme || !host || !port) return std::nullopt;
  std::string lowered;
  for (const char c : *scheme) lowered.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return ParsedUrl{*full, lowered, lowered + "://" + *host + ":" + *port};
}

Result<ParsedUrl> parse_request_url(const std::string& text) {
  if (!is_remote_url(text)) {
    return make_error(ErrorCode::invalid_argument, "only http:// and https:// URLs can be validated remotely");
  }
  UrlHandle url;
  if (url.handle == nullptr) return out_of_memory_error();
  if (curl_url_set(url.handle, CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return make_error(ErrorCode::invalid_argument, "the URL is malformed");
  }
  auto parsed = parse_url(url);
  if (!parsed) return make_error(ErrorCode::invalid_argument, "the URL is malformed");
  return *parsed;
}

bool header_text_is_safe(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Headers the range protocol itself sets: a caller's copy would change
// what the answers mean.
bool reserved_header(std::string_view name) {
  static constexpr std::string_view kReserved[] = {"range", "if-range", "if-match", "if-unmodified-since",
                                                   "accept-encoding"};
  std::string lowered;
  for (const char c : name) lowered.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return std::find(std::begin(kReserved), std::end(kReserved), lowered) != std::end(kReserved);
}

Status check_header(const std::string& header) {
  const std::size_t colon = header.find(':');
  const auto token_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  };
  if (colon == std::string::npos || colon == 0 ||
      !std::all_of(header.begin(), header.begin() + static_cast<std::ptrdiff_t>(colon), token_char)) {
    return make_error(ErrorCode::invalid_argument, "a request header must be 'Name: value'");
  }
  if (!header_text_is_safe(header)) {
    return make_error(ErrorCode::invalid_argument, "a request header holds CR, LF or NUL");
  }
  if (reserved_header(std::string_view(header).substr(0, colon))) {
    return make_error(ErrorCode::invalid_argument,
                      "request header " + header.substr(0, colon) + " is set by stguard itself and cannot be given");
  }
  return {};
}

struct HeaderList {
  curl_slist* list = nullptr;
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { curl_slist_free_all(list); }
  bool add(const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) return false;
    list = grown;
    return true;
  }
};

// Removes every occurrence of each secret from a message (libcurl's error
// texts never hold them, but a message is printed, so make sure).
std::string scrub(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;
    for (std::size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
      message.replace(at, secret.size(), "REDACTED");
    }
  }
  return message;
}

}  // namespace

ErrorCode error_code_for_curl(int curl_result) noexcept {
  // Each code and the libcurl results that mean it; everything else (a
  // partial file, a weird reply, nothing received, send/receive errors,
  // HTTP/2 framing) is a protocol error.
  struct Meaning {
    ErrorCode code;
    std::initializer_list<CURLcode> results;
  };
  static const Meaning kMeanings[] = {
      {ErrorCode::network_dns, {CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY}},
      {ErrorCode::network_connect, {CURLE_COULDNT_CONNECT}},
      {ErrorCode::network_timeout, {CURLE_OPERATION_TIMEDOUT}},
      {ErrorCode::network_tls,
       {CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
        CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
        CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
        CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED}},
      {ErrorCode::network_too_many_redirects, {CURLE_TOO_MANY_REDIRECTS}},
      {ErrorCode::network_body_too_large, {CURLE_FILESIZE_EXCEEDED}},
      {ErrorCode::network_range_not_honoured, {CURLE_RANGE_ERROR}},
      {ErrorCode::network_encoding_refused, {CURLE_BAD_CONTENT_ENCODING}},
      {ErrorCode::out_of_memory, {CURLE_OUT_OF_MEMORY}},
      {ErrorCode::invalid_argument, {CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT}},
  };
  for (const Meaning& meaning : kMeanings) {
    for (const CURLcode result : meaning.results) {
      if (static_cast<int>(result) == curl_result) return meaning.code;
    }
  }
  return ErrorCode::network_protocol;
}

struct Connection::Impl {
  CURL* easy = nullptr;
  RemoteOptions options;
  ParsedUrl origin_url;   // the URL given: its origin receives the credentials
  ParsedUrl current;      // where the next request goes (the last URL that answered)
  std::vector<std::string> credential_headers;  // options.headers, plus the token's Authorization
  std::vector<std::string> secrets;             // values never to print
  char error_text[CURL_ERROR_SIZE] = {};

  ~Impl() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }

  // Per-transfer state the callbacks see.
  struct Transfer {
    ResponseParser* parser = nullptr;
    BodyConsumer* consumer = nullptr;
    bool stopped_early = false;
  };

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t length = size * count;
    if (transfer->parser->on_header_line(std::string_view(data, length))) return length;
    if (transfer->parser->redirect()) transfer->stopped_early = true;
    return 0;  // stops the transfer (CURLE_WRITE_ERROR)
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t length = size * count;
    if (length == 0) return 0;
    std::span<const std::uint8_t> accepted;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): libcurl hands bytes as char.
    const std::span<const std::uint8_t> chunk(reinterpret_cast<const std::uint8_t*>(data), length);
    if (!transfer->parser->on_body(chunk, accepted)) return 0;
    const std::uint64_t offset = transfer->parser->body_offset() + transfer->parser->body_bytes() - accepted.size();
    bool more = false;
    try {
      more = transfer->consumer->take(offset, accepted, transfer->parser->file_size());
    } catch (...) {
      return 0;  // a consumer that cannot store the bytes ends the transfer; finish() reports it
    }
    if (!more) {
      transfer->stopped_early = true;
      return 0;
    }
    return length;
  }

  Status configure(const RangeRequest& request, Clock::time_point deadline, HeaderList& headers, Transfer& transfer) {
    curl_easy_reset(easy);
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining <= 0) return make_error(ErrorCode::network_timeout, "the total timeout expired");
    const bool same_origin = current.origin == origin_url.origin;
    std::string range = "Range: bytes=" + std::to_string(request.first) + "-" + std::to_string(request.last);
    bool ok = headers.add(range) && headers.add("Accept-Encoding: identity");
    if (const ObjectVersion* pin = request.pin) {
      if (pin->has_strong_etag()) {
        ok = ok && headers.add("If-Match: " + pin->etag) && headers.add("If-Range: " + pin->etag);
      } else if (!pin->last_modified.empty()) {
        ok = ok && headers.add("If-Unmodified-Since: " + pin->last_modified) &&
             headers.add("If-Range: " + pin->last_modified);
      }
    }
    if (same_origin) {
      for (const std::string& header : credential_headers) ok = ok && headers.add(header);
    }
    if (!ok) return out_of_memory_error();
    const long connect_ms = static_cast<long>(std::max<std::int64_t>(1, options.connect_timeout.count()));
    CURLcode set = CURLE_OK;
    const auto opt = [&](CURLoption option, auto value) {
      if (set == CURLE_OK) set = curl_easy_setopt(easy, option, value);
    };
    opt(CURLOPT_URL, current.url.c_str());
    opt(CURLOPT_PROTOCOLS_STR, kAllowedProtocols);
    opt(CURLOPT_REDIR_PROTOCOLS_STR, kAllowedProtocols);
    opt(CURLOPT_FOLLOWLOCATION, 0L);
    opt(CURLOPT_UNRESTRICTED_AUTH, 0L);
    opt(CURLOPT_NOSIGNAL, 1L);
    opt(CURLOPT_HTTPGET, 1L);
    opt(CURLOPT_HTTPHEADER, headers.list);
    opt(CURLOPT_USERAGENT, kUserAgent);
    opt(CURLOPT_HTTP_CONTENT_DECODING, 0L);
    opt(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    opt(CURLOPT_SSL_VERIFYPEER, 1L);
    opt(CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) opt(CURLOPT_CAINFO, options.ca_file.c_str());
    opt(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    opt(CURLOPT_TIMEOUT_MS, static_cast<long>(remaining));
    if (options.low_speed_bytes > 0) {
      opt(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(std::min<std::uint64_t>(options.low_speed_bytes, 1u << 30)));
      opt(CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::max<std::int64_t>(1, options.low_speed_time.count())));
    }
    opt(CURLOPT_HEADERFUNCTION, &Impl::on_header);
    opt(CURLOPT_HEADERDATA, &transfer);
    opt(CURLOPT_WRITEFUNCTION, &Impl::on_body);
    opt(CURLOPT_WRITEDATA, &transfer);
    error_text[0] = '\0';
    opt(CURLOPT_ERRORBUFFER, error_text);
    if (set != CURLE_OK) {
      return make_error(ErrorCode::internal_error, std::string("libcurl refused an option: ") + curl_easy_strerror(set));
    }
    return {};
  }

  // The URL a redirect names, checked against the rules (transport.hpp).
  Result<ParsedUrl> follow(const std::string& location) {
    UrlHandle url;
    if (url.handle == nullptr) return out_of_memory_error();
    if (curl_url_set(url.handle, CURLUPART_URL, current.url.c_str(), 0) != CURLUE_OK ||
        curl_url_set(url.handle, CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) {
      return make_error(ErrorCode::network_redirect_refused, "a redirect's Location is not a usable URL");
    }
    auto next = parse_url(url);
    if (!next) return make_error(ErrorCode::network_redirect_refused, "a redirect's Location is not a usable URL");
    if (next->scheme != "http" && next->scheme != "https") {
      return make_error(ErrorCode::network_redirect_refused, "a redirect to a scheme other than http or https");
    }
    if (current.scheme == "https" && next->scheme == "http") {
      return make_error(ErrorCode::network_redirect_refused,
                        "a redirect from https to http (to " + redact_url(next->url) + ")");
    }
    return *next;
  }

  Result<Exchange> get(const RangeRequest& request, BodyConsumer& consumer, Clock::time_point deadline,
                       TransferStats& stats) {
    for (unsigned hop = 0;; ++hop) {
      ResponseParser parser(request);
      Transfer transfer{&parser, &consumer, false};
      HeaderList headers;
      if (Status status = configure(request, deadline, headers, transfer); !status) return status.error();
      const CURLcode result = curl_easy_perform(easy);
      ++stats.requests;
      stats.body_bytes += parser.body_bytes();
      if (parser.redirect()) {
        if (hop >= options.max_redirects) {
          return make_error(ErrorCode::network_too_many_redirects,
                            "more than " + std::to_string(options.max_redirects) + " redirects");
        }
        auto next = follow(parser.head().location);
        if (!next) return std::move(next).error();
        current = std::move(next).value();
        ++stats.redirects;
        continue;
      }
      if (parser.error()) return *parser.error();
      if (result != CURLE_OK && !transfer.stopped_early) {
        const std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(result);
        return make_error(error_code_for_curl(result), scrub(detail, secrets));
      }
      if (Status status = parser.finish(result == CURLE_OK, transfer.stopped_early); !status) return status.error();
      Exchange exchange;
      exchange.status = parser.head().status;
      exchange.file_size = parser.file_size().value_or(parser.body_bytes());
      exchange.version = parser.version();
      exchange.version.size = exchange.file_size;
      exchange.stopped_early = transfer.stopped_early;
      return exchange;
    }
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::create(const std::string& url, const RemoteOptions& options) {
  initialise_libcurl_once();
  auto parsed = parse_request_url(url);
  if (!parsed) return std::move(parsed).error();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->origin_url = *parsed;
  impl->current = *parsed;
  for (const std::string& header : options.headers) {
    if (Status status = check_header(header); !status) return status.error();
    impl->credential_headers.push_back(header);
    const std::size_t colon = header.find(':');
    impl->secrets.push_back(header.substr(colon + 1));
    // The value as sent (leading blanks trimmed) too.
    const std::size_t value = header.find_first_not_of(" \t", colon + 1);
    if (value != std::string::npos) impl->secrets.push_back(header.substr(value));
  }
  if (!options.token_env.empty()) {
    const char* token = std::getenv(options.token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return make_error(ErrorCode::invalid_argument,
                        "the token variable " + (header_text_is_safe(options.token_env) ? options.token_env : "") +
                            " is unset or empty");
    }
    const std::string value(token);
    if (!header_text_is_safe(value)) {
      return make_error(ErrorCode::invalid_argument, "the token variable holds CR, LF or NUL");
    }
    impl->credential_headers.push_back("Authorization: Bearer " + value);
    impl->secrets.push_back(value);
  }
  impl->easy = curl_easy_init();
  if (impl->easy == nullptr) return make_error(ErrorCode::out_of_memory, "libcurl could not create a handle");
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Result<Exchange> Connection::get(const RangeRequest& request, BodyConsumer& consumer, Clock::time_point deadline,
                                 TransferStats& stats) {
  return impl_->get(request, consumer, deadline, stats);
}

Result<std::string> resolve_file_name(const std::string& base, std::string_view name) {
  std::string encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
    if (unreserved) {
      encoded.push_back(c);
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 0xf]);
    }
  }
  if (encoded.empty() || encoded == "." || encoded == "..") {
    return make_error(ErrorCode::invalid_argument, "a file name to resolve against a URL is empty, . or ..");
  }
  initialise_libcurl_once();
  UrlHandle url;
  if (url.handle == nullptr) return out_of_memory_error();
  if (curl_url_set(url.handle, CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(url.handle, CURLUPART_URL, encoded.c_str(), 0) != CURLUE_OK) {
    return make_error(ErrorCode::invalid_argument, "the URL is malformed");
  }
  auto resolved = url.get(CURLUPART_URL);
  if (!resolved) return make_error(ErrorCode::invalid_argument, "the URL is malformed");
  return *resolved;
}

}  // namespace stguard::remote::detail
