// The reader: every way to open (path, descriptor, borrowed and owned memory)
// in every mode returns exactly the bytes that were written, for all 22
// dtypes, scalars, zero-size tensors and data at odd addresses; typed access
// on misaligned data and dtype mismatches; invalid files refused by every
// entry point; slices; copy-out that survives the file; lifetimes; a sparse
// 4 GB file; and what each mode does when the file is truncated under it.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <complex>
#include <cstring>
#include <fstream>

#include "reader_fixtures.hpp"
#include "stguard/reader.hpp"

using namespace stguard::test;
using stguard::Dtype;
using stguard::ErrorCode;
using stguard::Reader;
using stguard::ReaderMode;
using stguard::ReaderOptions;

namespace {

constexpr ReaderMode kFileModes[] = {ReaderMode::mapped, ReaderMode::snapshot, ReaderMode::pread};

ReaderOptions with_mode(ReaderMode mode, stguard::Options validation = stguard::Options::strict()) {
  ReaderOptions options;
  options.validation = validation;
  options.mode = mode;
  return options;
}

// Opens the file at `path` in each file mode, requires it to open and runs
// `check` on the reader, with the mode named in any failure.
template <class Check>
void for_each_file_mode(const std::string& path, Check check) {
  for (const ReaderMode mode : kFileModes) {
    INFO("mode " << stguard::reader_mode_name(mode));
    auto reader = Reader::open(path, with_mode(mode));
    REQUIRE(reader.ok());
    check(*reader);
  }
}

Bytes to_bytes(std::span<const std::uint8_t> span) { return Bytes(span.begin(), span.end()); }

// Names in data order: (begin, end), ties by name, as the validator sorts.
std::vector<std::string> data_order(const BuiltFile& built) {
  std::vector<std::string> names = built.names;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> span;
  std::uint64_t at = 0;
  for (const auto& name : built.names) {
    span[name] = {at, at + built.expected.at(name).size()};
    at += built.expected.at(name).size();
  }
  std::sort(names.begin(), names.end(),
            [&](const std::string& a, const std::string& b) { return std::tie(span[a], a) < std::tie(span[b], b); });
  return names;
}

// Every tensor of `reader` reads back as `built` says, through every accessor.
void check_reads_back(const Reader& reader, const BuiltFile& built) {
  REQUIRE(reader.tensor_count() == built.names.size());
  std::vector<std::string> seen;
  for (const stguard::TensorView view : reader.tensors()) seen.push_back(view.name());
  CHECK(seen == data_order(built));
  for (const std::string& name : built.names) {
    INFO("tensor " << name << ", mode " << stguard::reader_mode_name(reader.mode()));
    auto view = reader.tensor(name);
    REQUIRE(view.ok());
    const Bytes& expected = built.expected.at(name);
    CHECK(view->byte_size() == expected.size());
    CHECK(view->file_offset() == reader.header().data_offset() + view->data_begin());
    // The bytes at file_offset in the file are the tensor's.
    CHECK(Bytes(built.bytes.begin() + static_cast<std::ptrdiff_t>(view->file_offset()),
                built.bytes.begin() + static_cast<std::ptrdiff_t>(view->file_offset() + expected.size())) ==
          expected);
    auto copy = view->copy_bytes();
    REQUIRE(copy.ok());
    CHECK(*copy == expected);
    auto bytes = view->bytes();
    if (reader.has_resident_data()) {
      REQUIRE(bytes.ok());
      CHECK(to_bytes(*bytes) == expected);
    } else {
      REQUIRE_FALSE(bytes.ok());
      CHECK(bytes.error().code == ErrorCode::invalid_argument);
    }
    if (expected.size() >= 3) {
      std::array<std::uint8_t, 2> middle{};
      REQUIRE(view->read(1, middle).ok());
      CHECK(middle[0] == expected[1]);
      CHECK(middle[1] == expected[2]);
    }
    std::array<std::uint8_t, 1> past{};
    auto past_end = view->read(expected.size(), past);
    REQUIRE_FALSE(past_end.ok());
    CHECK(past_end.error().code == ErrorCode::invalid_argument);
    CHECK(past_end.error().tensor == name);
    auto owned = view->to_owned();
    REQUIRE(owned.ok());
    CHECK(owned->data == expected);
    CHECK(owned->dtype == view->dtype());
    CHECK(owned->name == name);
  }
}

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("every dtype reads back exactly, from every source and mode", "[reader]") {
  TempDir dir;
  for (const std::size_t padding : {0, 1, 6}) {
    const BuiltFile built = build_file(every_kind_of_tensor(), {{"format", "pt"}}, padding);
    const auto path = dir.write("all.safetensors", built.bytes).string();
    INFO("header padding " << padding);
    for (const ReaderMode mode : kFileModes) {
      auto by_path = Reader::open(path, with_mode(mode));
      REQUIRE(by_path.ok());
      CHECK(by_path->mode() == mode);
      CHECK(by_path->has_resident_data() == (mode != ReaderMode::pread));
      check_reads_back(*by_path, built);

      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      REQUIRE(fd >= 0);
      REQUIRE(::lseek(fd, 5, SEEK_SET) == 5);  // the descriptor's offset is not used
      auto by_fd = Reader::open_fd(fd, with_mode(mode));
      ::close(fd);  // the Reader does not need the caller's descriptor any more
      REQUIRE(by_fd.ok());
      check_reads_back(*by_fd, built);
    }
    auto borrowed = Reader::from_memory(built.bytes);
    REQUIRE(borrowed.ok());
    CHECK(borrowed->mode() == ReaderMode::borrowed);
    check_reads_back(*borrowed, built);
    auto owned = Reader::from_bytes(built.bytes);
    REQUIRE(owned.ok());
    CHECK(owned->mode() == ReaderMode::snapshot);
    check_reads_back(*owned, built);
  }
}

TEST_CASE("an empty file {} opens in every mode", "[reader]") {
  TempDir dir;
  const Bytes bytes = make_file("{}", 0);
  const auto path = dir.write("empty.safetensors", bytes).string();
  for_each_file_mode(path, [&](const Reader& reader) {
    CHECK(reader.tensor_count() == 0);
    CHECK(reader.tensors().begin() == reader.tensors().end());
    CHECK(reader.metadata().empty());
  });
}

TEST_CASE("typed access copies misaligned data and refuses other dtypes", "[reader]") {
  static_assert(std::endian::native == std::endian::little, "the expected bytes below are built little-endian");
  const std::vector<float> floats = {1.5f, -2.25f, 3.0e38f};
  const std::vector<std::uint16_t> halves = {0x3C00, 0xC000};
  const std::vector<std::complex<float>> complexes = {{1.0f, -1.0f}, {0.5f, 2.0f}};
  Bytes data = {0xAB};  // one byte first: every tensor after it starts at an odd offset
  const auto append = [&](const void* values, std::size_t size) {
    const auto* raw = static_cast<const std::uint8_t*>(values);
    data.insert(data.end(), raw, raw + size);
  };
  append(floats.data(), floats.size() * 4);
  append(halves.data(), halves.size() * 2);
  append(halves.data(), halves.size() * 2);
  append(complexes.data(), complexes.size() * 8);
  const Bytes nibbles = {0x21, 0x43};
  data.insert(data.end(), nibbles.begin(), nibbles.end());
  const std::string header =
      R"({"pad":)" + tensor_json("U8", {1}, 0, 1) + R"(,"f":)" + tensor_json("F32", {3}, 1, 13) + R"(,"h":)" +
      tensor_json("F16", {2}, 13, 17) + R"(,"bf":)" + tensor_json("BF16", {2}, 17, 21) + R"(,"c":)" +
      tensor_json("C64", {2}, 21, 37) + R"(,"nib":)" + tensor_json("F4", {4}, 37, 39) + "}";
  const Bytes file = make_file(header, data);
  TempDir dir;
  const auto path = dir.write("typed.safetensors", file).string();

  for_each_file_mode(path, [&](const Reader& reader) {
    auto f = reader.tensor("f");
    REQUIRE(f.ok());
    if (reader.has_resident_data()) {
      // The test is only meaningful if a float pointer cast would be misaligned.
      CHECK(reinterpret_cast<std::uintptr_t>(f->bytes()->data()) % alignof(float) != 0);
    }
    auto values = f->to_vector<float>();
    REQUIRE(values.ok());
    CHECK(*values == floats);
    auto last = f->at<float>(2);
    REQUIRE(last.ok());
    CHECK(*last == 3.0e38f);
    auto beyond = f->at<float>(3);
    REQUIRE_FALSE(beyond.ok());
    CHECK(beyond.error().code == ErrorCode::invalid_argument);

    auto as_double = f->to_vector<double>();
    REQUIRE_FALSE(as_double.ok());
    CHECK(as_double.error().code == ErrorCode::dtype_mismatch);
    CHECK(as_double.error().tensor == "f");
    CHECK(f->to_vector<std::int32_t>().error().code == ErrorCode::dtype_mismatch);
    CHECK(f->to_vector<std::uint32_t>().error().code == ErrorCode::dtype_mismatch);
    CHECK(f->at<std::uint16_t>(0).error().code == ErrorCode::dtype_mismatch);

    auto h = reader.tensor("h")->to_vector<std::uint16_t>();
    REQUIRE(h.ok());
    CHECK(*h == halves);
    auto bf = reader.tensor("bf")->to_vector<std::uint16_t>();
    REQUIRE(bf.ok());
    CHECK(*bf == halves);
    CHECK(reader.tensor("h")->to_vector<std::int16_t>().error().code == ErrorCode::dtype_mismatch);
    auto c = reader.tensor("c")->to_vector<std::complex<float>>();
    REQUIRE(c.ok());
    CHECK(*c == complexes);
    auto pad = reader.tensor("pad")->at<std::uint8_t>(0);
    REQUIRE(pad.ok());
    CHECK(*pad == 0xAB);
    CHECK(reader.tensor("pad")->to_vector<std::int8_t>().error().code == ErrorCode::dtype_mismatch);
    // Sub-byte dtypes have no element type: bytes only.
    auto nib = reader.tensor("nib");
    CHECK(nib->to_vector<std::uint8_t>().error().code == ErrorCode::dtype_mismatch);
    CHECK(*nib->copy_bytes() == nibbles);
  });

  auto loaded = stguard::load(file);
  REQUIRE(loaded.ok());
  auto owned_floats = loaded->at("f").to_vector<float>();
  REQUIRE(owned_floats.ok());
  CHECK(*owned_floats == floats);
  CHECK(loaded->at("f").to_vector<std::uint16_t>().error().code == ErrorCode::dtype_mismatch);
  stguard::OwnedTensor edited = loaded->at("f");
  edited.data.pop_back();  // the fields are public: a caller can make them disagree
  CHECK(edited.to_vector<float>().error().code == ErrorCode::invalid_argument);
}

TEST_CASE("bool and the F8 kinds read as raw uint8_t", "[reader]") {
  const BuiltFile built = build_file({{"b", Dtype::BOOL, {3}},
                                      {"e5", Dtype::F8_E5M2, {2}},
                                      {"e4", Dtype::F8_E4M3FNUZ, {2}},
                                      {"i64", Dtype::I64, {1}}});
  auto reader = Reader::from_memory(built.bytes);
  REQUIRE(reader.ok());
  for (const char* name : {"b", "e5", "e4"}) {
    auto values = reader->tensor(name)->to_vector<std::uint8_t>();
    REQUIRE(values.ok());
    CHECK(*values == built.expected.at(name));
  }
  auto wide = reader->tensor("i64")->at<std::int64_t>(0);
  REQUIRE(wide.ok());
  std::int64_t expected = 0;
  std::memcpy(&expected, built.expected.at("i64").data(), 8);
  CHECK(*wide == expected);
}

TEST_CASE("metadata, lookups and their errors", "[reader]") {
  const BuiltFile built = build_file({{"w", Dtype::F32, {2}}}, {{"format", "pt"}, {"a", "b"}});
  auto reader = Reader::from_memory(built.bytes);
  REQUIRE(reader.ok());
  REQUIRE(reader->metadata().size() == 2);
  CHECK(reader->metadata()[0].key == "a");  // sorted by key
  REQUIRE(reader->metadata_value("format") != nullptr);
  CHECK(*reader->metadata_value("format") == "pt");
  CHECK(reader->metadata_value("missing") == nullptr);
  CHECK(reader->header().has_metadata_object());

  auto missing = reader->tensor("nope");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::tensor_not_found);
  CHECK(missing.error().tensor == "nope");
  auto at = reader->tensor_at(0);
  REQUIRE(at.ok());
  CHECK(at->name() == "w");
  CHECK(reader->tensor_at(1).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("invalid files are refused by every entry point, before any tensor is reachable", "[reader]") {
  TempDir dir;
  const Bytes duplicate =
      make_file(R"({"w":)" + tensor_json("U8", {4}, 0, 4) + R"(,"w":)" + tensor_json("F32", {1}, 0, 4) + "}", 4);
  const Bytes truncated = make_file(R"({"w":)" + tensor_json("F32", {4}, 0, 16) + "}", 12);
  const Bytes trailing = make_file(R"({"w":)" + tensor_json("F32", {1}, 0, 4) + "}", 5);
  const Bytes short_file = {1, 2, 3};
  struct Case {
    const Bytes* bytes;
    ErrorCode code;
  };
  for (const Case& c : {Case{&duplicate, ErrorCode::duplicate_tensor_name}, Case{&truncated, ErrorCode::data_truncated},
                        Case{&trailing, ErrorCode::trailing_bytes}, Case{&short_file, ErrorCode::file_too_small}}) {
    const auto path = dir.write("bad.safetensors", *c.bytes).string();
    INFO("expected " << stguard::error_code_name(c.code));
    for (const ReaderMode mode : kFileModes) {
      auto reader = Reader::open(path, with_mode(mode));
      REQUIRE_FALSE(reader.ok());
      CHECK(reader.error().code == c.code);
    }
    CHECK(Reader::from_memory(*c.bytes).error().code == c.code);
    CHECK(Reader::from_bytes(*c.bytes).error().code == c.code);
    CHECK(stguard::load(*c.bytes).error().code == c.code);
    CHECK(stguard::load_file(path).error().code == c.code);
  }

  // compat sees what the reference sees: the last "w" wins.
  const auto path = dir.write("dup.safetensors", duplicate).string();
  auto compat = Reader::open(path, with_mode(ReaderMode::mapped, stguard::Options::compat()));
  REQUIRE(compat.ok());
  CHECK(compat->tensor("w")->dtype() == Dtype::F32);

  CHECK(Reader::open((dir.path() / "missing").string()).error().code == ErrorCode::io_open_failed);
  CHECK(Reader::open(dir.path().string()).error().code == ErrorCode::io_not_regular_file);
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  CHECK(Reader::open_fd(pipe_fds[0]).error().code == ErrorCode::io_not_regular_file);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  CHECK(Reader::open(path, with_mode(ReaderMode::borrowed)).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("slices through the reader copy exactly the selected bytes", "[reader][slice]") {
  const BuiltFile built = build_file({{"lead", Dtype::U8, {1}}, {"m", Dtype::I16, {4, 3}}, {"q", Dtype::F4, {4, 2}}});
  const Bytes& m = built.expected.at("m");
  TempDir dir;
  const auto path = dir.write("slice.safetensors", built.bytes).string();
  for_each_file_mode(path, [&](const Reader& reader) {
    auto view = reader.tensor("m");
    REQUIRE(view.ok());

    auto column = view->slice("1:4,2");
    REQUIRE(column.ok());
    CHECK(std::vector<std::uint64_t>(column->shape().begin(), column->shape().end()) ==
          std::vector<std::uint64_t>{3});
    auto copied = column->copy_bytes();
    REQUIRE(copied.ok());
    CHECK(*copied == Bytes{m[10], m[11], m[16], m[17], m[22], m[23]});

    const stguard::SliceSpec rows = {stguard::SliceIndex::range(2)};
    auto tail = view->slice(rows);
    REQUIRE(tail.ok());
    CHECK(*tail->copy_bytes() == Bytes(m.begin() + 12, m.end()));

    Bytes gathered;
    const stguard::Status visited = column->for_each_span([&](std::span<const std::uint8_t> part) {
      gathered.insert(gathered.end(), part.begin(), part.end());
      return true;
    });
    if (reader.has_resident_data()) {
      REQUIRE(visited.ok());
      CHECK(gathered == *copied);
    } else {
      REQUIRE_FALSE(visited.ok());
      CHECK(visited.error().code == ErrorCode::invalid_argument);
    }

    Bytes wrong_size(5);
    CHECK(column->read(wrong_size).error().code == ErrorCode::invalid_argument);

    auto bad = view->slice("3:1");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::slice_stop_before_start);
    CHECK(bad.error().tensor == "m");
    CHECK(view->slice("0:9").error().code == ErrorCode::slice_out_of_range);
    CHECK(view->slice("0,0,0").error().code == ErrorCode::slice_too_many_indices);
    CHECK(view->slice("x").error().code == ErrorCode::slice_syntax);
    CHECK(reader.tensor("q")->slice(":,1").error().code == ErrorCode::slice_not_byte_aligned);
    auto q_rows = reader.tensor("q")->slice("1:3");
    REQUIRE(q_rows.ok());
    const Bytes& q = built.expected.at("q");
    CHECK(*q_rows->copy_bytes() == Bytes{q[1], q[2]});
  });
}

TEST_CASE("copies outlive the reader and the file", "[reader]") {
  TempDir dir;
  const BuiltFile built = build_file(every_kind_of_tensor(), {}, 3);
  const auto path = dir.write("gone.safetensors", built.bytes);

  stguard::TensorMap copied;
  stguard::OwnedTensor single;
  {
    auto reader = Reader::open(path.string());
    REQUIRE(reader.ok());
    auto all = reader->copy_all();
    REQUIRE(all.ok());
    copied = std::move(all).value();
    auto one = reader->tensor("t_BF16")->to_owned();
    REQUIRE(one.ok());
    single = std::move(one).value();
  }
  auto loaded = stguard::load_file(path.string());
  REQUIRE(loaded.ok());
  std::filesystem::remove(path);

  for (const stguard::TensorMap* map : {&copied, &*loaded}) {
    REQUIRE(map->size() == built.names.size());
    for (const auto& [name, tensor] : *map) {
      CHECK(tensor.name == name);
      CHECK(tensor.data == built.expected.at(name));
    }
    CHECK(map->at("t_F32").shape == std::vector<std::uint64_t>{2, 3});
    CHECK(map->at("t_F32").element_count == 6);
    CHECK(map->at("t_F32").dtype == Dtype::F32);
  }
  CHECK(single.data == built.expected.at("t_BF16"));
  CHECK(stguard::load_file(path.string()).error().code == ErrorCode::io_open_failed);
}

// Misuse that must not compile: borrowing from a temporary Reader.
template <typename R>
concept CanBorrowFrom = requires(R&& reader) { std::forward<R>(reader).tensor("w"); };
template <typename R>
concept CanListFrom = requires(R&& reader) { std::forward<R>(reader).tensors(); };
static_assert(CanBorrowFrom<const Reader&>);
static_assert(!CanBorrowFrom<Reader&&>);
static_assert(CanListFrom<Reader&>);
static_assert(!CanListFrom<Reader>);
static_assert(!std::is_copy_constructible_v<Reader> && !std::is_copy_assignable_v<Reader>);
static_assert(std::is_nothrow_move_constructible_v<Reader>);

TEST_CASE("views stay valid when their reader is moved; a moved-from reader refuses", "[reader]") {
  const BuiltFile built = build_file({{"a", Dtype::U16, {3}}, {"b", Dtype::U8, {2}}});
  auto opened = Reader::from_bytes(built.bytes);
  REQUIRE(opened.ok());
  Reader first = std::move(opened).value();
  auto view = first.tensor("a");
  REQUIRE(view.ok());
  Reader second = std::move(first);
  CHECK(*view->copy_bytes() == built.expected.at("a"));  // the state moved with the owner, not the view
  CHECK(second.tensor("b").ok());
  CHECK(first.tensor("a").error().code == ErrorCode::invalid_argument);  // NOLINT(bugprone-use-after-move)
  CHECK(first.tensor_count() == 0);
  CHECK(first.tensors().size() == 0);
  CHECK(first.copy_all().error().code == ErrorCode::invalid_argument);
}

TEST_CASE("a sparse 4 GB file opens in O(header) memory", "[reader][large]") {
  TempDir dir;
  const std::uint64_t big = std::uint64_t{1} << 32;
  const std::string header = R"({"small":)" + tensor_json("U8", {16}, 0, 16) + R"(,"big":)" +
                             tensor_json("U8", {big}, 16, 16 + big) + "}";
  const Bytes prefix = make_file(header, 16);
  const auto path = dir.write("sparse.safetensors", prefix).string();
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(prefix.size() + big)) == 0);

  for (const ReaderMode mode : {ReaderMode::mapped, ReaderMode::pread}) {
    INFO("mode " << stguard::reader_mode_name(mode));
    const std::uint64_t before = resident_bytes();
    auto reader = Reader::open(path, with_mode(mode));
    REQUIRE(reader.ok());
    auto tensor = reader->tensor("big");
    REQUIRE(tensor.ok());
    CHECK(tensor->byte_size() == big);
    CHECK(reader->header().file_size() == prefix.size() + big);
    std::array<std::uint8_t, 8> last{1, 1, 1, 1, 1, 1, 1, 1};
    REQUIRE(tensor->read(big - last.size(), last).ok());
    CHECK(last == std::array<std::uint8_t, 8>{});  // a hole reads as zeros
    CHECK(*reader->tensor("small")->copy_bytes() == Bytes(prefix.end() - 16, prefix.end()));
    if (mode == ReaderMode::mapped) {
      auto bytes = tensor->bytes();
      REQUIRE(bytes.ok());
      CHECK(bytes->size() == big);
      CHECK((*bytes)[big / 2] == 0);  // touches one page of the 4 GB mapping
    }
    // Opening and touching a few pages must not pull the file in.
    CHECK(resident_bytes() < before + (std::uint64_t{64} << 20));
  }
}

TEST_CASE("truncating the file under an immune reader never raises SIGBUS", "[reader]") {
  TempDir dir;
  const BuiltFile built = build_file(every_kind_of_tensor(), {}, 5);
  const auto path = dir.write("shrinking.safetensors", built.bytes).string();
  auto snapshot = Reader::open(path, with_mode(ReaderMode::snapshot));
  auto on_demand = Reader::open(path, with_mode(ReaderMode::pread));
  REQUIRE(snapshot.ok());
  REQUIRE(on_demand.ok());
  REQUIRE(::truncate(path.c_str(), 0) == 0);

  for (const std::string& name : built.names) {
    INFO("tensor " << name);
    const Bytes& expected = built.expected.at(name);
    // snapshot: the old bytes, always.
    auto kept = snapshot->tensor(name)->copy_bytes();
    REQUIRE(kept.ok());
    CHECK(*kept == expected);
    // pread: a clean error for every byte that is gone (none for empty tensors).
    auto reread = on_demand->tensor(name)->copy_bytes();
    if (expected.empty()) {
      CHECK(reread.ok());
    } else {
      REQUIRE_FALSE(reread.ok());
      CHECK(reread.error().code == ErrorCode::io_file_changed);
      CHECK(reread.error().tensor == name);
    }
  }
  // A file that shrank before opening is rejected up front, in every mode.
  for (const ReaderMode mode : kFileModes) CHECK(Reader::open(path, with_mode(mode)).error().code == ErrorCode::file_too_small);
}

TEST_CASE("the mapped mode is not immune: a truncated file raises SIGBUS on access", "[reader]") {
  // Documents the hazard SECURITY.md describes, in a child process so the
  // signal cannot take the test runner down.
  TempDir dir;
  const BuiltFile built = build_file({{"w", Dtype::U8, {3 * 65536}}});
  const auto path = dir.write("mapped.safetensors", built.bytes).string();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDERR_FILENO);  // a sanitizer's report of the SIGBUS is expected noise
    auto reader = Reader::open(path);
    if (!reader.ok()) ::_exit(3);
    if (::truncate(path.c_str(), 0) != 0) ::_exit(4);
    auto bytes = reader->tensor("w")->bytes();
    volatile std::uint8_t sink = (*bytes)[bytes->size() - 1];
    (void)sink;
    ::_exit(0);  // reached only if the lost page could still be read
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  // Killed by SIGBUS, or by SIGABRT / a failure exit from a sanitizer that
  // catches the SIGBUS (ASan with abort_on_error=1 aborts).
  const bool faulted = (WIFSIGNALED(status) && (WTERMSIG(status) == SIGBUS || WTERMSIG(status) == SIGABRT)) ||
                       (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3 &&
                        WEXITSTATUS(status) != 4);
  CHECK(faulted);
}
