// Allocation failure at every public entry point: this binary replaces the
// global operator new with one that fails on demand, then calls each entry
// point with the 1st, 2nd, 3rd ... allocation failing until a call makes no
// more allocations than that. Every failed allocation must give back either
// OUT_OF_MEMORY (with no message: the error needs no allocation, and its
// text is the code table's summary) or, where the code has an
// allocation-free fallback, the same verdict as without the failure; and
// the process must survive (a bad_alloc escaping a noexcept function would
// terminate it). Its own binary, so the rest of the suite keeps the normal
// allocator.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "stguard/stguard.h"
#include "stguard/stguard.hpp"
#include "support/test_files.hpp"

namespace {

// -1: never fail; n >= 0: the allocation after n more succeeds fails.
thread_local long allocations_until_failure = -1;
thread_local bool failure_injected = false;
// What sweep() asks for; a call that first builds its own arguments arms it
// itself (arm()), so only the library's allocations are counted.
thread_local long requested_failure = -1;

void arm() { allocations_until_failure = requested_failure; }
void disarm() { allocations_until_failure = -1; }

void* allocate(std::size_t size) {
  if (allocations_until_failure == 0) {
    allocations_until_failure = -1;  // one failure per call: what follows is the recovery
    failure_injected = true;
    throw std::bad_alloc();
  }
  if (allocations_until_failure > 0) --allocations_until_failure;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }

namespace {

using stguard::ErrorCode;
using stguard::test::Bytes;

struct Outcome {
  bool ok = true;
  ErrorCode code = ErrorCode::internal_error;
  std::string message;
};

template <typename R>
Outcome outcome_of(const R& result) {
  Outcome out;
  out.ok = result.ok();
  if (!out.ok) {
    out.code = result.error().code;
    out.message = result.error().message;
  }
  return out;
}

enum class Arming : std::uint8_t { before_call, by_call };

// Runs `call` (returning a Result or Status) with the k-th allocation
// failing, k = 0, 1, ... until a run injects no failure; checks each run.
// `fallback`: the code a documented allocation-free fallback may give instead
// (explain_framing_error keeps the plain framing error when it cannot build
// its message). Returns how many failures were injected (a test insists on
// some, so the sweep cannot pass by never reaching the library).
template <typename Call>
int sweep(const char* what, Call call, Arming arming = Arming::before_call,
          std::optional<ErrorCode> fallback = std::nullopt) {
  INFO(what);
  requested_failure = -1;
  const Outcome baseline = outcome_of(call());
  int injected = 0;
  for (long k = 0; k < 100000; ++k) {
    failure_injected = false;
    requested_failure = k;
    if (arming == Arming::before_call) arm();
    const auto result = call();
    disarm();
    requested_failure = -1;
    const Outcome got = outcome_of(result);
    if (!failure_injected) {
      CHECK(got.ok == baseline.ok);
      CHECK(got.code == baseline.code);
      break;
    }
    ++injected;
    INFO("allocation " << k << " failed");
    if (got.ok || got.code != ErrorCode::out_of_memory) {
      // An allocation-free fallback: the verdict it would give anyway.
      CHECK(got.ok == baseline.ok);
      if (!got.ok) CHECK((got.code == baseline.code || got.code == fallback));
    } else {
      CHECK(got.message.empty());
      CHECK(result.error().text() == stguard::error_code_summary(ErrorCode::out_of_memory));
    }
  }
  return injected;
}

Bytes small_file() {
  return stguard::test::make_file(R"({"__metadata__":{"k":"v"},"a_tensor_with_a_long_name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})",
                                  std::uint64_t{24});
}
// A framing error on text (not_safetensors_*: its message is built).
Bytes text_file() { return stguard::test::as_bytes(std::string(600, 'x')); }

}  // namespace

