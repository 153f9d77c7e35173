// The pieces of the CI job below the tools: the --include/--exclude globs
// (including patterns that would blow up a naive matcher), base-relative
// paths, GitHub's workflow-command escaping, XML escaping and the directory
// walk's order, link and claim rules. The whole job, end to end, is
// tests/ci/repository_acceptance.py.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "common/artifact_path.hpp"
#include "common/ci_formats.hpp"
#include "common/path_pattern.hpp"
#include "common/repository_walk.hpp"
#include "support/test_files.hpp"

using stguard::cli::ArtifactBase;
using stguard::cli::PathPattern;
using stguard::cli::Target;
using namespace stguard::test;

namespace {

bool glob(std::string_view pattern, std::string_view path) {
  const auto parsed = PathPattern::parse(pattern);
  REQUIRE(parsed.has_value());
  return parsed->matches(path);
}

Bytes good_file() { return make_file(R"({"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 2); }

}  // namespace

TEST_CASE("globs: * and ? stay in a segment, ** spans segments, a name pattern matches at any depth", "[ci][glob]") {
  CHECK(glob("*.safetensors", "model.safetensors"));
  CHECK(glob("*.safetensors", "a/b/model.safetensors"));  // no '/': the name, at any depth
  CHECK_FALSE(glob("*.safetensors", "model.safetensors.index.json"));
  CHECK_FALSE(glob("*.safetensors", "a.safetensors/readme"));
  CHECK(glob("a/*.safetensors", "a/x.safetensors"));
  CHECK_FALSE(glob("a/*.safetensors", "a/b/x.safetensors"));  // '*' never crosses '/'
  CHECK_FALSE(glob("a/*.safetensors", "b/a/x.safetensors"));  // with '/': the whole path
  CHECK(glob("a/**/x.safetensors", "a/x.safetensors"));       // zero segments
  CHECK(glob("a/**/x.safetensors", "a/b/c/x.safetensors"));
  CHECK(glob("**/x", "x"));
  CHECK(glob("**/x", "p/q/x"));
  CHECK(glob("vendor/**", "vendor/a/b"));
  CHECK_FALSE(glob("vendor/**", "vendors/a"));
  CHECK(glob("/top.safetensors", "top.safetensors"));  // a leading '/' anchors
  CHECK_FALSE(glob("/top.safetensors", "sub/top.safetensors"));
  CHECK(glob("model-0000?-of-*.safetensors", "model-00001-of-00002.safetensors"));
  CHECK_FALSE(glob("?", "/"));
  CHECK(glob("[a-c]x", "bx"));
  CHECK_FALSE(glob("[!a-c]x", "bx"));
  CHECK(glob("[^a-c]x", "dx"));
  CHECK(glob("[]]", "]"));
  CHECK(glob("\\*", "*"));
  CHECK_FALSE(glob("\\*", "a"));
  CHECK(glob("tmp/", "x/tmp"));  // "dir/" names the folder
  CHECK_FALSE(glob("*.SAFETENSORS", "a.safetensors"));  // case-sensitive
}

TEST_CASE("globs: malformed patterns are refused with a reason", "[ci][glob]") {
  std::string problem;
  CHECK_FALSE(PathPattern::parse("[abc", &problem));
  CHECK(problem == "an unterminated '['");
  CHECK_FALSE(PathPattern::parse("abc\\", &problem));
  CHECK(problem == "a trailing '\\'");
  CHECK_FALSE(PathPattern::parse("", &problem));
  CHECK_FALSE(PathPattern::parse("//", &problem));
}

