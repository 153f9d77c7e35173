// The parts of remote validation that need no server: URL recognition and
// redaction, Content-Range parsing, the response parser's verdicts on every
// kind of answer, and the refusal of unusable options before any request.
#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "remote/http_response.hpp"
#include "remote/transport.hpp"
#include "stguard/remote.hpp"
#include "support/run_tool.hpp"

using namespace stguard;
using namespace stguard::remote;
using remote::detail::ResponseParser;

namespace {

// A URL on the discard port: these tests must fail before any request.
const std::string kNeverContacted = "http://127.0.0.1:9/model.safetensors";

// Feeds a head (lines without CR LF) and a body; the parser's verdict.
struct Fed {
  Status status;
  std::uint64_t body = 0;
  bool stopped = false;
};

Fed feed(const remote::detail::RangeRequest& request, const std::vector<std::string>& head, const std::string& body = {},
         bool completed = true) {
  ResponseParser parser(request);
  Fed fed;
  for (const std::string& line : head) {
    if (!parser.on_header_line(line + "\r\n")) {
      fed.stopped = true;
      break;
    }
  }
  if (!fed.stopped && parser.on_header_line("\r\n") && !body.empty()) {
    std::span<const std::uint8_t> accepted;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(body.data());  // NOLINT
    if (!parser.on_body(std::span(bytes, body.size()), accepted)) fed.stopped = true;
    fed.body = accepted.size();
  }
  fed.status = parser.finish(completed, parser.redirect());
  return fed;
}

remote::detail::RangeRequest first_request() {
  remote::detail::RangeRequest request;
  request.first = 0;
  request.last = 99;
  request.whole_body_allowed = true;
  request.body_budget = 1000;
  return request;
}

ErrorCode code_of(const Status& status) { return status.error().code; }

}  // namespace