TEST_CASE("allocation failures in the validation entry points give OUT_OF_MEMORY", "[oom]") {
  const Bytes file = small_file();
  const Bytes bad = stguard::test::make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", std::uint64_t{4});
  const Bytes text = text_file();
  CHECK(sweep("validate_file", [&] { return stguard::validate_file(file); }) > 0);
  CHECK(sweep("validate_file, invalid", [&] { return stguard::validate_file(bad); }) > 0);
  CHECK(sweep("validate_file, text", [&] { return stguard::validate_file(text); }, Arming::before_call,
              ErrorCode::header_too_large) > 0);
  CHECK(sweep("validate_prefix", [&] { return stguard::validate_prefix(file, file.size()); }) > 0);
  CHECK(sweep("read_header_length, text", [&] { return stguard::read_header_length(text, text.size()); },
              Arming::before_call, ErrorCode::header_too_large) > 0);
  const std::span<const std::uint8_t> header(file.data() + 8, file.size() - 8 - 24);
  CHECK(sweep("parse_header", [&] { return stguard::parse_header(header, 24); }) > 0);
  CHECK(sweep("StreamValidator", [&] {
          stguard::StreamValidator validator(stguard::Options::strict());
          for (std::size_t at = 0; at < file.size(); at += 7) {
            (void)validator.feed(std::span(file).subspan(at, std::min<std::size_t>(7, file.size() - at)));
          }
          return validator.finish();
        }) > 0);

  stguard::test::TempDir dir;
  const std::string path = dir.write("model.safetensors", file).string();
  CHECK(sweep("validate_path", [&] { return stguard::validate_path(path); }) > 0);
  const std::string missing = path + ".missing";
  CHECK(sweep("validate_path, missing", [&] { return stguard::validate_path(missing); }) > 0);
  CHECK(sweep("validate_fd and validate_stream", [&] {
          const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
          auto whole = stguard::validate_fd(fd);
          (void)::lseek(fd, 0, SEEK_SET);
          auto streamed = stguard::validate_stream(fd);
          ::close(fd);
          return whole.ok() ? std::move(streamed) : std::move(whole);
        }) > 0);
}

TEST_CASE("allocation failures in the reader and slices give OUT_OF_MEMORY", "[oom]") {
  const Bytes file = small_file();
  stguard::test::TempDir dir;
  const std::string path = dir.write("model.safetensors", file).string();
  CHECK(sweep("parse_slice_spec", [] { return stguard::parse_slice_spec("0:1,1:3"); }) > 0);
  const std::vector<std::uint64_t> shape{2, 3};
  const std::vector<stguard::SliceIndex> spec{stguard::SliceIndex::single(1), stguard::SliceIndex::range(1, 3)};
  CHECK(sweep("plan_slice", [&] { return stguard::plan_slice(stguard::Dtype::F32, shape, spec); }) > 0);
  CHECK(sweep("Reader::open", [&] { return stguard::Reader::open(path); }) > 0);
  CHECK(sweep("Reader::from_memory, to_vector, slice", [&]() -> stguard::Result<std::vector<float>> {
          auto reader = stguard::Reader::from_memory(file);
          if (!reader) return std::move(reader).error();
          auto view = reader->tensor("a_tensor_with_a_long_name");
          if (!view) return std::move(view).error();
          auto copied = view->copy_bytes();
          if (!copied) return std::move(copied).error();
          auto slice = view->slice("1,1:3");
          if (!slice) return std::move(slice).error();
          auto sliced = slice->copy_bytes();
          if (!sliced) return std::move(sliced).error();
          return view->to_vector<float>();
        }) > 0);
  CHECK(sweep("load_file", [&] { return stguard::load_file(path); }) > 0);
}

