// Exit statuses shared by every stguard tool (the contract CI jobs rely on).
#pragma once

namespace stguard::cli {

inline constexpr int kExitOk = 0;        // every file valid / nothing at or above the threshold
inline constexpr int kExitInvalid = 1;   // at least one file invalid (or a finding at the threshold)
inline constexpr int kExitUsageOrIo = 2;  // bad arguments, or a file could not be read

}  // namespace stguard::cli
