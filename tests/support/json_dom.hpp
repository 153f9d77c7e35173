// Parses tool output as JSON (RapidJSON DOM) and fails the test, showing the
// start of the text, when it is not JSON.
#pragma once

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>

namespace stguard::test {

inline rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  INFO(text.substr(0, 400));
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

}  // namespace stguard::test
