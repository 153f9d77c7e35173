// ci_output: what the CI job does with names from the filesystem, which an
// attacker controls (a repository is untrusted): the --include/--exclude
// glob matcher and the escaping of GitHub workflow commands and JUnit XML.
// Input: a glob pattern, a 0x00 byte, then a path. Properties: the matcher
// terminates quickly on any pattern and path (it is iterative with bounded
// backtracking; the fuzzer's timeout catches a regression), agrees with
// itself and with a literal comparison for patterns without metacharacters;
// a GitHub property value carries no ':', ',', CR or LF, a message no CR or
// LF; XML text carries none of < > & " ' and no control character but LF.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/ci_formats.hpp"
#include "common/path_pattern.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const std::string_view pattern_text = input.substr(0, split);
  const std::string_view path = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);

  if (const auto pattern = stguard::cli::PathPattern::parse(pattern_text)) {
    const bool matched = pattern->matches(path);
    FUZZ_CHECK(matched == pattern->matches(path));
    const bool literal = pattern_text.find_first_of("*?[\\/") == std::string_view::npos;
    if (literal && path.find('/') == std::string_view::npos) FUZZ_CHECK(matched == (pattern_text == path));
  }

  const std::string property = stguard::cli::github_escape_property(path);
  FUZZ_CHECK(property.find_first_of(":,\r\n") == std::string::npos);
  const std::string message = stguard::cli::github_escape_message(path);
  FUZZ_CHECK(message.find_first_of("\r\n") == std::string::npos);

  const std::string xml = stguard::cli::xml_escape(path);
  FUZZ_CHECK(xml.find_first_of("<>\"'") == std::string::npos);
  for (std::size_t i = 0; i < xml.size(); ++i) {
    const auto byte = static_cast<unsigned char>(xml[i]);
    FUZZ_CHECK(byte >= 0x20 || byte == '\n');
    FUZZ_CHECK(byte != 0x7F);
    if (xml[i] == '&') {
      const std::string_view rest = std::string_view(xml).substr(i);
      FUZZ_CHECK(rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;") ||
                 rest.starts_with("&quot;") || rest.starts_with("&apos;"));
    }
  }
  return 0;
}