TEST_CASE("URL operands: http and https only are remote; other schemes are recognised to be refused",
          "[remote]") {
  CHECK(is_remote_url("http://host/x"));
  CHECK(is_remote_url("HTTPS://host/x"));
  CHECK_FALSE(is_remote_url("model.safetensors"));
  CHECK_FALSE(is_remote_url("ftp://host/x"));
  CHECK_FALSE(is_remote_url("http:/host"));
  CHECK(has_url_scheme("ftp://host/x"));
  CHECK(has_url_scheme("file:///etc/passwd"));
  CHECK(has_url_scheme("s3+x.y-z://b/k"));
  CHECK_FALSE(has_url_scheme("./ftp://x"));
  CHECK_FALSE(has_url_scheme("dir/model.safetensors"));
  CHECK_FALSE(has_url_scheme("://x"));
  CHECK_FALSE(has_url_scheme("1ftp://x"));

  auto refused = validate_url("ftp://127.0.0.1/model.safetensors");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::invalid_argument);
  refused = validate_url("file:///etc/passwd");
  CHECK(refused.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("redact_url hides credentials and token-like query values, and nothing else", "[remote]") {
  CHECK(redact_url("https://hub.example/m/model.safetensors") == "https://hub.example/m/model.safetensors");
  CHECK(redact_url("https://user:pa@ss@hub.example:8443/m?x=1") == "https://***@hub.example:8443/m?x=1");
  CHECK(redact_url("http://token@h/p") == "http://***@h/p");
  CHECK(redact_url("https://cdn.example/f?X-Amz-Signature=abc&X-Amz-Date=20260101&X-Amz-Credential=AK%2F1") ==
        "https://cdn.example/f?X-Amz-Signature=REDACTED&X-Amz-Date=20260101&X-Amz-Credential=REDACTED");
  CHECK(redact_url("https://h/f?access_token=s3cr3t#frag") == "https://h/f?access_token=REDACTED#frag");
  CHECK(redact_url("https://h/f?download=1;api_key=k&Policy=p&Key-Pair-Id=i&sig=z&password=pw") ==
        "https://h/f?download=1;api_key=REDACTED&Policy=REDACTED&Key-Pair-Id=REDACTED&sig=REDACTED&password=REDACTED");
  // An '@' in the path or query is not user information.
  CHECK(redact_url("https://h/a@b?c=d@e") == "https://h/a@b?c=d@e");
  // Any text: no scheme, empty, a bare query.
  CHECK(redact_url("") == "");
  CHECK(redact_url("not a url?token=t") == "not a url?token=REDACTED");
  CHECK(redact_url("?") == "?");
  CHECK(redact_url("https://h/?token") == "https://h/?token");
}

TEST_CASE("Content-Range: bytes FIRST-LAST/COMPLETE with checked numbers only", "[remote]") {
  const auto range = remote::detail::parse_content_range("bytes 0-65543/8589934592");
  REQUIRE(range);
  CHECK(range->first == 0);
  CHECK(range->last == 65543);
  CHECK(range->complete_length == 8589934592ull);
  CHECK(remote::detail::parse_content_range("BYTES 5-5/6"));
  CHECK_FALSE(remote::detail::parse_content_range("bytes 0-65543/*"));
  CHECK_FALSE(remote::detail::parse_content_range("bytes 10-5/20"));       // first > last
  CHECK_FALSE(remote::detail::parse_content_range("bytes 0-20/20"));       // last >= complete
  CHECK_FALSE(remote::detail::parse_content_range("bytes -1-5/20"));
  CHECK_FALSE(remote::detail::parse_content_range("bytes 0-5/18446744073709551616"));  // 2^64
  CHECK_FALSE(remote::detail::parse_content_range("bytes +0-5/20"));
  CHECK_FALSE(remote::detail::parse_content_range("bytes 0 - 5/20"));
  CHECK_FALSE(remote::detail::parse_content_range("items 0-5/20"));
  CHECK_FALSE(remote::detail::parse_content_range("bytes=0-5/20"));
  CHECK(remote::detail::parse_unsatisfied_range("bytes */0") == 0u);
  CHECK_FALSE(remote::detail::parse_unsatisfied_range("bytes */"));
  CHECK(remote::detail::parse_decimal("18446744073709551615") == ~std::uint64_t{0});
  CHECK_FALSE(remote::detail::parse_decimal("18446744073709551616"));
  CHECK_FALSE(remote::detail::parse_decimal(""));
}

TEST_CASE("ResponseParser accepts exactly the range asked for", "[remote]") {
  const auto request = first_request();
  Fed fed = feed(request, {"HTTP/1.1 206 Partial Content", "Content-Range: bytes 0-99/5000", "Content-Length: 100",
                           "ETag: \"e1\""},
                 std::string(100, 'x'));
  CHECK(fed.status.ok());
  CHECK(fed.body == 100);

  // The end of the file cuts the range short: that is the only shorter answer allowed.
  CHECK(feed(request, {"HTTP/2 206", "content-range: bytes 0-9/10"}, std::string(10, 'x')).status.ok());
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-49/5000"}).status) ==
        ErrorCode::network_range_not_honoured);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 1-100/5000"}).status) ==
        ErrorCode::network_range_not_honoured);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK"}).status) == ErrorCode::network_range_not_honoured);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-99/*"}).status) ==
        ErrorCode::network_range_not_honoured);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-99/5000", "Content-Range: bytes 0-99/5000"})
                    .status) == ErrorCode::network_range_not_honoured);
  // Content-Length must agree with Content-Range, and the body with both.
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-99/5000", "Content-Length: 99"}).status) ==
        ErrorCode::network_protocol);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-99/5000"}, std::string(101, 'x')).status) ==
        ErrorCode::network_body_too_large);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-99/5000"}, std::string(60, 'x')).status) ==
        ErrorCode::network_protocol);
  CHECK(code_of(feed(request, {"HTTP/1.1 200 OK", "Content-Length: 10", "Content-Length: 11"}).status) ==
        ErrorCode::network_protocol);
}

