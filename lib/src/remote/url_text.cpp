// URL text without a URL parser: recognising a URL operand, and the one
// redaction rule for printing a URL (remote.hpp). Both work on any text, so
// a malformed URL is still recognised and still redacted.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "stguard/remote.hpp"

namespace stguard::remote {
namespace {

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

bool contains_ignoring_case(std::string_view text, std::string_view word) noexcept {
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (starts_with_ignoring_case(text.substr(i), word)) return true;
  }
  return false;
}

// Parts of query parameter names that carry secrets in signed or tokenised
// URLs: access_token, api_key, X-Amz-Signature / -Credential / -Security-Token,
// Azure's sig, CloudFront's Signature, Key-Pair-Id and Policy, password ...
constexpr std::array kSecretNameParts{std::string_view("token"),    std::string_view("sig"),
                                      std::string_view("key"),      std::string_view("secret"),
                                      std::string_view("pass"),     std::string_view("auth"),
                                      std::string_view("cred"),     std::string_view("session"),
                                      std::string_view("policy")};

bool secret_parameter(std::string_view name) noexcept {
  return std::any_of(kSecretNameParts.begin(), kSecretNameParts.end(),
                     [&](std::string_view part) { return contains_ignoring_case(name, part); });
}

std::string redact_query(std::string_view query) {
  std::string out;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find_first_of("&;", start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view parameter = query.substr(start, end - start);
    const std::size_t equals = parameter.find('=');
    const std::string_view name = parameter.substr(0, equals);
    if (equals != std::string_view::npos && secret_parameter(name)) {
      out.append(name).append("=REDACTED");
    } else {
      out.append(parameter);
    }
    if (end == query.size()) break;
    out.push_back(query[end]);
    start = end + 1;
  }
  return out;
}

}  // namespace

bool is_remote_url(std::string_view text) noexcept {
  return starts_with_ignoring_case(text, "http://") || starts_with_ignoring_case(text, "https://");
}

bool has_url_scheme(std::string_view text) noexcept {
  // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) then "://".
  const std::size_t colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(text[0])) return false;
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon), [&](char c) {
    return letter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  });
}

std::string redact_url(std::string_view url) {
  std::string out;
  std::string_view rest = url;
  // The authority's user information: everything before the last '@' of
  // the authority (a password may itself hold an unencoded '@').
  if (const std::size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos && has_url_scheme(rest)) {
    out.append(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    const std::string_view authority = rest.substr(0, authority_end);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
      out.append("***@");
      rest.remove_prefix(at + 1);
    }
  }
  const std::size_t query_start = rest.find('?');
  if (query_start == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, query_start + 1));
  rest.remove_prefix(query_start + 1);
  const std::size_t fragment = std::min(rest.find('#'), rest.size());
  out.append(redact_query(rest.substr(0, fragment)));
  out.append(rest.substr(fragment));
  return out;
}

}  // namespace stguard::remote
