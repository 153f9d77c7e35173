// StreamValidator: validation of a file that arrives in chunks (stdin, a pipe,
// a socket) without knowing its size and without keeping its data.
//
// It keeps the 8-byte prefix and the N header bytes (grown as they arrive, so
// a tiny input claiming a 100 MB header costs only what it sends), then only
// counts the data bytes. When the prefix is implausible it keeps the first
// 512 bytes instead, to say what the file is (an index, an LFS pointer ...). finish() gives exactly the verdict validate_file
// would give on the concatenation of all chunks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"

namespace stguard {

class StreamValidator {
 public:
  explicit StreamValidator(Options options = Options::strict());

  // Feeds the next chunk. Returns false once the verdict is already known
  // to be a rejection (the caller may stop reading); feeding more is harmless.
  bool feed(std::span<const std::uint8_t> chunk) noexcept;
  // True when further input cannot change the verdict from "invalid".
  [[nodiscard]] bool failed() const noexcept { return early_error_.has_value(); }
  // Bytes fed so far.
  [[nodiscard]] std::uint64_t bytes_seen() const noexcept { return total_; }
  // The verdict for everything fed so far, taken as the whole file.
  [[nodiscard]] Result<Header> finish() const noexcept;

 private:
  // recognition: the length prefix already failed; up to the first
  // kRecognitionWindowBytes are kept to tell what the file is instead.
  enum class Stage { prefix, recognition, header, data };

  void on_header_complete() noexcept;

  Options options_;
  Stage stage_ = Stage::prefix;
  std::vector<std::uint8_t> buffered_;  // prefix, then header bytes
  std::uint64_t header_length_ = 0;
  std::uint64_t total_ = 0;
  std::optional<Header> header_;        // set once the header parsed
  std::optional<Error> early_error_;    // a verdict known before the end
  std::optional<Error> framing_error_;  // the plain framing error, in the recognition stage
};

}  // namespace stguard
