// One opened file read from many threads at once, in every mode: lookups,
// zero-copy bytes, copies, typed values, slices and copy_all all run
// concurrently on one const Reader. Run under ThreadSanitizer by
// scripts/test.sh (tag [threads]); without it, it still checks every byte.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <latch>
#include <thread>

#include "reader_fixtures.hpp"
#include "stguard/reader.hpp"

using namespace stguard::test;
using stguard::Dtype;
using stguard::Reader;
using stguard::ReaderMode;

namespace {

std::vector<TensorSpec> many_tensors() {
  std::vector<TensorSpec> specs = every_kind_of_tensor();
  for (int i = 0; i < 16; ++i) {
    specs.push_back({"block_" + std::to_string(i), i % 2 ? Dtype::F32 : Dtype::BF16, {64, 33}});
  }
  return specs;
}

// Reads everything `reader` holds; returns how many checks failed.
int read_everything(const Reader& reader, const BuiltFile& built, unsigned seed) {
  int failures = 0;
  const auto fail_unless = [&](bool ok) { failures += ok ? 0 : 1; };
  for (std::size_t round = 0; round < built.names.size(); ++round) {
    // Each thread walks the names from a different start, so threads collide
    // on the same tensors at different moments.
    const std::string& name = built.names[(round + seed * 7) % built.names.size()];
    const Bytes& expected = built.expected.at(name);
    auto view = reader.tensor(name);
    if (!view.ok()) {
      ++failures;
      continue;
    }
    auto copy = view->copy_bytes();
    fail_unless(copy.ok() && *copy == expected);
    if (reader.has_resident_data()) {
      auto bytes = view->bytes();
      fail_unless(bytes.ok() && Bytes(bytes->begin(), bytes->end()) == expected);
    }
    if (view->dtype() == Dtype::F32 && view->element_count() > 0) {
      auto values = view->to_vector<float>();
      fail_unless(values.ok() && values->size() == view->element_count());
      auto first = view->at<float>(0);
      fail_unless(first.ok() && values.ok() && std::memcmp(&*first, values->data(), 4) == 0);
    }
    if (view->rank() >= 1 && view->shape()[0] >= 2 && stguard::dtype_bits(view->dtype()) >= 8) {
      auto slice = view->slice("1:2");
      fail_unless(slice.ok());
      if (slice.ok()) {
        auto part = slice->copy_bytes();
        const std::size_t row = expected.size() / view->shape()[0];
        fail_unless(part.ok() && *part == Bytes(expected.begin() + static_cast<std::ptrdiff_t>(row),
                                                expected.begin() + static_cast<std::ptrdiff_t>(2 * row)));
      }
    }
  }
  auto all = reader.copy_all();
  fail_unless(all.ok() && all->size() == built.names.size());
  return failures;
}

}  // namespace

TEST_CASE("one reader is read from many threads at once", "[reader][threads]") {
  const BuiltFile built = build_file(many_tensors(), {{"format", "pt"}}, 3);
  TempDir dir;
  const auto path = dir.write("shared.safetensors", built.bytes).string();

  std::vector<Reader> readers;
  for (const ReaderMode mode : {ReaderMode::mapped, ReaderMode::snapshot, ReaderMode::pread}) {
    stguard::ReaderOptions options;
    options.mode = mode;
    auto reader = Reader::open(path, options);
    REQUIRE(reader.ok());
    readers.push_back(std::move(reader).value());
  }
  auto borrowed = Reader::from_memory(built.bytes);
  REQUIRE(borrowed.ok());
  readers.push_back(std::move(borrowed).value());

  for (const Reader& reader : readers) {
    INFO("mode " << stguard::reader_mode_name(reader.mode()));
    constexpr unsigned kThreads = 6;
    std::atomic<int> failures{0};
    std::latch start(kThreads);  // all threads begin together, so their reads overlap
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int repeat = 0; repeat < 3; ++repeat) failures += read_everything(reader, built, t + repeat);
      });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(failures.load() == 0);
  }
}