TEST_CASE("ResponseParser: whole bodies, statuses, encodings, redirects and versions", "[remote]") {
  auto request = first_request();
  CHECK(feed(request, {"HTTP/1.1 200 OK", "Content-Length: 4"}, "abcd").status.ok());
  CHECK(code_of(feed(request, {"HTTP/1.1 200 OK", "Content-Length: 2000"}, std::string(1001, 'x')).status) ==
        ErrorCode::network_body_too_large);  // past the budget
  CHECK(code_of(feed(request, {"HTTP/1.1 404 Not Found"}).status) == ErrorCode::network_http_status);
  CHECK(code_of(feed(request, {"HTTP/1.1 204 No Content"}).status) == ErrorCode::network_http_status);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-99/5000", "Content-Encoding: gzip"}).status) ==
        ErrorCode::network_encoding_refused);
  CHECK(code_of(feed(request, {"HTTP/1.1 200 OK", "Transfer-Encoding: gzip, chunked"}).status) ==
        ErrorCode::network_encoding_refused);
  CHECK(feed(request, {"HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Encoding: identity"}, "ab").status.ok());
  CHECK(code_of(feed(request, {"HTTP/1.1 302 Found"}).status) == ErrorCode::network_redirect_refused);
  CHECK(code_of(feed(request, {"HTTP/1.1 302 Found", "Location: /a\x01"}).status) == ErrorCode::network_redirect_refused);
  {
    ResponseParser parser(request);
    CHECK(parser.on_header_line("HTTP/1.1 301 Moved\r\n"));
    CHECK(parser.on_header_line("Location: https://cdn.example/x\r\n"));
    CHECK_FALSE(parser.on_header_line("\r\n"));  // stop: the body of a redirect is not read
    CHECK(parser.redirect());
    CHECK(parser.head().location == "https://cdn.example/x");
  }
  // An interim response comes before the real one.
  CHECK(feed(request, {"HTTP/1.1 100 Continue", "", "HTTP/1.1 206 OK", "Content-Range: bytes 0-1/2"}, "ab").status.ok());
  CHECK(code_of(feed(request, {"Content-Length: 2"}).status) == ErrorCode::network_protocol);
  CHECK(code_of(feed(request, {"HTTP/1.1 2x6 OK"}).status) == ErrorCode::network_protocol);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "no colon here"}).status) == ErrorCode::network_protocol);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 0-1/2"}, "ab", false).status) ==
        ErrorCode::network_protocol);  // the transfer did not complete
  // 416 of an empty file: size 0 (FILE_TOO_SMALL follows).
  CHECK(feed(request, {"HTTP/1.1 416 Range Not Satisfiable", "Content-Range: bytes */0"}).status.ok());
  CHECK(code_of(feed(request, {"HTTP/1.1 416 Range Not Satisfiable", "Content-Range: bytes */7"}).status) ==
        ErrorCode::network_http_status);

  // A later request is pinned: any sign of another version is OBJECT_CHANGED.
  const remote::detail::ObjectVersion pin{"\"v1\"", "", 5000};
  request.whole_body_allowed = false;
  request.first = 100;
  request.last = 199;
  request.pin = &pin;
  CHECK(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 100-199/5000", "ETag: \"v1\""}, std::string(100, 'x'))
            .status.ok());
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 100-199/5000", "ETag: \"v2\""}).status) ==
        ErrorCode::network_object_changed);
  CHECK(code_of(feed(request, {"HTTP/1.1 206 OK", "Content-Range: bytes 100-199/6000"}).status) ==
        ErrorCode::network_object_changed);
  CHECK(code_of(feed(request, {"HTTP/1.1 412 Precondition Failed"}).status) == ErrorCode::network_object_changed);
  CHECK(code_of(feed(request, {"HTTP/1.1 200 OK", "Content-Length: 6000"}).status) ==
        ErrorCode::network_object_changed);
  request.pin = nullptr;
  CHECK(code_of(feed(request, {"HTTP/1.1 200 OK", "Content-Length: 6000"}).status) ==
        ErrorCode::network_range_not_honoured);
}

