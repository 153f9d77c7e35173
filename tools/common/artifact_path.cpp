// Lexical path folding for CI output (artifact_path.hpp).
#include "common/artifact_path.hpp"

#include <unistd.h>

#include <vector>

namespace stguard::cli {
namespace {

std::string working_directory() {
  std::vector<char> buffer(4096);
  while (::getcwd(buffer.data(), buffer.size()) == nullptr) {
    if (buffer.size() > (1U << 20U)) return "/";
    buffer.resize(buffer.size() * 2);
  }
  return buffer.data();
}

}  // namespace

std::string absolute_folded(std::string_view path) {
  std::string full = !path.empty() && path.front() == '/' ? std::string(path) : working_directory() + "/" + std::string(path);
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= full.size()) {
    std::size_t end = full.find('/', start);
    if (end == std::string::npos) end = full.size();
    const std::string segment = full.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string folded;
  for (const std::string& segment : segments) folded += "/" + segment;
  return folded.empty() ? "/" : folded;
}

ArtifactBase::ArtifactBase(const std::string& base) : absolute_(absolute_folded(base.empty() ? "." : base)) {}

std::optional<std::string> ArtifactBase::relative(std::string_view path) const {
  const std::string full = absolute_folded(path);
  if (absolute_ == "/") return full.substr(1);
  if (full.size() > absolute_.size() && full.compare(0, absolute_.size(), absolute_) == 0 &&
      full[absolute_.size()] == '/') {
    return full.substr(absolute_.size() + 1);
  }
  return std::nullopt;
}

std::string ArtifactBase::repository_path(std::string_view path) const {
  auto inside = relative(path);
  return inside ? *inside : absolute_folded(path);
}

}  // namespace stguard::cli
