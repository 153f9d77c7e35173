// The error model is a contract: every code has a unique stable name, a class
// matching its number, a summary, and a row in docs/errors.md.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "stguard/error.hpp"

using namespace stguard;

TEST_CASE("error codes have unique names, classes and summaries", "[errors]") {
  std::set<std::string_view> names;
  std::size_t count = 0;
  for (const ErrorCode code : all_error_codes()) {
    ++count;
    const std::string_view name = error_code_name(code);
    INFO(name);
    CHECK(name != "UNKNOWN_ERROR");
    CHECK(names.insert(name).second);
    CHECK(error_code_from_name(name) == code);
    CHECK_FALSE(error_code_summary(code).empty());
    const auto number = static_cast<unsigned>(code);
    const ErrorClass cls = error_class_of(code);
    if (number < 1000) CHECK(static_cast<unsigned>(cls) == number / 100);
    CHECK_FALSE(error_class_name(cls).empty());
  }
  CHECK(count >= 60);
  CHECK_FALSE(error_code_from_name("NOT_A_CODE").has_value());
}

TEST_CASE("docs/errors.md lists every code with its number and class", "[errors][docs]") {
  std::ifstream in(std::filesystem::path(STGUARD_SOURCE_DIR) / "docs" / "errors.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const ErrorCode code : all_error_codes()) {
    const std::string row = "| " + std::to_string(static_cast<unsigned>(code)) + " | `" +
                            std::string(error_code_name(code)) + "` | " +
                            std::string(error_class_name(error_class_of(code))) + " |";
    INFO(row);
    CHECK(doc.find(row) != std::string::npos);
  }
}
