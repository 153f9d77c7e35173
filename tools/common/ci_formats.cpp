// GitHub workflow commands and JUnit XML (ci_formats.hpp).
#include "common/ci_formats.hpp"

#include <algorithm>

#include "common/report.hpp"
#include "stguard/escape.hpp"

namespace stguard::cli {
namespace {

struct Substitution {
  char from;
  std::string_view to;
};

// GitHub's workflow-command escaping (a property value also needs ':' and ',')
// and XML's five entities.
constexpr Substitution kGithubMessage[] = {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}};
constexpr Substitution kGithubProperty[] = {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}, {':', "%3A"}, {',', "%2C"}};
constexpr Substitution kXmlEntities[] = {
    {'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&apos;"}};

std::string substituted(std::string_view text, std::span<const Substitution> table) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto hit = std::find_if(table.begin(), table.end(), [c](const Substitution& s) { return s.from == c; });
    if (hit == table.end()) {
      out += c;
    } else {
      out += hit->to;
    }
  }
  return out;
}

std::string_view github_level(AnnotationLevel level) {
  switch (level) {
    case AnnotationLevel::error: return "error";
    case AnnotationLevel::warning: return "warning";
    case AnnotationLevel::notice: return "notice";
  }
  return "notice";
}

std::string annotation(std::string_view level, const std::string& file, std::string_view title,
                       std::string_view message) {
  return "::" + std::string(level) + " file=" + github_escape_property(file) + ",title=" +
         github_escape_property(title) + "::" + github_escape_message(message) + "\n";
}

std::string error_title(std::string_view tool, const CiFile& file) {
  return std::string(tool) + ": " + (file.status == "unreadable" ? "unreadable file" : "invalid safetensors file");
}

}  // namespace

std::string github_escape_message(std::string_view text) { return substituted(text, kGithubMessage); }
std::string github_escape_property(std::string_view text) { return substituted(text, kGithubProperty); }

std::string write_github_annotations(std::span<const CiFile> files, std::string_view tool, const ArtifactBase& base,
                                     std::string_view summary_line) {
  std::string out;
  for (const CiFile& file : files) {
    // Display escaping first: no control character of a hostile name reaches the log.
    const std::string path = escape_for_display(base.repository_path(file.path));
    if (file.error) out += annotation("error", path, error_title(tool, file), cli::format_error(*file.error));
    for (const CiFinding& finding : file.findings) {
      out += annotation(github_level(finding.level), path, std::string(tool) + ": " + finding.rule + " (" + finding.severity + ")",
                        guard_escaped_for_display(finding.message));
    }
  }
  return out + std::string(summary_line) + "\n";
}

std::string xml_escape(std::string_view already_escaped) {
  // Line by line, so that line breaks of multi-line bodies survive the guard.
  std::string safe;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = already_escaped.find('\n', start);
    safe += guard_escaped_for_display(already_escaped.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    safe += '\n';
    start = end + 1;
  }
  return substituted(safe, kXmlEntities);
}

std::string write_junit(std::span<const CiFile> files, std::string_view tool) {
  std::size_t failures = 0;
  std::size_t errors = 0;
  for (const CiFile& file : files) {
    if (file.status == "unreadable") {
      ++errors;
    } else if (file.fails) {
      ++failures;
    }
  }
  const std::string name = xml_escape(tool);
  const std::string counts = " tests=\"" + std::to_string(files.size()) + "\" failures=\"" + std::to_string(failures) +
                             "\" errors=\"" + std::to_string(errors) + "\"";
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"" + name + "\"" + counts + ">\n";
  out += "  <testsuite name=\"" + name + "\"" + counts + " skipped=\"0\">\n";
  for (const CiFile& file : files) {
    const std::string path = xml_escape(escape_for_display(file.path));
    out += "    <testcase name=\"" + path + "\" classname=\"" + name + "\" file=\"" + path + "\">\n";
    std::string failing;
    std::string passing;
    for (const CiFinding& finding : file.findings) {
      std::string line = finding.rule + " " + finding.severity + ": " + finding.message + "\n";
      (finding.fails ? failing : passing) += line;
    }
    if (file.status == "unreadable" && file.error) {
      out += "      <error type=\"" + std::string(error_code_name(file.error->code)) + "\" message=\"" +
             xml_escape(cli::format_error(*file.error)) + "\"/>\n";
    } else if (file.fails) {
      const std::string type = file.error ? std::string(error_code_name(file.error->code)) : std::string("findings");
      const auto failing_count = static_cast<std::uint64_t>(std::count(failing.begin(), failing.end(), '\n'));
      const std::string message = file.error ? cli::format_error(*file.error)
                                             : count_of(failing_count, "finding") + " at or above the --fail-on severity";
      out += "      <failure type=\"" + xml_escape(type) + "\" message=\"" + xml_escape(message) + "\">" +
             xml_escape(failing) + "</failure>\n";
    }
    const std::string output = (file.detail.empty() ? std::string() : file.detail + "\n") + passing;
    if (!output.empty()) out += "      <system-out>" + xml_escape(output) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace stguard::cli