TEST_CASE("unusable options are refused before any request, and never echo a secret", "[remote]") {
  RemoteOptions options;
  options.headers = {"Authorization: Bearer abc\r\nX-Injected: 1"};
  auto result = validate_url(kNeverContacted, Options::strict(), options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == ErrorCode::invalid_argument);
  CHECK(result.error().message.find("abc") == std::string::npos);

  options.headers = {"no colon"};
  CHECK(validate_url(kNeverContacted, Options::strict(), options).error().code == ErrorCode::invalid_argument);
  options.headers = {"Range: bytes=0-"};  // the protocol's own header
  CHECK(validate_url(kNeverContacted, Options::strict(), options).error().code == ErrorCode::invalid_argument);

  options.headers.clear();
  options.token_env = "STGUARD_TEST_TOKEN_THAT_IS_NOT_SET";
  ::unsetenv(options.token_env.c_str());
  result = validate_url(kNeverContacted, Options::strict(), options);
  CHECK(result.error().code == ErrorCode::invalid_argument);
  CHECK(result.error().message.find("STGUARD_TEST_TOKEN_THAT_IS_NOT_SET") != std::string::npos);

  CHECK(validate_url("http://[::1/", Options::strict(), {}).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("a failed open gives a RemoteFile whose reads fail with the same error", "[remote]") {
  auto file = RemoteFile::open("gopher://127.0.0.1/x");
  REQUIRE_FALSE(file.ok());
  auto bytes = file->read(0, 8);
  REQUIRE_FALSE(bytes.ok());
  CHECK(bytes.error().code == ErrorCode::invalid_argument);
  CHECK(file->read_tensor("w").error().code == ErrorCode::invalid_argument);
  CHECK(file->header().tensor_count() == 0);
}

TEST_CASE("the tools' URL flags show the library's defaults; st-audit names a URL redacted", "[remote][cli]") {
  const auto help = test::run_tool("st-validate", {"--help"});
  REQUIRE(help.exit_status == 0);
  const RemoteOptions defaults;
  CHECK(help.out.find("Remote files (URLs)") != std::string::npos);
  CHECK(help.out.find("--max-bytes UINT:BYTES=" + std::to_string(defaults.max_bytes)) != std::string::npos);
  CHECK(help.out.find("--max-redirects UINT:UINT in [0 - 100]=" + std::to_string(defaults.max_redirects)) !=
        std::string::npos);
  CHECK(help.out.find("--read-ahead UINT:BYTES=" + std::to_string(defaults.read_ahead)) != std::string::npos);
  CHECK(test::run_tool("st-shard", {"check", "--help"}).out.find("--connections") != std::string::npos);
  CHECK(test::run_tool("st-audit", {"--help"}).out.find("Remote files (URLs)") != std::string::npos);

  // Port 9 on loopback refuses the connection: could not read, exit 2.
  const auto audit = test::run_tool("st-audit", {"https://user:pw@127.0.0.1:9/m.safetensors?token=t0k"});
  CHECK(audit.exit_status == 2);
  CHECK(audit.out.find("NETWORK_CONNECT") != std::string::npos);
  CHECK(audit.out.find("https://***@127.0.0.1:9/m.safetensors?token=REDACTED") != std::string::npos);
  CHECK(audit.out.find("t0k") == std::string::npos);
  CHECK(audit.out.find(":pw@") == std::string::npos);
  // A sharded checkpoint behind a URL is st-shard check's, refused before any request.
  const auto index = test::run_tool("st-audit", {"http://127.0.0.1:9/model.safetensors.index.json"});
  CHECK(index.exit_status == 2);
  CHECK(index.out.find("INVALID_ARGUMENT") != std::string::npos);
  CHECK(index.out.find("st-shard check") != std::string::npos);
}

TEST_CASE("a failed RemoteObject open reads nothing, with the open's error", "[remote]") {
  auto object = RemoteObject::open("gopher://127.0.0.1/x");
  REQUIRE_FALSE(object.ok());
  CHECK(object.error().code == ErrorCode::invalid_argument);
  std::uint8_t byte = 0;
  CHECK(object->read_into(0, std::span<std::uint8_t>(&byte, 1)).error().code == ErrorCode::invalid_argument);
  CHECK(object->file_size() == 0);
  CHECK(object->prefix().empty());
}

// The DNS failure needs a resolver, which the loopback-only tests cannot use:
// the mapping from libcurl's results is checked here instead (the live tests
// provoke connect, TLS, timeout and the protocol errors for real).
TEST_CASE("libcurl results map to the documented NETWORK_* codes", "[remote]") {
  const std::vector<std::pair<CURLcode, ErrorCode>> expected = {
      {CURLE_COULDNT_RESOLVE_HOST, ErrorCode::network_dns},
      {CURLE_COULDNT_RESOLVE_PROXY, ErrorCode::network_dns},
      {CURLE_COULDNT_CONNECT, ErrorCode::network_connect},
      {CURLE_OPERATION_TIMEDOUT, ErrorCode::network_timeout},
      {CURLE_PEER_FAILED_VERIFICATION, ErrorCode::network_tls},
      {CURLE_SSL_CONNECT_ERROR, ErrorCode::network_tls},
      {CURLE_SSL_CACERT_BADFILE, ErrorCode::network_tls},
      {CURLE_TOO_MANY_REDIRECTS, ErrorCode::network_too_many_redirects},
      {CURLE_BAD_CONTENT_ENCODING, ErrorCode::network_encoding_refused},
      {CURLE_UNSUPPORTED_PROTOCOL, ErrorCode::invalid_argument},
      {CURLE_OUT_OF_MEMORY, ErrorCode::out_of_memory},
      {CURLE_PARTIAL_FILE, ErrorCode::network_protocol},
      {CURLE_RECV_ERROR, ErrorCode::network_protocol},
  };
  for (const auto& [curl_result, code] : expected) {
    INFO("CURLcode " << static_cast<int>(curl_result));
    CHECK(stguard::remote::detail::error_code_for_curl(curl_result) == code);
  }
}
