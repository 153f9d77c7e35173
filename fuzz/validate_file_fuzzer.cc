// validate_file: whole-file validation of the input (a complete safetensors
// file) under both profiles. For an accepted file it checks the shared
// Header invariants, that the header describes exactly the input
// (file_size() == input size, every tensor has begin <= end <= data_size and
// the tensors tile [0, data_size) contiguously) and then reads every byte of
// every tensor's span inside the input: under ASan that proves an accepted
// header can never send a consumer outside the file. A rejection must satisfy
// the shared Error invariants with an offset inside the file, and for the
// codes whose offset names one byte, that byte must be the culprit (a tab in
// the padding, the first non-whitespace byte after the object, a byte that
// cannot start or continue UTF-8, whitespace where '{' was required).
// When the reader exists (reader.hpp), an accepted file is also opened with
// Reader::from_memory (borrowed: its views must point into the input itself)
// and Reader::from_bytes (a private copy), and every byte is read again
// through TensorView::bytes, read and copy_bytes, which must all agree with
// the input.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "stguard/validate.hpp"

#if __has_include("stguard/reader.hpp")
#include <vector>

#include "stguard/reader.hpp"
#define STGUARD_FUZZ_HAVE_READER 1
#endif

namespace {

// Sum of all tensor bytes, so the reads cannot be optimised away.
volatile std::uint64_t g_sink = 0;

void touch_tensors(std::span<const std::uint8_t> file, const stguard::Header& header) {
  FUZZ_CHECK(header.file_size() == file.size());
  const std::span<const std::uint8_t> data_region = file.subspan(header.data_offset());
  FUZZ_CHECK(data_region.size() == header.data_size());
  std::uint64_t expected_begin = 0;
  std::uint64_t sum = 0;
  for (const stguard::TensorInfo& tensor : header.tensors()) {
    FUZZ_CHECK(tensor.begin == expected_begin);
    FUZZ_CHECK(tensor.begin <= tensor.end && tensor.end <= header.data_size());
    expected_begin = tensor.end;
    for (const std::uint8_t byte : data_region.subspan(tensor.begin, tensor.end - tensor.begin)) sum += byte;
  }
  FUZZ_CHECK(expected_begin == header.data_size());
  g_sink = g_sink + sum;
}

bool is_json_whitespace(std::uint8_t byte) noexcept {
  return byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D;
}

void check_error_points_at_culprit(std::span<const std::uint8_t> file, const stguard::Error& error) {
  using stguard::ErrorCode;
  const auto culprit = [&]() -> std::uint8_t {
    FUZZ_CHECK_MSG(error.has_offset() && error.offset < file.size(), stguard::fuzz::describe(error));
    return file[error.offset];
  };
  switch (error.code) {
    case ErrorCode::padding_not_spaces:
      FUZZ_CHECK_MSG(is_json_whitespace(culprit()) && culprit() != 0x20, stguard::fuzz::describe(error));
      break;
    case ErrorCode::json_trailing_content:
      FUZZ_CHECK_MSG(!is_json_whitespace(culprit()), stguard::fuzz::describe(error));
      break;
    case ErrorCode::header_not_object_start:
      FUZZ_CHECK_MSG(error.offset == 8 && is_json_whitespace(culprit()), stguard::fuzz::describe(error));
      break;
    case ErrorCode::invalid_utf8:
      // The first byte of the first invalid sequence: never ASCII.
      FUZZ_CHECK_MSG(culprit() >= 0x80, stguard::fuzz::describe(error));
      break;
    default:
      break;
  }
}

#ifdef STGUARD_FUZZ_HAVE_READER
// The same bytes through the reader's views, in a borrowing and an owning mode.
void touch_through_reader(std::span<const std::uint8_t> file, const stguard::Header& header,
                          const stguard::Options& options) {
  const std::span<const std::uint8_t> data_region = file.subspan(header.data_offset());
  auto borrowed = stguard::Reader::from_memory(file, options);
  FUZZ_CHECK_MSG(borrowed.ok(), stguard::fuzz::describe(borrowed.error()));
  auto owned = stguard::Reader::from_bytes(std::vector<std::uint8_t>(file.begin(), file.end()), options);
  FUZZ_CHECK_MSG(owned.ok(), stguard::fuzz::describe(owned.error()));
  FUZZ_CHECK(borrowed->tensor_count() == header.tensor_count() && owned->tensor_count() == header.tensor_count());
  std::uint64_t sum = 0;
  std::size_t index = 0;
  for (const stguard::TensorView view : borrowed->tensors()) {
    const stguard::TensorInfo& info = header.tensors()[index];
    FUZZ_CHECK(view.name() == info.name && view.data_begin() == info.begin && view.data_end() == info.end);
    FUZZ_CHECK(view.file_offset() == header.data_offset() + info.begin);
    const auto expected = data_region.subspan(info.begin, info.end - info.begin);
    const auto bytes = view.bytes();
    FUZZ_CHECK(bytes.ok() && bytes->size() == expected.size());
    // Borrowed mode is zero-copy: the view is the input itself.
    FUZZ_CHECK(expected.empty() || bytes->data() == expected.data());
    for (const std::uint8_t byte : *bytes) sum += byte;
    const auto copy = view.copy_bytes();
    FUZZ_CHECK(copy.ok() && std::equal(copy->begin(), copy->end(), expected.begin(), expected.end()));
    const auto other = owned->tensor_at(index);
    FUZZ_CHECK(other.ok() && other->name() == info.name);
    const auto owned_bytes = other->bytes();
    FUZZ_CHECK(owned_bytes.ok() && std::equal(owned_bytes->begin(), owned_bytes->end(), expected.begin(), expected.end()));
    // A read of the last byte (or of nothing), and one past the end, which must fail.
    std::uint8_t last = 0;
    if (!expected.empty()) {
      FUZZ_CHECK(view.read(expected.size() - 1, {&last, 1}).ok() && last == expected.back());
    }
    FUZZ_CHECK(!view.read(expected.size(), {&last, 1}).ok());
    ++index;
  }
  FUZZ_CHECK(index == header.tensor_count());
  g_sink = g_sink + sum;
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fz = stguard::fuzz;
  const std::span<const std::uint8_t> file(data, size);
  for (const stguard::Options& options : {stguard::Options::strict(), stguard::Options::compat()}) {
    const auto result = stguard::validate_file(file, options);
    if (!result) {
      fz::check_error(result.error(), size);
      check_error_points_at_culprit(file, result.error());
      continue;
    }
    fz::check_header(*result, options);
    touch_tensors(file, *result);
#ifdef STGUARD_FUZZ_HAVE_READER
    touch_through_reader(file, *result, options);
#endif
  }
  return 0;
}
