// make_bench_files: writes the benchmark corpus (bench_files.hpp) into a
// folder, and a corpus.tsv describing it for the results summary.
//
// Files whose data a benchmark reads (GPT-2 small, every dtype, the 1,000
// small files) are written by the library's FileBuilder with generated
// values. Files whose data is never read (the header series, the growing
// series up to 8 GB, the 13.5 GB Llama-7B) get the writer's canonical header
// (serialize_header) and a sparse data region from ftruncate: they cost no
// disk and no time, and validation must not care.
//
//   make_bench_files --dir bench/work [--only NAME,NAME]
//   NAME: gpt2 llama headers grow dtypes small (default: all); corpus.tsv
//   then lists only the files this run wrote.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench_files.hpp"
#include "stguard/atomic_file.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/writer.hpp"

namespace {

using namespace stguard;
using namespace stguard::bench;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "make_bench_files: %s\n", what.c_str());
  std::exit(1);
}

void check(const Status& status, const std::string& what) {
  if (!status) die(what + ": " + status.error().message);
}

struct Row {
  std::string name;
  std::size_t tensors = 0;
  std::uint64_t header_bytes = 0;
  std::uint64_t data_bytes = 0;
  std::uint64_t file_bytes = 0;
  bool sparse = false;
};

// Validates what was written, so no benchmark ever runs on a broken file.
Row describe(const std::string& dir, const std::string& name, bool sparse) {
  auto header = validate_path(dir + "/" + name);
  if (!header) die(name + " fails validation: " + header.error().message);
  return Row{name, header->tensor_count(), header->header_length(), header->data_size(), header->file_size(), sparse};
}