TEST_CASE("allocation failures in the writer and shards give OUT_OF_MEMORY", "[oom]") {
  const std::vector<std::uint8_t> data(24, 7);
  stguard::test::TempDir dir;
  // The arguments are made before arm(): only the builder's allocations count.
  const auto build = [&](stguard::FileBuilder& builder) -> stguard::Status {
    std::string key = "format_key_long_enough_to_allocate";
    std::string value = "pt";
    std::string first = "first_tensor_with_a_long_name";
    std::string second = "second_tensor_with_a_long_name";
    std::vector<std::uint64_t> first_shape{2, 3};
    std::vector<std::uint64_t> second_shape{24};
    arm();
    if (auto status = builder.set_metadata(std::move(key), std::move(value)); !status) return status;
    if (auto status = builder.add_tensor(std::move(first), stguard::Dtype::F32, std::move(first_shape), data); !status) {
      return status;
    }
    return builder.add_tensor(std::move(second), stguard::Dtype::U8, std::move(second_shape), std::span(data));
  };
  CHECK(sweep("FileBuilder::add_tensor and save", [&]() -> stguard::Status {
          stguard::FileBuilder builder;
          if (auto status = build(builder); !status) return status;
          auto saved = builder.save();
          if (!saved) return std::move(saved).error();
          return {};
        }, Arming::by_call) > 0);
  const std::string out = (dir.path() / "out.safetensors").string();
  CHECK(sweep("FileBuilder::save_to_path", [&]() -> stguard::Status {
          stguard::FileBuilder builder;
          if (auto status = build(builder); !status) return status;
          return builder.save_to_path(out);
        }, Arming::by_call) > 0);
  // save, save_file and metadata_map: one guard each (detail::without_exceptions).
  stguard::TensorMap tensors;
  tensors["a_tensor_with_a_long_name"] = stguard::OwnedTensor{"", stguard::Dtype::F32, {2, 3}, 6, data};
  const stguard::MetadataMap metadata{{"format_key_long_enough_to_allocate", "pt"}};
  CHECK(sweep("save", [&] { return stguard::save(tensors, metadata); }) > 0);
  const std::string saved_path = (dir.path() / "saved.safetensors").string();
  CHECK(sweep("save_file", [&] { return stguard::save_file(tensors, saved_path, metadata); }) > 0);
  const std::vector<stguard::MetadataEntry> entries{{"format_key_long_enough_to_allocate", "pt"}};
  CHECK(sweep("metadata_map", [&] { return stguard::metadata_map(entries); }) > 0);
  stguard::ShardIndex index;
  index.shards = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
  index.weight_map = {{"a_tensor_with_a_long_name", 0}, {"b_tensor_with_a_long_name", 1}};
  CHECK(sweep("serialize_shard_index", [&] { return stguard::serialize_shard_index(index); }) > 0);
  const auto json = stguard::serialize_shard_index(index);
  REQUIRE(json.ok());
  const Bytes json_bytes = stguard::test::as_bytes(*json);
  CHECK(sweep("parse_shard_index", [&] { return stguard::parse_shard_index(json_bytes); }) > 0);

  int round = 0;
  CHECK(sweep("save_sharded, check_shard_index, join_shards", [&]() -> stguard::Status {
          const auto folder = dir.path() / ("shards" + std::to_string(round++));
          std::filesystem::create_directory(folder);
          const std::string folder_path = folder.string();
          const std::string index_path = (folder / "model.safetensors.index.json").string();
          const std::string joined = (folder / "joined.safetensors").string();
          stguard::ShardWriteOptions options;
          options.max_shard_bytes = 24;
          options.durable = false;
          stguard::FileBuilder builder;
          if (auto status = build(builder); !status) return status;  // arms
          auto saved = stguard::save_sharded(builder, folder_path, options);
          if (!saved) return std::move(saved).error();
          auto checked = stguard::check_shard_index(index_path);
          if (!checked) return std::move(checked).error();
          return stguard::join_shards(index_path, joined);
        }, Arming::by_call) > 0);
}

TEST_CASE("allocation failures in the C API give STG_OUT_OF_MEMORY", "[oom]") {
  const Bytes file = small_file();
  const Bytes text = text_file();
  for (const Bytes* input : {&file, &text}) {
    CHECK(sweep("stg_validate_buffer", [&]() -> stguard::Status {
            stg_error* err = nullptr;
            if (stg_error_new(&err) != STG_OK) {
              disarm();
              return stguard::out_of_memory_error();
            }
            stg_header* header = nullptr;
            const stg_status status = stg_validate_buffer(nullptr, input->data(), input->size(), &header, err);
            const char* message = nullptr;
            std::size_t length = 0;
            (void)stg_error_message(err, &message, &length);
            disarm();  // what follows is the test's own work
            const std::string text_of_error(message, length);
            stg_header_free(header);
            stg_error_free(err);
            if (status == STG_OK) return {};
            // The C error's message is never empty: the detail, or the code's summary.
            if (text_of_error.empty()) return stguard::make_error(ErrorCode::internal_error, "empty C message");
            return stguard::Error{static_cast<ErrorCode>(status), stguard::kNoOffset, {}, {}};
          }, Arming::before_call, input == &text ? std::optional(ErrorCode::header_too_large) : std::nullopt) > 0);
  }
}
