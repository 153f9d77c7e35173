// SHA-256 through OpenSSL EVP (hardware SHA extensions when the CPU has them).
#include "sha256.hpp"

#include <openssl/evp.h>

#include <utility>

namespace stguard::audit::detail {

Sha256::Sha256() noexcept : context_(EVP_MD_CTX_new()) {
  failed_ = context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1;
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

Sha256::Sha256(Sha256&& other) noexcept
    : context_(std::exchange(other.context_, nullptr)), failed_(std::exchange(other.failed_, true)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(context_);
    context_ = std::exchange(other.context_, nullptr);
    failed_ = std::exchange(other.failed_, true);
  }
  return *this;
}

void Sha256::update(std::span<const std::uint8_t> bytes) noexcept {
  if (failed_ || bytes.empty()) return;
  failed_ = EVP_DigestUpdate(context_, bytes.data(), bytes.size()) != 1;
}

std::optional<Sha256Digest> Sha256::finish() noexcept {
  if (failed_) return std::nullopt;
  Sha256Digest digest{};
  unsigned int length = 0;
  failed_ = true;  // finished: further use is an error
  if (EVP_DigestFinal_ex(context_, digest.data(), &length) != 1 || length != digest.size()) return std::nullopt;
  return digest;
}

}  // namespace stguard::audit::detail
