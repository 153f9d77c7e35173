// Profile names as they appear on command lines and in reports.
#include "stguard/options.hpp"

namespace stguard {

std::string_view profile_name(Profile profile) noexcept {
  return profile == Profile::compat ? "compat" : "strict";
}

std::optional<Profile> profile_from_name(std::string_view name) noexcept {
  if (name == "strict") return Profile::strict;
  if (name == "compat") return Profile::compat;
  return std::nullopt;
}

}  // namespace stguard
