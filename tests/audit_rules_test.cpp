// The rule table and its documentation agree: every rule has a section in
// docs/audit-rules.md, in table order, with the same name and default
// severity; ids are unique and stable in form; lookups round-trip.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "stguard/audit_rules.hpp"

namespace audit = stguard::audit;

namespace {

struct DocumentedRule {
  std::string id;
  std::string name;
  std::string severity_line;
};

std::vector<DocumentedRule> documented_rules() {
  std::ifstream in(std::string(STGUARD_SOURCE_DIR) + "/docs/audit-rules.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const auto begin = doc.find("<!-- rules:begin -->");
  const auto end = doc.find("<!-- rules:end -->");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::istringstream lines(doc.substr(begin, end - begin));
  std::vector<DocumentedRule> rules;
  const std::regex heading(R"(^## (STG-[A-Z]+-[0-9]{3}) — ([A-Za-z0-9]+)$)");
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, heading)) {
      rules.push_back({match[1], match[2], {}});
    } else if (line.rfind("- **Severity:** ", 0) == 0 && !rules.empty()) {
      rules.back().severity_line = line.substr(16);
    }
  }
  return rules;
}

}  // namespace

TEST_CASE("audit rules: table and docs/audit-rules.md agree", "[audit][rules]") {
  const auto documented = documented_rules();
  const auto rules = audit::all_rules();
  REQUIRE(documented.size() == rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    INFO(rules[i].id);
    CHECK(documented[i].id == rules[i].id);
    CHECK(documented[i].name == rules[i].name);
    // The line starts with the default severity ("high when ...", "low.").
    CHECK(documented[i].severity_line.rfind(std::string(audit::severity_name(rules[i].severity)), 0) == 0);
  }
}

TEST_CASE("audit rules: ids are unique, well formed, and round-trip", "[audit][rules]") {
  std::set<std::string_view> ids;
  std::set<std::string_view> names;
  const std::regex form(R"(STG-(STRICT|HDR|LAY|NAME|META|POLY|VAL|SHARD|CFG)-[0-9]{3})");
  for (const auto& rule : audit::all_rules()) {
    INFO(rule.id);
    CHECK(std::regex_match(std::string(rule.id), form));
    CHECK(ids.insert(rule.id).second);
    CHECK(names.insert(rule.name).second);
    CHECK_FALSE(rule.summary.empty());
    CHECK_FALSE(rule.rationale.empty());
    CHECK(audit::rule_from_id(rule.id) == rule.rule);
    CHECK(audit::rule_id(rule.rule) == rule.id);
    CHECK(&audit::rule_info(rule.rule) == &rule);
  }
  CHECK_FALSE(audit::rule_from_id("STG-HDR-999"));
  CHECK_FALSE(audit::rule_from_id("stg-hdr-001"));
}

TEST_CASE("audit rules: severities and index error codes", "[audit][rules]") {
  for (const auto severity : {audit::Severity::info, audit::Severity::low, audit::Severity::medium, audit::Severity::high}) {
    CHECK(audit::severity_from_name(audit::severity_name(severity)) == severity);
  }
  CHECK_FALSE(audit::severity_from_name("critical"));
  CHECK(audit::Severity::info < audit::Severity::low);
  CHECK(audit::Severity::medium < audit::Severity::high);

  // Every index_* error code has its sharded-checkpoint rule, numbered alike.
  for (const stguard::ErrorCode code : stguard::all_error_codes()) {
    const auto rule = audit::rule_for_index_error(code);
    if (stguard::error_class_of(code) != stguard::ErrorClass::index) {
      CHECK_FALSE(rule);
      continue;
    }
    REQUIRE(rule);
    const auto number = static_cast<unsigned>(code) - 1000;
    CHECK(audit::rule_id(*rule) == "STG-SHARD-00" + std::to_string(number));
  }
}
