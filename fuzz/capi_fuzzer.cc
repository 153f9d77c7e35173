// capi: the C boundary (stguard.h) on a whole file, under both profiles. The
// verdict through stg_validate_buffer must be the C++ validate_file verdict
// (same code, offset, tensor name and message) and stg_validate_prefix and a
// chunked stg_stream must agree. For an accepted file every stg_header
// accessor is walked and compared with the C++ Header, then the bytes are
// put in a memfd and opened with stg_reader_open_fd in mapped and pread
// modes: every tensor's borrowed bytes and copy must equal the input, a
// leading-dimension slice must equal its share of the bytes, and wrong-size
// buffers, indices past the end and freed handles must be refused.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "stguard/stguard.h"
#include "stguard/validate.hpp"

namespace {

namespace fz = stguard::fuzz;

std::string_view view_of(const char* text, std::size_t length) { return {text, length}; }

// The details recorded in `err` equal the C++ error.
void check_same_error(stg_error* err, const stguard::Error& expected) {
  stg_status code = STG_OK;
  std::uint64_t offset = 0;
  const char* text = nullptr;
  std::size_t length = 0;
  FUZZ_CHECK(stg_error_code(err, &code) == STG_OK && code == static_cast<stg_status>(expected.code));
  FUZZ_CHECK(stg_error_offset(err, &offset) == STG_OK && offset == expected.offset);
  FUZZ_CHECK(stg_error_message(err, &text, &length) == STG_OK && view_of(text, length) == expected.message);
  FUZZ_CHECK(text[length] == '\0');
  FUZZ_CHECK(stg_error_tensor(err, &text, &length) == STG_OK && view_of(text, length) == expected.tensor);
  const char* name = nullptr;
  FUZZ_CHECK(stg_error_code_name(code, &name) == STG_OK && name == stguard::error_code_name(expected.code));
}

// Every accessor of `header` against the C++ Header.
void check_header(const stg_header* header, const stguard::Header& expected) {
  std::size_t count = 0;
  std::uint64_t value = 0;
  FUZZ_CHECK(stg_header_tensor_count(header, &count) == STG_OK && count == expected.tensor_count());
  FUZZ_CHECK(stg_header_data_offset(header, &value) == STG_OK && value == expected.data_offset());
  FUZZ_CHECK(stg_header_file_size(header, &value) == STG_OK && value == expected.file_size());
  FUZZ_CHECK(stg_header_length(header, &value) == STG_OK && value == expected.header_length());
  for (std::size_t i = 0; i < count; ++i) {
    const stguard::TensorInfo& tensor = expected.tensors()[i];
    const char* name = nullptr;
    std::size_t length = 0, rank = 0, found = count;
    stg_dtype dtype = STG_DTYPE_BOOL;
    const std::uint64_t* dims = nullptr;
    std::uint64_t begin = 0, end = 0;
    FUZZ_CHECK(stg_header_tensor_name(header, i, &name, &length) == STG_OK && view_of(name, length) == tensor.name);
    FUZZ_CHECK(stg_header_tensor_dtype(header, i, &dtype) == STG_OK &&
               static_cast<unsigned>(dtype) == stguard::dtype_order(tensor.dtype));
    FUZZ_CHECK(stg_header_tensor_shape(header, i, &rank, &dims) == STG_OK && rank == tensor.shape.size());
    FUZZ_CHECK(rank == 0 || std::memcmp(dims, tensor.shape.data(), rank * sizeof(std::uint64_t)) == 0);
    FUZZ_CHECK(stg_header_tensor_offsets(header, i, &begin, &end) == STG_OK && begin == tensor.begin &&
               end == tensor.end);
    FUZZ_CHECK(stg_header_find(header, name, length, &found) == STG_OK && found == i);
  }
  const char* name = nullptr;
  std::size_t length = 0;
  FUZZ_CHECK(stg_header_tensor_name(header, count, &name, &length) == STG_INVALID_ARGUMENT);
  FUZZ_CHECK(stg_header_metadata_count(header, &count) == STG_OK && count == expected.metadata().size());
  for (std::size_t i = 0; i < count; ++i) {
    const char *key = nullptr, *value_text = nullptr;
    std::size_t key_length = 0, value_length = 0;
    FUZZ_CHECK(stg_header_metadata_entry(header, i, &key, &key_length, &value_text, &value_length) == STG_OK);
    FUZZ_CHECK(view_of(key, key_length) == expected.metadata()[i].key &&
               view_of(value_text, value_length) == expected.metadata()[i].value);
  }
}

// The input as a file: a memfd (no disk), or -1 if the kernel has none.
int memory_file(std::span<const std::uint8_t> file) {
  const int fd = memfd_create("capi_fuzzer", MFD_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t done = 0;
  while (done < file.size()) {
    const ssize_t wrote = write(fd, file.data() + done, file.size() - done);
    if (wrote <= 0) {
      close(fd);
      return -1;
    }
    done += static_cast<std::size_t>(wrote);
  }
  return fd;
}

void check_reader(int fd, const stg_options* options, stg_reader_mode mode, std::span<const std::uint8_t> file,
                  const stguard::Header& expected) {
  stg_reader* reader = nullptr;
  FUZZ_CHECK(stg_reader_open_fd(options, fd, mode, &reader, nullptr) == STG_OK);
  const std::span<const std::uint8_t> data = file.subspan(expected.data_offset());
  std::vector<std::uint8_t> copy;
  for (std::size_t i = 0; i < expected.tensor_count(); ++i) {
    const stguard::TensorInfo& tensor = expected.tensors()[i];
    const auto bytes = data.subspan(tensor.begin, tensor.byte_size());
    std::uint64_t size = 0;
    FUZZ_CHECK(stg_reader_tensor_size(reader, i, &size) == STG_OK && size == bytes.size());
    copy.assign(bytes.size() + 1, 0);
    FUZZ_CHECK(stg_reader_copy_tensor(reader, i, copy.data(), bytes.size(), nullptr) == STG_OK);
    FUZZ_CHECK(std::equal(bytes.begin(), bytes.end(), copy.begin()));
    FUZZ_CHECK(stg_reader_copy_tensor(reader, i, copy.data(), bytes.size() + 1, nullptr) == STG_INVALID_ARGUMENT);
    const void* borrowed = nullptr;
    std::size_t borrowed_size = 0;
    const stg_status lent = stg_reader_tensor_bytes(reader, i, &borrowed, &borrowed_size, nullptr);
    if (mode == STG_READER_PREAD) {
      FUZZ_CHECK(lent == STG_INVALID_ARGUMENT);
    } else {
      FUZZ_CHECK(lent == STG_OK && borrowed_size == bytes.size());
      FUZZ_CHECK(bytes.empty() || std::memcmp(borrowed, bytes.data(), bytes.size()) == 0);
    }
    if (!tensor.shape.empty() && tensor.shape[0] > 0) {
      const stg_slice_range first_row{0, 1};
      std::uint64_t slice_size = 0;
      const stg_status planned = stg_reader_slice_size(reader, i, &first_row, 1, &slice_size, nullptr);
      if (planned == STG_OK) {
        FUZZ_CHECK(slice_size == bytes.size() / tensor.shape[0]);
        FUZZ_CHECK(stg_reader_slice_copy(reader, i, &first_row, 1, copy.data(), slice_size, nullptr) == STG_OK);
        FUZZ_CHECK(std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(slice_size), copy.begin()));
      } else {
        FUZZ_CHECK(planned == STG_SLICE_NOT_BYTE_ALIGNED);
      }
    }
  }
  std::uint64_t size = 0;
  FUZZ_CHECK(stg_reader_tensor_size(reader, expected.tensor_count(), &size) == STG_INVALID_ARGUMENT);
  FUZZ_CHECK(stg_reader_free(reader) == STG_OK);
  FUZZ_CHECK(stg_reader_free(reader) == STG_INVALID_ARGUMENT);
  FUZZ_CHECK(stg_reader_tensor_size(reader, 0, &size) == STG_INVALID_ARGUMENT);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> file(data, size);
  stg_error* err = nullptr;
  FUZZ_CHECK(stg_error_new(&err) == STG_OK);
  for (const stg_profile profile : {STG_PROFILE_STRICT, STG_PROFILE_COMPAT}) {
    stg_options* options = nullptr;
    FUZZ_CHECK(stg_options_new(profile, &options) == STG_OK);
    const auto expected = stguard::validate_file(
        file, profile == STG_PROFILE_STRICT ? stguard::Options::strict() : stguard::Options::compat());

    stg_header* header = nullptr;
    const stg_status status = stg_validate_buffer(options, data, size, &header, err);
    FUZZ_CHECK(status == (expected.ok() ? STG_OK : static_cast<stg_status>(expected.error().code)));
    FUZZ_CHECK(stg_validate_prefix(options, data, size, size, nullptr, nullptr) == status);
    stg_stream* stream = nullptr;
    FUZZ_CHECK(stg_stream_new(options, &stream) == STG_OK);
    for (std::size_t at = 0; at < size; at += 13) {
      FUZZ_CHECK(stg_stream_feed(stream, data + at, size - at < 13 ? size - at : 13, nullptr) == STG_OK);
    }
    FUZZ_CHECK(stg_stream_finish(stream, nullptr, nullptr) == status);
    FUZZ_CHECK(stg_stream_free(stream) == STG_OK);

    if (!expected.ok()) {
      FUZZ_CHECK(header == nullptr);
      check_same_error(err, expected.error());
    } else {
      FUZZ_CHECK(header != nullptr);
      check_header(header, expected.value());
      FUZZ_CHECK(stg_header_free(header) == STG_OK);
      FUZZ_CHECK(stg_header_free(header) == STG_INVALID_ARGUMENT);
      const int fd = memory_file(file);
      if (fd >= 0) {
        check_reader(fd, options, STG_READER_MAPPED, file, expected.value());
        check_reader(fd, options, STG_READER_PREAD, file, expected.value());
        close(fd);
      }
    }
    FUZZ_CHECK(stg_options_free(options) == STG_OK);
  }
  FUZZ_CHECK(stg_error_free(err) == STG_OK);
  return 0;
}
