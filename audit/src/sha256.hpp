// Sha256: an incremental SHA-256 over OpenSSL's EVP interface, owning its
// context. Failures of libcrypto (which should not happen for SHA-256) are
// sticky and reported by finish(), so a digest is never silently wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "stguard/audit_digest.hpp"

struct evp_md_ctx_st;

namespace stguard::audit::detail {

class Sha256 {
 public:
  Sha256() noexcept;
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;

  void update(std::span<const std::uint8_t> bytes) noexcept;
  // The digest of everything updated so far; nullopt if libcrypto failed.
  // The object must not be updated afterwards.
  [[nodiscard]] std::optional<Sha256Digest> finish() noexcept;

 private:
  evp_md_ctx_st* context_ = nullptr;
  bool failed_ = false;
};

}  // namespace stguard::audit::detail
