// The directory walk and the shard claims (repository_walk.hpp).
#include "common/repository_walk.hpp"

#include "common/remote_operand.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <utility>

#include "common/text_file.hpp"
#include "stguard/escape.hpp"
#include "stguard/shard_index.hpp"

namespace stguard::cli {
namespace {

using FileIdentity = std::pair<dev_t, ino_t>;

// What st-audit and st-shard call an index (audit::looks_like_index_path,
// which this layer does not link): "*.index.json".
bool is_index_path(std::string_view path) {
  constexpr std::string_view kSuffix = ".index.json";
  return path.size() > kSuffix.size() && path.ends_with(kSuffix);
}

std::optional<FileIdentity> identity_of(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return FileIdentity{info.st_dev, info.st_ino};
}

std::optional<std::string> real_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return std::nullopt;
  return std::string(resolved.get());
}

bool inside(const std::string& real, const std::string& root_real) {
  if (real == root_real) return true;
  const std::string prefix = root_real == "/" ? root_real : root_real + "/";
  return real.compare(0, prefix.size(), prefix) == 0;
}

std::string join(const std::string& folder, const std::string& name) {
  if (folder.empty()) return name;
  return folder.back() == '/' ? folder + name : folder + "/" + name;
}

bool any_match(const std::vector<PathPattern>& patterns, const std::string& relative) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const PathPattern& pattern) { return pattern.matches(relative); });
}

std::string_view file_type_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

class Walker {
 public:
  Walker(const WalkOptions& options, std::vector<Target>& out)
      : include_(options.include.empty() ? default_include_patterns() : options.include),
        exclude_(options.exclude),
        out_(out) {}

  void walk(const std::string& operand) {
    std::string shown = operand;
    while (shown.size() > 1 && shown.back() == '/') shown.pop_back();
    root_shown_ = shown == "." ? std::string() : shown;
    const auto root_real = real_path(operand);
    if (!root_real) {
      unreadable(operand, ErrorCode::io_open_failed, "cannot resolve the folder: " + std::string(std::strerror(errno)));
      return;
    }
    root_real_ = *root_real;
    walk_folder(operand, std::string());
  }

 private:
  bool takes(const std::string& relative) const { return any_match(include_, relative) && !any_match(exclude_, relative); }

  std::string shown_path(const std::string& relative) const {
    if (!root_shown_.empty()) return join(root_shown_, relative);
    // A top-level file named "-" must not turn into standard input.
    return relative == "-" ? "./-" : relative;
  }

  void unreadable(const std::string& path, ErrorCode code, std::string message) {
    Target target;
    target.path = path;
    target.kind = Target::Kind::unreadable;
    target.error = make_error(code, std::move(message));
    out_.push_back(std::move(target));
  }

  void take_file(const std::string& relative) {
    Target target;
    target.path = shown_path(relative);
    target.walk_root = root_real_;
    target.kind = is_index_path(relative) ? Target::Kind::index : Target::Kind::file;
    out_.push_back(std::move(target));
  }

  void walk_folder(const std::string& folder, const std::string& relative_folder) {
    struct stat info {};
    if (::stat(folder.c_str(), &info) == 0 && !visited_.insert({info.st_dev, info.st_ino}).second) return;
    const auto close_dir = [](DIR* handle) { ::closedir(handle); };
    std::unique_ptr<DIR, decltype(close_dir)> dir(::opendir(folder.c_str()), close_dir);
    const std::string shown_folder = relative_folder.empty() ? (root_shown_.empty() ? "." : root_shown_)
                                                             : shown_path(relative_folder);
    if (!dir) {
      unreadable(shown_folder, ErrorCode::io_open_failed,
                 "cannot list the folder: " + std::string(std::strerror(errno)));
      return;
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(dir.get())) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
      errno = 0;
    }
    if (errno != 0) {
      unreadable(shown_folder, ErrorCode::io_read_failed,
                 "cannot list the folder completely: " + std::string(std::strerror(errno)));
    }
    dir.reset();
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) visit(join(folder, name), join(relative_folder, name));
  }

  void visit(const std::string& path, const std::string& relative) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      if (takes(relative)) {
        unreadable(shown_path(relative), ErrorCode::io_open_failed, "cannot stat: " + std::string(std::strerror(errno)));
      }
      return;
    }
    if (S_ISDIR(info.st_mode)) {
      if (!any_match(exclude_, relative)) walk_folder(path, relative);
      return;
    }
    if (S_ISREG(info.st_mode)) {
      if (takes(relative)) take_file(relative);
      return;
    }
    if (S_ISLNK(info.st_mode)) {
      visit_link(path, relative);
      return;
    }
    if (takes(relative)) {
      unreadable(shown_path(relative), ErrorCode::io_not_regular_file,
                 std::string(file_type_name(info.st_mode)) + ", not read");
    }
  }

  void visit_link(const std::string& path, const std::string& relative) {
    if (any_match(exclude_, relative)) return;
    struct stat target {};
    const auto real = real_path(path);
    if (!real || ::stat(path.c_str(), &target) != 0) {
      if (takes(relative)) {
        unreadable(shown_path(relative), ErrorCode::io_open_failed,
                   "a symbolic link that leads nowhere (not followed)");
      }
      return;
    }
    const bool folder = S_ISDIR(target.st_mode);
    if (!inside(*real, root_real_)) {
      if (folder || takes(relative)) {
        unreadable(shown_path(relative), ErrorCode::io_open_failed,
                   std::string("a symbolic link to a ") + (folder ? "folder" : "file") +
                       " outside the walked folder (not followed)");
      }
      return;
    }
    if (folder) return;  // walked at its real place, inside the tree
    if (!takes(relative)) return;
    if (S_ISREG(target.st_mode)) {
      take_file(relative);
    } else {
      unreadable(shown_path(relative), ErrorCode::io_not_regular_file,
                 "a symbolic link to " + std::string(file_type_name(target.st_mode)) + ", not read");
    }
  }

  std::vector<PathPattern> include_;
  const std::vector<PathPattern>& exclude_;
  std::vector<Target>& out_;
  std::string root_shown_;
  std::string root_real_;
  std::set<FileIdentity> visited_;
};

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The shard paths an index names; empty when it cannot be read or parsed
// (the tool's verdict on the index then says why).
std::vector<std::string> shards_named_by(const std::string& index_path) {
  const ShardIndexLimits limits;
  auto text = read_text_file(index_path, limits.max_index_bytes);
  if (!text) return {};
  auto index = parse_shard_index(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text->data()), text->size()), limits);
  if (!index) return {};
  std::vector<std::string> shards;
  shards.reserve(index->shards.size());
  const std::string folder = folder_of(index_path);
  for (const std::string& shard : index->shards) shards.push_back(folder + "/" + shard);
  return shards;
}

