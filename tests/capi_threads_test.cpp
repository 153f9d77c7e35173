// The C API's thread rules (stguard.h): one stg_reader and one stg_header
// used from many threads at once, while other threads create, use and free
// handles of their own and retry freed ones, so the handle registry is
// contended. Run under ThreadSanitizer by scripts/test.sh (tag [threads]);
// without it, it still checks every byte and status.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <latch>
#include <thread>
#include <vector>

#include "reader_fixtures.hpp"
#include "stguard/stguard.h"

using namespace stguard::test;

namespace {

// Reads every tensor of the shared reader through the shared header.
int read_all(const stg_reader* reader, const stg_header* header, const BuiltFile& built) {
  int failures = 0;
  std::size_t count = 0;
  if (stg_header_tensor_count(header, &count) != STG_OK || count != built.names.size()) return 1;
  std::vector<std::uint8_t> copy;
  for (std::size_t i = 0; i < count; ++i) {
    const char* name = nullptr;
    std::size_t length = 0;
    std::uint64_t size = 0;
    if (stg_header_tensor_name(header, i, &name, &length) != STG_OK ||
        stg_reader_tensor_size(reader, i, &size) != STG_OK) {
      ++failures;
      continue;
    }
    const Bytes& expected = built.expected.at(std::string(name, length));
    copy.assign(static_cast<std::size_t>(size), 0);
    failures += stg_reader_copy_tensor(reader, i, copy.data(), copy.size(), nullptr) == STG_OK && copy == expected
                    ? 0
                    : 1;
    const void* bytes = nullptr;
    std::size_t bytes_size = 0;
    failures += stg_reader_tensor_bytes(reader, i, &bytes, &bytes_size, nullptr) == STG_OK &&
                        bytes_size == expected.size() &&
                        (expected.empty() || std::memcmp(bytes, expected.data(), bytes_size) == 0)
                    ? 0
                    : 1;
  }
  return failures;
}

// Handles of its own: made, used, freed, then refused.
int churn_handles(const Bytes& file) {
  int failures = 0;
  for (int round = 0; round < 50; ++round) {
    stg_error* err = nullptr;
    stg_header* header = nullptr;
    failures += stg_error_new(&err) == STG_OK ? 0 : 1;
    failures += stg_validate_buffer(nullptr, file.data(), file.size(), &header, err) == STG_OK ? 0 : 1;
    failures += stg_header_free(header) == STG_OK ? 0 : 1;
    failures += stg_header_free(header) == STG_INVALID_ARGUMENT ? 0 : 1;
    failures += stg_validate_buffer(nullptr, file.data(), file.size() - 1, nullptr, err) == STG_DATA_TRUNCATED ? 0 : 1;
    failures += stg_error_free(err) == STG_OK ? 0 : 1;
  }
  return failures;
}

}  // namespace

TEST_CASE("one stg_reader and stg_header serve many threads while others churn handles", "[threads][capi]") {
  const BuiltFile built = build_file(every_kind_of_tensor());
  const TempDir dir;
  const std::string path = dir.write("threads.safetensors", built.bytes).string();
  stg_reader* reader = nullptr;
  REQUIRE(stg_reader_open(nullptr, path.c_str(), STG_READER_MAPPED, &reader, nullptr) == STG_OK);
  stg_header* header = nullptr;
  REQUIRE(stg_reader_header(reader, &header) == STG_OK);

  constexpr int kThreads = 6;
  std::atomic<int> failures{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int round = 0; round < 5; ++round) {
        failures += t % 2 == 0 ? read_all(reader, header, built) : churn_handles(built.bytes);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(stg_header_free(header) == STG_OK);
  CHECK(stg_reader_free(reader) == STG_OK);
}
