// Profiles and limits: the policy a file is judged by (docs/profiles.md).
//
// A profile is a set of switches over one parser, never a second parser.
// Limits are named with their rationale; a file rejected by a limit gets an
// error of class `limit`, so "malformed" and "beyond your policy" differ.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace stguard {

enum class Profile : std::uint8_t {
  strict = 0,  // the default: only files every mainstream reader sees the same way
  compat = 1,  // exactly the reference reader's acceptance set
};

[[nodiscard]] std::string_view profile_name(Profile profile) noexcept;
[[nodiscard]] std::optional<Profile> profile_from_name(std::string_view name) noexcept;

// The format's own ceiling on N: the reference refuses anything larger.
inline constexpr std::uint64_t kFormatMaxHeaderBytes = 100'000'000;
// Largest integer that survives a round trip through an IEEE double.
inline constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;
inline constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};

struct Limits {
  // N above this is rejected (limit_header_bytes). Values above the format
  // maximum do not raise it: N > 100,000,000 is always header_too_large.
  std::uint64_t max_header_bytes = kFormatMaxHeaderBytes;
  // Tensors in one header (CPU and memory of every consumer).
  std::uint64_t max_tensors = 1'000'000;
  // Dimensions of one shape: no framework loads more than a few dozen.
  std::uint64_t max_rank = 64;
  // Bytes in one tensor name after unescaping.
  std::uint64_t max_name_bytes = 4096;
  // Largest shape dimension or offset: 2^53-1 keeps double-based readers exact.
  std::uint64_t max_integer = kMaxSafeInteger;
  // JSON nesting, the top-level object counting as 1 (the reference's 127).
  std::uint64_t max_depth = 127;

  [[nodiscard]] static Limits strict_defaults() noexcept { return Limits{}; }
  [[nodiscard]] static Limits compat_defaults() noexcept {
    Limits limits;
    limits.max_tensors = kUnlimited;
    limits.max_rank = kUnlimited;
    limits.max_name_bytes = kUnlimited;
    limits.max_integer = kUnlimited;
    return limits;
  }
  [[nodiscard]] static Limits defaults_for(Profile profile) noexcept {
    return profile == Profile::strict ? strict_defaults() : compat_defaults();
  }
};

struct Options {
  Profile profile = Profile::strict;
  Limits limits = Limits::strict_defaults();
  // compat only: remember up to this many things strict would have rejected
  // (Header::strict_violations), for the audit layer. 0 turns it off.
  std::uint32_t max_recorded_violations = 256;

  [[nodiscard]] static Options strict() noexcept { return Options{}; }
  [[nodiscard]] static Options compat() noexcept {
    Options options;
    options.profile = Profile::compat;
    options.limits = Limits::compat_defaults();
    return options;
  }
  [[nodiscard]] static Options for_profile(Profile profile) noexcept {
    return profile == Profile::strict ? strict() : compat();
  }
};

}  // namespace stguard