// For an index found in a walk: the first shard that is a symbolic link
// leading out of the walked folder, if any (one leading nowhere is a missing
// shard, which the index's verdict reports).
std::optional<std::string> shard_leaving_tree(const Target& index) {
  for (const std::string& shard : index.shards) {
    struct stat info {};
    if (::lstat(shard.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) continue;
    const auto real = real_path(shard);
    if (real && !inside(*real, index.walk_root)) return shard.substr(shard.find_last_of('/') + 1);
  }
  return std::nullopt;
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return path != "-" && ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

}  // namespace

std::vector<PathPattern> default_include_patterns() {
  return {*PathPattern::parse("*.safetensors"), *PathPattern::parse("*.safetensors.index.json")};
}

TargetList collect_targets(const std::vector<std::string>& operands, const WalkOptions& options) {
  TargetList list;
  std::vector<Target> found;
  Walker walker(options, found);
  for (const std::string& operand : operands) {
    if (is_directory(operand)) {
      ++list.directories_walked;
      walker.walk(operand);
    } else {
      Target target;
      target.path = operand;
      // A URL operand is one remote file (an index URL is st-shard check's).
      const bool local_index = operand != "-" && !is_url_operand(operand) && is_index_path(operand);
      target.kind = local_index ? Target::Kind::index : Target::Kind::file;
      found.push_back(std::move(target));
    }
  }

  // Each file once (a link and its target, an operand inside a walked folder).
  std::set<FileIdentity> seen;
  std::vector<Target> unique;
  for (Target& target : found) {
    if (target.kind != Target::Kind::unreadable && target.path != "-") {
      const auto identity = identity_of(target.path);
      if (identity && !seen.insert(*identity).second) continue;
    }
    unique.push_back(std::move(target));
  }

  // Shards named by an index are judged with it, not again as loose files.
  std::set<FileIdentity> claimed;
  for (Target& target : unique) {
    if (target.kind != Target::Kind::index) continue;
    target.shards = shards_named_by(target.path);
    if (!target.walk_root.empty()) {
      if (const auto shard = shard_leaving_tree(target)) {
        target.kind = Target::Kind::unreadable;
        target.error = make_error(ErrorCode::io_open_failed,
                                  "its shard " + quote_for_display(*shard) +
                                      " is a symbolic link that leads out of the walked folder (not followed)");
        target.shards.clear();
        continue;
      }
    }
    for (const std::string& shard : target.shards) {
      if (const auto identity = identity_of(shard)) claimed.insert(*identity);
    }
  }
  for (Target& target : unique) {
    if (target.kind == Target::Kind::file && target.path != "-") {
      const auto identity = identity_of(target.path);
      if (identity && claimed.count(*identity) != 0) continue;
    }
    list.targets.push_back(std::move(target));
  }
  return list;
}

std::string nothing_found_message(const std::vector<std::string>& operands, const WalkOptions& options) {
  std::string patterns;
  for (const PathPattern& pattern : options.include.empty() ? default_include_patterns() : options.include) {
    patterns += (patterns.empty() ? "" : ", ") + pattern.text();
  }
  std::string folders;
  for (const std::string& operand : operands) {
    if (is_directory(operand)) folders += (folders.empty() ? "" : ", ") + quote_for_display(operand);
  }
  return "no files matching " + patterns + " in " + folders + ": nothing to judge";
}

}  // namespace stguard::cli
