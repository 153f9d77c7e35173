// Typed conversion throughput (docs/PERFORMANCE.md#typed-conversion): GB/s of
// float output for BF16, F16 and F8_E4M3 -> float through convert_elements,
// beside memcpy of the same output size, one thread. Best of 30 runs, on
// buffers that fit the L3 and on ones that do not. A measurement, not a test.
//
//   build/release-bench/bench/bench_convert [elements]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "stguard/convert.hpp"

namespace {

template <typename Body>
double best_seconds(Body&& body) {
  double best = 1e30;
  for (int run = 0; run < 30; ++run) {
    const auto start = std::chrono::steady_clock::now();
    body();
    const auto stop = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(stop - start).count());
  }
  return best;
}

void measure(std::size_t elements) {
  std::vector<std::uint8_t> input(elements * 2);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<std::uint8_t>(i * 7 + 3);
  std::vector<float> out(elements, 1.0F);  // touched: no page faults in the timing
  std::vector<float> source(elements, 2.0F);
  const double output_bytes = static_cast<double>(elements) * sizeof(float);
  std::printf("%zu elements (%.1f MiB of float output)\n", elements, output_bytes / (1 << 20));
  const double copy = best_seconds([&] { std::memcpy(out.data(), source.data(), elements * sizeof(float)); });
  std::printf("  %-22s %7.2f GB/s\n", "memcpy (same output)", output_bytes / copy / 1e9);
  for (const stguard::Dtype dtype : {stguard::Dtype::BF16, stguard::Dtype::F16, stguard::Dtype::F8_E4M3}) {
    const std::size_t bytes = elements * stguard::dtype_bits(dtype) / 8;
    bool ok = true;
    const double seconds = best_seconds([&] {
      ok = ok && stguard::convert_elements(dtype, std::span(input.data(), bytes), std::span<float>(out)).ok();
    });
    const std::string label = std::string(stguard::dtype_name(dtype)) + " -> float";
    std::printf("  %-22s %7.2f GB/s  (%.0f%% of memcpy)%s\n", label.c_str(), output_bytes / seconds / 1e9,
                100.0 * copy / seconds, ok ? "" : "  FAILED");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    measure(std::strtoull(argv[1], nullptr, 10));
    return 0;
  }
  measure(std::size_t{1} << 20);  // 4 MiB out: in the L3
  measure(std::size_t{1} << 26);  // 256 MiB out: memory
  return 0;
}
