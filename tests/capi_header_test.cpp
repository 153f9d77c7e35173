// stguard.h lists every stable error code as STG_<NAME> = <number>: the C
// header and the C++ code table (error.cpp, docs/errors.md) cannot drift.
// The C API returns any code numerically and names it from the C++ table, so
// a new code works through C at once; this test makes the header say so too.
// It also compiles stguard.h inside a C++ translation unit.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "stguard/error.hpp"
#include "stguard/stguard.h"

namespace {

std::string header_text() {
  std::ifstream in(std::string(STGUARD_SOURCE_DIR) + "/lib/include/stguard/stguard.h", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("stguard.h lists every stable error code with its number", "[capi]") {
  const std::string text = header_text();
  REQUIRE(!text.empty());
  std::set<std::string> listed;
  const std::regex entry(R"(STG_([A-Z0-9_]+) = ([0-9]+),)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), entry); it != std::sregex_iterator(); ++it) {
    listed.insert((*it)[1].str() + "=" + (*it)[2].str());
  }
  std::size_t codes = 0;
  for (const stguard::ErrorCode code : stguard::all_error_codes()) {
    const std::string expected =
        std::string(stguard::error_code_name(code)) + "=" + std::to_string(static_cast<int>(code));
    INFO("add `STG_" << stguard::error_code_name(code) << " = " << static_cast<int>(code)
                     << ",` to enum stg_status in lib/include/stguard/stguard.h");
    CHECK(listed.count(expected) == 1);
    ++codes;
  }
  CHECK(codes >= 73);
  // And the other way: every status the header lists is a code of the library.
  const auto begin = text.find("typedef enum stg_status {");
  const auto end = text.find("} stg_status;");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const std::string block = text.substr(begin, end - begin);
  std::size_t statuses = 0;
  for (auto it = std::sregex_iterator(block.begin(), block.end(), entry); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1].str();
    if (name == "OK") continue;
    INFO("STG_" << name << " in stguard.h");
    const auto code = stguard::error_code_from_name(name);
    REQUIRE(code.has_value());
    CHECK(std::to_string(static_cast<int>(*code)) == (*it)[2].str());
    ++statuses;
  }
  CHECK(statuses == codes);
  // Spot checks that the enum constants themselves carry the numbers.
  CHECK(STG_DATA_TRUNCATED == static_cast<int>(stguard::ErrorCode::data_truncated));
  CHECK(STG_INTERNAL_ERROR == static_cast<int>(stguard::ErrorCode::internal_error));
}
