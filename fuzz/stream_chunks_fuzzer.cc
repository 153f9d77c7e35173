// stream_chunks: StreamValidator fed the file in fuzzer-chosen chunks (empty
// chunks and 1-byte chunks included, boundaries anywhere: inside the length
// prefix, the header, a UTF-8 sequence, the data) must reach exactly the
// verdict validate_file reaches on the whole buffer: same code, offset,
// tensor and message, or the same Header. Also checked after every feed:
// feed() returns false exactly when failed() is true, failed() never goes
// back to false, bytes_seen() counts every byte fed; and, when the input asks
// the caller to stop at the first false (as validate_stream does), the verdict
// reached on the bytes read so far is already the whole file's verdict.
// Memory: the validator must buffer only what arrives; a tiny input claiming
// a huge header allocates nothing big (the .options malloc limit catches it).
//
// Input: [0] bits 0-3: number n of chunk-length bytes, bit 4: compat,
//            bit 5: stop feeding at the first false
//        [1..n] chunk lengths, used in a cycle: b < 192 gives b bytes,
//            otherwise (b - 191) * 256 bytes; 0 feeds an empty chunk
//        [n+1..] the file
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_support.hpp"
#include "stguard/stream_validator.hpp"
#include "stguard/validate.hpp"

namespace {

std::size_t chunk_length(std::uint8_t code) noexcept {
  return code < 192 ? code : std::size_t{code - 191U} * 256;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fz = stguard::fuzz;
  fz::ParamReader params({data, size});
  const std::uint8_t control = params.byte();
  const std::size_t lengths_count = control & 0x0F;
  std::uint8_t lengths[15] = {};
  for (std::size_t i = 0; i < lengths_count; ++i) lengths[i] = params.byte();
  const stguard::Options options = (control & 0x10) != 0 ? stguard::Options::compat() : stguard::Options::strict();
  const bool stop_at_first_false = (control & 0x20) != 0;
  const std::span<const std::uint8_t> file = params.rest();

  const auto whole = stguard::validate_file(file, options);

  stguard::StreamValidator stream(options);
  std::size_t position = 0;
  std::size_t next_length = 0;
  std::size_t empty_in_a_row = 0;  // all-zero lengths must still make progress
  bool failed = false;
  while (position < file.size()) {
    std::size_t length = file.size() - position;
    if (lengths_count > 0) {
      length = std::min(length, chunk_length(lengths[next_length]));
      next_length = (next_length + 1) % lengths_count;
      empty_in_a_row = length == 0 ? empty_in_a_row + 1 : 0;
      if (empty_in_a_row > lengths_count) length = file.size() - position;
    }
    const bool more = stream.feed(file.subspan(position, length));
    position += length;
    FUZZ_CHECK(more == !stream.failed());
    FUZZ_CHECK(!failed || stream.failed());  // a rejection is final
    FUZZ_CHECK(stream.bytes_seen() == position);
    failed = stream.failed();
    if (failed && stop_at_first_false) break;
  }
  // Feeding nothing more, or an empty chunk, changes nothing.
  (void)stream.feed({});
  FUZZ_CHECK(stream.bytes_seen() == position);

  const auto verdict = stream.finish();
  FUZZ_CHECK_MSG(fz::same_result(whole, verdict), fz::describe(whole) + " vs stream " + fz::describe(verdict));
  FUZZ_CHECK(!failed || !whole);
  // finish() is const: asking twice gives the same answer.
  FUZZ_CHECK(fz::same_result(verdict, stream.finish()));
  if (!whole) fz::check_error(whole.error(), file.size());
  return 0;
}