void write_all(int fd, std::span<const std::uint8_t> bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("write " + path + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

// The writer's canonical header, then ftruncate to the full size: the data
// region is a hole that reads as zeros.
Row write_sparse(const std::string& dir, const std::string& name, const HeaderSpec& spec) {
  auto header = serialize_header(spec);
  if (!header) die(name + ": " + header.error().message);
  const std::string path = dir + "/" + name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  write_all(fd, header->bytes, path);
  if (::ftruncate(fd, static_cast<off_t>(header->header.file_size())) != 0) {
    die("ftruncate " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  return describe(dir, name, true);
}

// Every tensor's values come from a producer, 1 MiB at a time, so a 500 MB
// model never sits in memory here.
Row write_generated(const std::string& dir, const std::string& name, const HeaderSpec& spec) {
  FileBuilder builder;
  for (std::size_t index = 0; index < spec.tensors.size(); ++index) {
    const TensorSpec& tensor = spec.tensors[index];
    const std::uint64_t size = tensor_bytes(tensor);
    const Dtype dtype = tensor.dtype;
    check(builder.add_tensor(tensor.name, dtype, tensor.shape,
                             [size, dtype, index](ByteSink& out) -> Status {
                               constexpr std::uint64_t kChunk = std::uint64_t{1} << 20U;  // multiple of 8
                               std::vector<std::uint8_t> chunk(static_cast<std::size_t>(std::min(kChunk, size)));
                               for (std::uint64_t done = 0, part = 0; done < size; done += kChunk, ++part) {
                                 const auto length = static_cast<std::size_t>(std::min(kChunk, size - done));
                                 const std::span<std::uint8_t> bytes(chunk.data(), length);
                                 fill_values(dtype, index * 1'000'003 + part, bytes);
                                 if (Status status = out.write(bytes); !status) return status;
                               }
                               return {};
                             }),
          name + ": add " + tensor.name);
  }
  for (const MetadataEntry& entry : spec.metadata) check(builder.set_metadata(entry.key, entry.value), name);
  AtomicWriteOptions atomic;
  atomic.durable = false;  // a benchmark input, not a checkpoint to protect
  check(builder.save_to_path(dir + "/" + name, atomic), "save " + name);
  return describe(dir, name, false);
}

// One small file made by the writer in memory, then copied 1,000 times.
Row write_small_files(const std::string& dir) {
  const HeaderSpec spec = small_mlp();
  std::vector<std::vector<std::uint8_t>> buffers;
  FileBuilder builder;
  for (std::size_t index = 0; index < spec.tensors.size(); ++index) {
    const TensorSpec& tensor = spec.tensors[index];
    buffers.emplace_back(static_cast<std::size_t>(tensor_bytes(tensor)));
    fill_values(tensor.dtype, index, buffers.back());
    check(builder.add_tensor(tensor.name, tensor.dtype, tensor.shape, buffers.back()), "small: " + tensor.name);
  }
  for (const MetadataEntry& entry : spec.metadata) check(builder.set_metadata(entry.key, entry.value), "small");
  auto bytes = builder.save();
  if (!bytes) die("small: " + bytes.error().message);
  const std::string folder = dir + "/" + kSmallDir;
  if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) die("mkdir " + folder + ": " + std::strerror(errno));
  for (std::size_t i = 0; i < kSmallFileCount; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "mlp-%04zu.safetensors", i);
    const std::string path = folder + "/" + name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("open " + path + ": " + std::strerror(errno));
    write_all(fd, *bytes, path);
    ::close(fd);
  }
  Row row = describe(folder, "mlp-0000.safetensors", false);
  row.name = std::string(kSmallDir) + "/mlp-NNNN.safetensors (x" + std::to_string(kSmallFileCount) + ")";
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "bench/work";
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--only" && i + 1 < argc) {
      std::string list = argv[++i];
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        only.insert(list.substr(start, comma - start));
        start = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: make_bench_files [--dir DIR] [--only gpt2,llama,headers,grow,dtypes,small]\n");
      return 2;
    }
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) die("mkdir " + dir + ": " + std::strerror(errno));
  const auto wanted = [&](const char* name) { return only.empty() || only.count(name) != 0; };

  std::vector<Row> rows;
  if (wanted("gpt2")) rows.push_back(write_generated(dir, kGpt2Name, gpt2_small()));
  if (wanted("dtypes")) rows.push_back(write_generated(dir, kAllDtypesName, all_dtypes()));
  if (wanted("headers")) {
    for (const std::size_t count : header_series_counts()) {
      rows.push_back(write_sparse(dir, header_series_name(count), many_tensors(count)));
    }
  }
  if (wanted("grow")) {
    for (const std::uint64_t size : growing_sizes()) rows.push_back(write_sparse(dir, growing_name(size), growing_data(size)));
  }
  if (wanted("llama")) rows.push_back(write_sparse(dir, kLlamaName, llama_7b()));
  if (wanted("small")) rows.push_back(write_small_files(dir));

  // corpus.tsv: read by bench/summarize.py for the tables.
  const std::string tsv_path = dir + "/corpus.tsv";
  std::FILE* tsv = std::fopen(tsv_path.c_str(), "w");
  if (tsv == nullptr) die("open " + tsv_path);
  std::fprintf(tsv, "file\ttensors\theader_bytes\tdata_bytes\tfile_bytes\tsparse\n");
  for (const Row& row : rows) {
    std::fprintf(tsv, "%s\t%zu\t%llu\t%llu\t%llu\t%s\n", row.name.c_str(), row.tensors,
                 static_cast<unsigned long long>(row.header_bytes), static_cast<unsigned long long>(row.data_bytes),
                 static_cast<unsigned long long>(row.file_bytes), row.sparse ? "sparse" : "written");
    std::printf("%-48s %7zu tensors  header %10llu B  data %14llu B%s\n", row.name.c_str(), row.tensors,
                static_cast<unsigned long long>(row.header_bytes), static_cast<unsigned long long>(row.data_bytes),
                row.sparse ? "  (sparse)" : "");
  }
  std::fclose(tsv);
  return 0;
}
