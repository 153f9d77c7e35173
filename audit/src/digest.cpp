// Digest values: hex forms and the one-shot SHA-256.
#include <string>

#include "sha256.hpp"
#include "stguard/audit_digest.hpp"

namespace stguard::audit {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(const Sha256Digest& digest) {
  std::string out;
  out.reserve(digest.size() * 2);
  for (const std::uint8_t byte : digest) {
    out += kHexDigits[byte >> 4U];
    out += kHexDigits[byte & 0xFU];
  }
  return out;
}

std::optional<Sha256Digest> digest_from_hex(std::string_view hex) noexcept {
  Sha256Digest digest{};
  if (hex.size() != digest.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<std::uint8_t>((high << 4) | low);
  }
  return digest;
}

std::optional<Sha256Digest> sha256(std::span<const std::uint8_t> bytes) noexcept {
  detail::Sha256 hasher;
  hasher.update(bytes);
  return hasher.finish();
}

}  // namespace stguard::audit
