// PickleProbe: would Python's pickle reader accept these bytes, at least for
// its first opcodes?
//
// A sniffer that sees 0x80 0x02..0x05 at offset 0 calls a file a pickle, and
// so did STG-POLY-004 once; but a valid safetensors header length of 640,
// 896, 1152 or 1408 (+ k * 65,536) spells exactly those two bytes, followed by
// zero bytes and `{`, which no pickle reader gets past. This probe walks the
// opcodes the way the unpickler executes them, bounded: every opcode must be
// known, its argument must fit, and the stack (items and marks) must hold
// what the opcode pops. It never allocates from a length it reads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace stguard::audit::detail {

// A walk stops after this many opcodes without a STOP and counts as accepted:
// no valid safetensors prefix gets that far (each opcode past the zero bytes
// of the length prefix would have to be legal JSON text and a legal opcode).
inline constexpr std::uint32_t kPickleOpcodesToAccept = 8;

struct PickleWalk {
  bool accepted = false;        // reached STOP, or kPickleOpcodesToAccept opcodes, or an argument past `window`
  std::uint32_t opcodes = 0;    // opcodes walked (STOP included)
  std::uint8_t protocol = 0;    // from a leading PROTO opcode (0 when none)
  bool reached_stop = false;
  std::uint64_t stopped_at = 0;  // offset of the opcode that ended the walk
};

// Walks `window` (the first bytes of a file of `file_size` bytes) from its
// start. An argument that runs past the window but fits the file ends the
// walk as accepted: the reader would read on.
[[nodiscard]] PickleWalk walk_pickle(std::span<const std::uint8_t> window, std::uint64_t file_size) noexcept;

// What a pickle imports ("os system", "torch._utils _rebuild_tensor_v2"):
// GLOBAL and INST arguments, and STACK_GLOBAL's two strings. Walks the whole
// of `bytes` up to STOP or kMaxImportWalkOpcodes, stops at the first opcode
// the unpickler would refuse, and keeps the first `max_imports` distinct ones.
inline constexpr std::uint32_t kMaxImportWalkOpcodes = 1'000'000;
[[nodiscard]] std::vector<std::string> pickle_imports(std::span<const std::uint8_t> bytes, std::size_t max_imports);

}  // namespace stguard::audit::detail