TEST_CASE("globs: hostile patterns and names cost polynomial time", "[ci][glob]") {
  const std::string pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
  const std::string name(4096, 'a');
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(glob(pattern, name));
  CHECK_FALSE(glob("**/**/**/**/**/**/**/**/b", std::string(2000, '/') + "a"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("paths relative to the base: lexical, inside only", "[ci][paths]") {
  const ArtifactBase base("/repo/models");
  CHECK(base.absolute() == "/repo/models");
  CHECK(base.relative("/repo/models/a/b.safetensors") == "a/b.safetensors");
  CHECK(base.relative("/repo/models/./a/../b.safetensors") == "b.safetensors");
  CHECK_FALSE(base.relative("/repo/models-old/b.safetensors"));
  CHECK_FALSE(base.relative("/repo/b.safetensors"));
  CHECK(base.repository_path("/elsewhere/x") == "/elsewhere/x");
  CHECK(ArtifactBase("/").relative("/x/y") == "x/y");
  CHECK(stguard::cli::absolute_folded("/a/b/../../../c") == "/c");
}

TEST_CASE("GitHub workflow commands: the escaping GitHub requires", "[ci][github]") {
  CHECK(stguard::cli::github_escape_message("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad");
  CHECK(stguard::cli::github_escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad");

  stguard::cli::CiFile bad;
  bad.path = "/odd,name:\x1b[31m.safetensors";  // "odd,..." relative to the base "/"
  bad.status = "invalid";
  bad.error = stguard::make_error(stguard::ErrorCode::data_truncated, "the file is short");
  bad.fails = true;
  using stguard::cli::AnnotationLevel;
  bad.findings.push_back({"STG-POLY-001", "high", "a ZIP: 50% sure", true, AnnotationLevel::error});
  bad.findings.push_back({"STG-VAL-001", "medium", "NaN", false, AnnotationLevel::warning});
  bad.findings.push_back({"STG-HDR-001", "info", "unaligned", false, AnnotationLevel::notice});
  const std::string out = stguard::cli::write_github_annotations(std::span(&bad, 1), "st-audit", ArtifactBase("/"),
                                                                 "1 file: 0 valid");
  CHECK(out.find('\x1b') == std::string::npos);  // escaped for display before GitHub's escaping
  CHECK(out.find("::error file=odd%2Cname%3A\\x1b[31m.safetensors,title=st-audit%3A invalid safetensors file::"
                 "[DATA_TRUNCATED] the file is short\n") != std::string::npos);
  CHECK(out.find("::error file=odd%2Cname%3A\\x1b[31m.safetensors,title=st-audit%3A STG-POLY-001 (high)::a ZIP: 50%25 sure\n") !=
        std::string::npos);
  CHECK(out.find("::warning file=") != std::string::npos);  // medium, below --fail-on
  CHECK(out.find("::notice file=") != std::string::npos);   // info
  CHECK(out.substr(out.size() - 16) == "1 file: 0 valid\n");
}

TEST_CASE("JUnit: XML escaping keeps markup and control characters out", "[ci][junit]") {
  CHECK(stguard::cli::xml_escape("<a href=\"x\">&'</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  CHECK(stguard::cli::xml_escape("line\x01one\nline two") == "line\\x01one\nline two");
  stguard::cli::CiFile file;
  file.path = "]]></testcase><x>.safetensors";
  file.status = "unreadable";
  file.error = stguard::make_error(stguard::ErrorCode::io_open_failed, "cannot open");
  const std::string xml = stguard::cli::write_junit(std::span(&file, 1), "st-validate");
  CHECK(xml.find("<x>") == std::string::npos);
  CHECK(xml.find("name=\"]]&gt;&lt;/testcase&gt;&lt;x&gt;.safetensors\"") != std::string::npos);
  CHECK(xml.find("<error type=\"IO_OPEN_FAILED\"") != std::string::npos);
  CHECK(xml.find("errors=\"1\"") != std::string::npos);
}

TEST_CASE("the walk: name order, links inside followed once, links out reported, shards claimed", "[ci][walk]") {
  TempDir dir;
  const auto root = dir.path() / "repo";
  std::filesystem::create_directories(root / "b" / "c");
  std::filesystem::create_directories(dir.path() / "outside");
  std::filesystem::create_directories(root / "shards");
  dir.write("repo/b/c/z.safetensors", good_file());
  dir.write("repo/a.safetensors", good_file());
  dir.write("repo/skip.txt", good_file());
  dir.write("outside/o.safetensors", good_file());
  dir.write("repo/shards/m-1.safetensors", good_file());
  dir.write("repo/shards/loose.safetensors", good_file());
  dir.write("repo/shards/m.safetensors.index.json",
            as_bytes(R"({"weight_map": {"w": "m-1.safetensors", "v": "m-2.safetensors"}})"));
  std::filesystem::create_symlink("a.safetensors", root / "link.safetensors");
  std::filesystem::create_symlink("../outside/o.safetensors", root / "out.safetensors");
  std::filesystem::create_symlink("../outside", root / "outdir");
  std::filesystem::create_symlink("b", root / "bdir");
  std::filesystem::create_symlink("nowhere", root / "dangling.safetensors");

  const auto list = stguard::cli::collect_targets({root.string()}, {});
  std::vector<std::string> seen;
  for (const Target& target : list.targets) {
    seen.push_back(std::filesystem::path(target.path).lexically_relative(root).string() + " " +
                   (target.kind == Target::Kind::file ? "file" : target.kind == Target::Kind::index ? "index" : "unreadable"));
  }
  const std::vector<std::string> expected = {
      "a.safetensors file",            // link.safetensors is the same file: judged once
      "b/c/z.safetensors file",        // bdir/ is not entered: b/ is walked at its place
      "dangling.safetensors unreadable",
      "out.safetensors unreadable",
      "outdir unreadable",
      "shards/loose.safetensors file",  // m-1 is judged with its index
      "shards/m.safetensors.index.json index",
  };
  CHECK(seen == expected);
  CHECK(list.directories_walked == 1);
  const Target& index = list.targets.back();
  REQUIRE(index.shards.size() == 2);
  CHECK(index.shards[0] == root.string() + "/shards/m-1.safetensors");

  stguard::cli::WalkOptions only_b;
  only_b.include.push_back(*PathPattern::parse("b/**"));
  only_b.exclude.push_back(*PathPattern::parse("out*"));
  const auto narrowed = stguard::cli::collect_targets({root.string()}, only_b);
  REQUIRE(narrowed.targets.size() == 1);
  CHECK(narrowed.targets[0].path == root.string() + "/b/c/z.safetensors");

  // An index whose shard is a link out of the tree is not judged (that would follow the link).
  std::filesystem::create_directories(root / "linked");
  dir.write("repo/linked/m.safetensors.index.json", as_bytes(R"({"weight_map": {"w": "m-1.safetensors"}})"));
  std::filesystem::create_symlink("../../outside/o.safetensors", root / "linked" / "m-1.safetensors");
  stguard::cli::WalkOptions linked_only;
  linked_only.include.push_back(*PathPattern::parse("linked/*"));
  linked_only.exclude.push_back(*PathPattern::parse("outdir"));  // a folder link out is reported whatever the include
  const auto linked = stguard::cli::collect_targets({root.string()}, linked_only);
  REQUIRE(linked.targets.size() == 2);
  CHECK(linked.targets[0].path == root.string() + "/linked/m-1.safetensors");
  CHECK(linked.targets[0].kind == Target::Kind::unreadable);
  CHECK(linked.targets[1].kind == Target::Kind::unreadable);
  CHECK(linked.targets[1].error->message.find("shard \"m-1.safetensors\" is a symbolic link") != std::string::npos);

  std::filesystem::create_directories(dir.path() / "empty");
  CHECK(stguard::cli::collect_targets({(dir.path() / "empty").string()}, {}).targets.empty());
}
