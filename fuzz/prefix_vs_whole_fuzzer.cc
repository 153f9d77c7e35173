// prefix_vs_whole: validate_prefix on the first min(8 + N, size) bytes of the
// input (plus the true file size) must give exactly what validate_file gives
// on the whole input: same verdict, same error code, offset, tensor and
// message, same Header. This is the contract that lets the file layer pread
// only the header of a 100 GB file. The prefix is copied into a buffer of its
// exact size, so under ASan any read of a byte beyond 8 + N is a crash.
// Also checked, under both profiles:
//   * extra bytes after the prefix are ignored (same result);
//   * a prefix one byte too short is io_read_failed, unless the 8 length
//     bytes it still holds and the size decide a framing error (that error,
//     told apart as NOT_SAFETENSORS_* only when the first 512 bytes are held);
//   * read_header_length agrees with the framing verdict of validate_file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "fuzz_support.hpp"
#include "stguard/validate.hpp"

namespace {

namespace fz = stguard::fuzz;
using stguard::ErrorClass;
using stguard::ErrorCode;

// validate_prefix over a private copy of exactly `length` bytes of `file`.
stguard::Result<stguard::Header> validate_copy(std::span<const std::uint8_t> file, std::size_t length,
                                               const stguard::Options& options) {
  std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[length == 0 ? 1 : length]);
  std::copy_n(file.begin(), length, copy.get());
  return stguard::validate_prefix({copy.get(), length}, file.size(), options);
}

void check_profile(std::span<const std::uint8_t> file, const stguard::Options& options) {
  const auto whole = stguard::validate_file(file, options);
  if (!whole) fz::check_error(whole.error(), file.size());

  const auto length = stguard::read_header_length(file, file.size(), options);
  const bool framing_error = !whole && whole.error().error_class() == ErrorClass::framing;
  FUZZ_CHECK_MSG(length.ok() != framing_error, fz::describe(whole));
  if (!length) {
    FUZZ_CHECK(fz::same_error(length.error(), whole.error()));
  } else if (whole) {
    FUZZ_CHECK(*length == whole->header_length());
  }

  // What the file layer reads: 8 + N bytes, or the whole file when smaller or
  // when N does not fit (N is untrusted: saturate, never wrap).
  std::size_t needed = file.size();
  if (file.size() >= 8) {
    const std::uint64_t n = file[0] | std::uint64_t{file[1]} << 8 | std::uint64_t{file[2]} << 16 |
                            std::uint64_t{file[3]} << 24 | std::uint64_t{file[4]} << 32 |
                            std::uint64_t{file[5]} << 40 | std::uint64_t{file[6]} << 48 |
                            std::uint64_t{file[7]} << 56;
    if (n <= file.size() - 8) needed = static_cast<std::size_t>(8 + n);
  }
  const auto prefix = validate_copy(file, needed, options);
  FUZZ_CHECK_MSG(fz::same_result(whole, prefix), fz::describe(whole) + " vs prefix " + fz::describe(prefix));

  // More than needed is fine and ignored. The extra count comes from the
  // input's size so that it varies without a parameter byte.
  const std::size_t extra = std::min<std::size_t>(file.size() - needed, file.size() % 7);
  if (extra > 0) {
    const auto longer = validate_copy(file, needed + extra, options);
    FUZZ_CHECK_MSG(fz::same_result(whole, longer), fz::describe(whole) + " vs longer " + fz::describe(longer));
  }

  // One byte short: only a framing verdict can be reached, and only when the
  // 8 length bytes are there (or the file is under 8 bytes); anything else is
  // "prefix too short", never a guess about the missing byte. Saying what a
  // file that is not safetensors is (NOT_SAFETENSORS_*) takes its first
  // min(size, 512) bytes; a prefix without them gets the plain framing error,
  // the one the 8 length bytes alone give.
  if (needed > 0) {
    const auto shorter = validate_copy(file, needed - 1, options);
    FUZZ_CHECK(!shorter);
    if (framing_error && (needed - 1 >= 8 || file.size() < 8)) {
      constexpr std::size_t kRecognitionWindow = 512;
      const bool window_held = needed - 1 >= std::min(file.size(), kRecognitionWindow);
      const auto plain = stguard::read_header_length(file.first(std::min<std::size_t>(file.size(), 8)), file.size(),
                                                     options);
      FUZZ_CHECK(!plain);
      const stguard::Error& expected = window_held ? whole.error() : plain.error();
      FUZZ_CHECK_MSG(fz::same_error(shorter.error(), expected), fz::describe(shorter));
    } else {
      FUZZ_CHECK_MSG(shorter.error().code == ErrorCode::io_read_failed, fz::describe(shorter));
      fz::check_error(shorter.error(), file.size(), /*io_allowed=*/true);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> file(data, size);
  check_profile(file, stguard::Options::strict());
  check_profile(file, stguard::Options::compat());
  return 0;
}
