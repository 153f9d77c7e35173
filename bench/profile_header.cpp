// profile_header: strict (or compat) validation of one corpus file's header,
// held in memory, repeated --calls times: the subject that
// bench/profile_header.sh runs under callgrind, with collection switched on
// only inside validate_once (parse_header and freeing its result, as one
// iteration of the header/strict benchmark), so reading the file and starting
// the process are not counted. Prints what the script needs to turn
// instruction counts into per-call and per-tensor figures.
//
//   profile_header FILE [--compat] [--calls N]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "bench_common.hpp"
#include "stguard/validate.hpp"

namespace stguard::bench {

// Out of line so callgrind can switch collection on by its name.
[[gnu::noinline]] Result<std::size_t> validate_once(const HeaderBytes& bytes, const Options& options) {
  auto header = parse_header(bytes.header(), bytes.data_size, options);
  if (!header) return std::move(header).error();
  return header->tensor_count();
}

}  // namespace stguard::bench

int main(int argc, char** argv) {
  using namespace stguard;
  std::string path;
  Options options = Options::strict();
  long calls = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--compat") {
      options = Options::compat();
    } else if (arg == "--calls" && i + 1 < argc) {
      calls = std::strtol(argv[++i], nullptr, 10);
    } else if (path.empty() && !arg.starts_with("-")) {
      path = arg;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty() || calls < 1) {
    std::fprintf(stderr, "usage: profile_header FILE [--compat] [--calls N]\n");
    return 2;
  }
  const bench::HeaderBytes bytes = bench::read_header_bytes(path);
  std::size_t tensors = 0;
  for (long call = 0; call < calls; ++call) {
    auto count = bench::validate_once(bytes, options);
    if (!count) {
      std::fprintf(stderr, "profile_header: %s: %s\n", path.c_str(), count.error().message.c_str());
      return 1;
    }
    tensors = *count;
  }
  std::printf("file=%s calls=%ld tensors=%zu header_bytes=%zu\n", path.c_str(), calls, tensors,
              bytes.header().size());
  return 0;
}
