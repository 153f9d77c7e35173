// Which files a run of st-validate or st-audit judges: the operands, with
// every directory operand walked (docs/ci.md, "Directories as operands").
//
//   * A file operand is judged as given (patterns do not apply to it); "-"
//     stays "-" (standard input, for the tools that read it).
//   * A directory operand is walked depth-first, each folder's entries in
//     bytewise name order, so the same tree always gives the same order.
//     A file is taken when its path relative to the operand matches an
//     --include pattern (default: *.safetensors, *.safetensors.index.json)
//     and no --exclude pattern; a folder matching --exclude is not entered.
//   * Symbolic links met in the walk: a link whose target (resolved with
//     every link on the way) lies inside the walked directory is followed
//     when it names a file, and never when it names a folder (that folder is
//     walked at its real place); a link that leads out of the tree, or
//     nowhere, is never followed: it is reported as unreadable when it names
//     a folder or a name the patterns take. Nothing else is skipped silently:
//     a folder that cannot be listed and a matching entry that is not a
//     regular file (FIFO, socket, device) are unreadable targets too.
//   * A file reached twice (two operands, a link and its target) is judged
//     once, at its first path.
//   * An index (*.index.json) judges its shards: every shard it names is
//     taken out of the loose files (whichever operand reached it) and judged
//     with the index, as one set. An index found in a walk that names a shard
//     which is a symbolic link out of the walked folder is not judged (that
//     would follow the link): it is unreadable, and its other shards are
//     judged as loose files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/path_pattern.hpp"
#include "stguard/error.hpp"

namespace stguard::cli {

struct WalkOptions {
  std::vector<PathPattern> include;  // empty: the defaults below
  std::vector<PathPattern> exclude;
};

// "*.safetensors" and "*.safetensors.index.json".
[[nodiscard]] std::vector<PathPattern> default_include_patterns();

struct Target {
  enum class Kind { file, index, unreadable };
  std::string path;  // the operand, or the operand joined with the walked relative path
  Kind kind = Kind::file;
  std::optional<Error> error;  // kind == unreadable: why (io_* codes)
  // kind == index: the shard paths it names (folder of the index + name),
  // in the index's order; empty when the index does not parse (its verdict says why).
  std::vector<std::string> shards;
  // Found by walking this folder (its real path); empty for file operands.
  std::string walk_root;
};

struct TargetList {
  std::vector<Target> targets;
  std::size_t directories_walked = 0;  // directory operands
};

// Walks the operands (see above). Never throws for I/O: every problem is a target.
[[nodiscard]] TargetList collect_targets(const std::vector<std::string>& operands, const WalkOptions& options);

// 'no files matching PATTERNS in "DIR": nothing to judge', for a run whose
// directory operands held nothing to judge.
[[nodiscard]] std::string nothing_found_message(const std::vector<std::string>& operands, const WalkOptions& options);

}  // namespace stguard::cli
