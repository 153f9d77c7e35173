// Profiles and limits: the policy a file is judged by (docs/profiles.md).
//
// A profile is a set of switches over one parser, never a second parser.
// Limits are named with their rationale; a file rejected by a limit gets an
// error of class `limit`, so "malformed" and "beyond your policy" differ.
#pragma once

#include <array>
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
  // The strict defaults; kLimitTable below lists every field once, with its
  // compat default, flag and help, and a compile-time check ties the two.
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
  [[nodiscard]] static constexpr Limits compat_defaults() noexcept;
  [[nodiscard]] static constexpr Limits defaults_for(Profile profile) noexcept {
    return profile == Profile::strict ? Limits{} : compat_defaults();
  }
  friend constexpr bool operator==(const Limits&, const Limits&) noexcept = default;
};

// One row per limit: the one list the library, the C API, the Python
// binding, every tool's --max-* flag and its --help, and the writer's checks
// are made from (docs/profiles.md#limits lists the same; a test compares).
struct LimitInfo {
  std::uint64_t Limits::*field;
  std::string_view name;            // "max_tensors": the field, the C API's and Python's name
  std::string_view flag;            // "--max-tensors"
  std::uint64_t strict_default;
  std::uint64_t compat_default;
  std::string_view help;            // --help, before "(default ...)"
  std::string_view help_note = {};  // --help, after it
};

inline constexpr std::array<LimitInfo, 6> kLimitTable{{
    {&Limits::max_header_bytes, "max_header_bytes", "--max-header-bytes", kFormatMaxHeaderBytes, kFormatMaxHeaderBytes,
     "Largest header length N accepted", "; above the format maximum it has no effect"},
    {&Limits::max_tensors, "max_tensors", "--max-tensors", 1'000'000, kUnlimited, "Most tensors in one header"},
    {&Limits::max_rank, "max_rank", "--max-rank", 64, kUnlimited, "Most dimensions in one shape"},
    {&Limits::max_name_bytes, "max_name_bytes", "--max-name-bytes", 4096, kUnlimited, "Longest tensor name in bytes"},
    {&Limits::max_integer, "max_integer", "--max-integer", kMaxSafeInteger, kUnlimited,
     "Largest shape dimension or offset"},
    {&Limits::max_depth, "max_depth", "--max-depth", 127, 127, "Deepest JSON nesting, top-level object = 1",
     "; compat never goes above 127, the reference's limit"},
}};

constexpr Limits Limits::compat_defaults() noexcept {
  Limits limits;
  for (const LimitInfo& row : kLimitTable) limits.*row.field = row.compat_default;
  return limits;
}

namespace detail {
[[nodiscard]] constexpr bool limit_table_matches_limits() noexcept {
  const Limits defaults;
  for (const LimitInfo& row : kLimitTable) {
    if (defaults.*row.field != row.strict_default) return false;
  }
  for (std::size_t i = 0; i < kLimitTable.size(); ++i) {  // every field once
    for (std::size_t j = 0; j < i; ++j) {
      if (kLimitTable[i].field == kLimitTable[j].field) return false;
    }
  }
  return kLimitTable.size() * sizeof(std::uint64_t) == sizeof(Limits);
}
static_assert(limit_table_matches_limits(), "kLimitTable must list every Limits field once, with its strict default");
}  // namespace detail

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
