// docs/format.md and docs/profiles.md are the project's spec, cited by code
// comments as docs/<doc>.md#<section>. These tests keep them honest: the
// dtype table matches the library's, every corpus file they name exists,
// every profile-dependent corpus file is in the profile table with its strict
// code, and every section cited anywhere in the repository exists.
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "stguard/dtype.hpp"

namespace fs = std::filesystem;
using namespace stguard;

namespace {

const fs::path kRoot(STGUARD_SOURCE_DIR);

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The cells of a Markdown table row "| a | b |", trimmed.
std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::istringstream in(row.substr(1));
  for (std::string cell; std::getline(in, cell, '|');) {
    const auto first = cell.find_first_not_of(' ');
    const auto last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? std::string() : cell.substr(first, last - first + 1));
  }
  return cells;
}

// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'.
std::string anchor_of(const std::string& heading) {
  std::string anchor;
  for (const char c : heading) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_') anchor += static_cast<char>(std::tolower(byte));
    if (c == ' ') anchor += '-';
  }
  return anchor;
}

std::set<std::string> anchors_of(const fs::path& doc) {
  std::set<std::string> anchors;
  for (const std::string& line : lines_of(read_text(doc))) {
    const auto text = line.find_first_not_of('#');
    if (line.starts_with("#") && text != std::string::npos && line[text] == ' ') {
      anchors.insert(anchor_of(line.substr(text + 1)));
    }
  }
  return anchors;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Corpus file stems (y_/n_/i_ then name characters) written in backticks,
// with a trailing '*' kept for patterns such as `n_shape_element_*`.
std::set<std::string> corpus_names_in(const std::string& text) {
  std::set<std::string> names;
  for (std::size_t at = text.find('`'); at != std::string::npos; at = text.find('`', at + 1)) {
    const std::size_t start = at + 1;
    if (start + 2 > text.size() || text[start + 1] != '_' || std::string("yni").find(text[start]) == std::string::npos) {
      continue;
    }
    std::size_t end = start + 2;
    while (end < text.size() && is_name_char(text[end])) ++end;
    if (end < text.size() && text[end] == '*') ++end;
    if (end < text.size() && text[end] == '`') names.insert(text.substr(start, end - start));
  }
  return names;
}

bool corpus_has(const std::string& name) {
  if (!name.ends_with("*")) return fs::exists(kRoot / "corpus" / (name + ".safetensors"));
  const std::string prefix = name.substr(0, name.size() - 1);
  for (const auto& entry : fs::directory_iterator(kRoot / "corpus")) {
    if (entry.path().filename().string().starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("docs/format.md's dtype table is the library's, bit for bit", "[docs]") {
  const std::vector<std::string> lines = lines_of(read_text(kRoot / "docs" / "format.md"));
  std::map<std::string, std::vector<std::string>> rows;  // dtype name -> cells
  bool in_section = false;
  for (const std::string& line : lines) {
    if (line.starts_with("## ")) in_section = line == "## Dtypes";
    if (in_section && line.starts_with("| `")) {
      const auto cells = cells_of(line);
      REQUIRE(cells.size() >= 4);
      const std::string name = cells[0].substr(1, cells[0].size() - 2);
      INFO(line);
      CHECK(rows.emplace(name, cells).second);
    }
  }
  CHECK(rows.size() == kDtypeCount);
  for (unsigned order = 0; order < kDtypeCount; ++order) {
    const Dtype dtype = *dtype_from_order(order);
    const std::string name(dtype_name(dtype));
    INFO(name);
    REQUIRE(rows.count(name) == 1);
    const auto& cells = rows[name];
    CHECK(cells[1] == std::to_string(dtype_bits(dtype)));
    CHECK(cells[2] == (dtype_bits(dtype) < 8 ? "sub-byte" : std::to_string(dtype_alignment(dtype))));
    CHECK(cells[3] == std::to_string(dtype_order(dtype)));
  }
}

TEST_CASE("every corpus file named in docs/format.md and docs/profiles.md exists", "[docs]") {
  for (const char* doc : {"format.md", "profiles.md"}) {
    const std::set<std::string> names = corpus_names_in(read_text(kRoot / "docs" / doc));
    INFO(doc);
    CHECK(names.size() >= 20);
    for (const std::string& name : names) {
      INFO(name);
      CHECK(corpus_has(name));
    }
  }
}

TEST_CASE("docs/profiles.md lists every profile-dependent corpus file with its strict code", "[docs]") {
  const std::vector<std::string> doc = lines_of(read_text(kRoot / "docs" / "profiles.md"));
  std::size_t checked = 0;
  for (const std::string& row : lines_of(read_text(kRoot / "corpus" / "MANIFEST.tsv"))) {
    if (!row.starts_with("i_")) continue;
    const std::string file = row.substr(0, row.find('\t'));
    const std::string strict_code = row.substr(file.size() + 1, row.find('\t', file.size() + 1) - file.size() - 1);
    const std::string stem = "`" + file.substr(0, file.find('.')) + "`";
    bool listed = false;
    for (const std::string& line : doc) {
      listed = listed || (line.find(stem) != std::string::npos && line.find("`" + strict_code + "`") != std::string::npos);
    }
    INFO(file << " with " << strict_code);
    CHECK(listed);
    ++checked;
  }
  CHECK(checked >= 25);
}

TEST_CASE("every docs/format.md, profiles.md and errors.md section cited in the repository exists", "[docs]") {
  std::map<std::string, std::set<std::string>> anchors;
  for (const char* doc : {"format", "profiles", "errors"}) {
    anchors[doc] = anchors_of(kRoot / "docs" / (std::string(doc) + ".md"));
  }
  const std::set<std::string> text_extensions{".cpp", ".hpp", ".cc", ".h", ".md", ".py", ".dict", ".sh", ".txt"};
  std::size_t citations = 0;
  for (auto it = fs::recursive_directory_iterator(kRoot); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    const bool binary_folder = (name == "corpus" && path.parent_path().filename() == "fuzz") || name == "regressions";
    if (it->is_directory() && (name.starts_with(".") || name == "build" || binary_folder)) {
      it.disable_recursion_pending();  // VCS data, build trees, fuzz seeds and regression files
      continue;
    }
    if (!it->is_regular_file() || text_extensions.count(path.extension().string()) == 0) continue;
    const std::string text = read_text(path);
    for (std::size_t at = text.find(".md#"); at != std::string::npos; at = text.find(".md#", at + 1)) {
      std::size_t stem_start = at;
      while (stem_start > 0 && is_name_char(text[stem_start - 1])) --stem_start;
      const std::string stem = text.substr(stem_start, at - stem_start);
      if (anchors.count(stem) == 0) continue;
      std::size_t end = at + 4;
      while (end < text.size() && (is_name_char(text[end]) || text[end] == '-')) ++end;
      const std::string anchor = text.substr(at + 4, end - at - 4);
      if (anchor.empty()) continue;  // "format.md#<section>" describing the scheme
      INFO(fs::relative(path, kRoot).string() << ": " << stem << ".md#" << anchor);
      CHECK(anchors[stem].count(anchor) == 1);
      ++citations;
    }
  }
  CHECK(citations >= 20);
}
