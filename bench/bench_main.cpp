// stguard_bench: the Google Benchmark executable of the suite. Owns the
// command line (its own --dir/--tmpdir/--disk-dir plus every --benchmark_*
// flag) and the registration order; the helpers live in bench_common.cpp.
//
//   stguard_bench --dir=bench/work [--tmpdir=/dev/shm] [--disk-dir=DIR]
//                 [--benchmark_filter=REGEX] [--benchmark_repetitions=N] ...
//
// Benchmarks are registered at run time because their names carry the
// corpus files they measure, and files absent from --dir are left out.
#include <cstdio>
#include <string_view>

#include "bench_common.hpp"

int main(int argc, char** argv) {
  using namespace stguard::bench;
  benchmark::Initialize(&argc, argv);  // removes the --benchmark_* flags it knows
  BenchEnv values;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--dir=")) {
      values.dir = arg.substr(6);
    } else if (arg.starts_with("--tmpdir=")) {
      values.tmpdir = arg.substr(9);
    } else if (arg.starts_with("--disk-dir=")) {
      values.disk_dir = arg.substr(11);
    } else {
      std::fprintf(stderr, "stguard_bench: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (values.disk_dir.empty()) values.disk_dir = values.dir;
  set_env(values);

  register_reference_benchmarks();
  register_header_benchmarks();
  register_open_benchmarks();
  register_copy_benchmarks();
  register_write_benchmarks();
  register_audit_benchmarks();

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
