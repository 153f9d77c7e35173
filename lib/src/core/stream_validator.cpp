// Chunked validation (stdin, pipes). The prefix goes through the same framing
// step as a file (frame_header), the header is buffered and parsed in place
// by the same core as whole-file validation; data bytes are only counted. The
// buffer grows with what actually arrives, never from N alone.
#include "stguard/stream_validator.hpp"

#include <algorithm>
#include <new>

#include "core/core_internal.hpp"
#include "stguard/cursor.hpp"
#include "stguard/validate.hpp"

namespace stguard {

namespace {
constexpr std::size_t kPrefixBytes = 8;
}  // namespace

StreamValidator::StreamValidator(Options options) : options_(options) {}

void StreamValidator::on_header_complete() noexcept {
  // The buffer is discarded next, so the parser may decode in it: no copy.
  const std::span<std::uint8_t> header_bytes(buffered_.data() + kPrefixBytes, header_length_);
  auto parsed = detail::parse_header_in_place(header_bytes, std::nullopt, options_);
  if (!parsed) {
    early_error_ = std::move(parsed).error();
  } else {
    header_ = std::move(parsed).value();
  }
  std::vector<std::uint8_t>().swap(buffered_);  // the header bytes are no longer needed
  stage_ = Stage::data;
}

bool StreamValidator::feed(std::span<const std::uint8_t> chunk) noexcept {
  try {
    total_ += chunk.size();
    if (early_error_) return false;
    ByteCursor input(chunk);
    if (stage_ == Stage::prefix) {
      const std::size_t take = std::min(kPrefixBytes - buffered_.size(), input.remaining());
      std::span<const std::uint8_t> bytes;
      (void)input.read_bytes(take, bytes);
      buffered_.insert(buffered_.end(), bytes.begin(), bytes.end());
      if (buffered_.size() < kPrefixBytes) return true;
      // The size is not known yet: the length's own limits now, the end of the input in finish().
      auto framed = detail::frame_header(buffered_, std::nullopt, options_);
      if (!framed) {
        framing_error_ = std::move(framed).error();
        stage_ = Stage::recognition;
      } else {
        header_length_ = *framed;
        stage_ = Stage::header;
      }
    }
    if (stage_ == Stage::recognition) {
      // The verdict is already a rejection; the first bytes only decide which.
      const std::size_t take =
          std::min(static_cast<std::size_t>(detail::kRecognitionWindowBytes) - buffered_.size(), input.remaining());
      std::span<const std::uint8_t> bytes;
      (void)input.read_bytes(take, bytes);
      buffered_.insert(buffered_.end(), bytes.begin(), bytes.end());
      if (buffered_.size() < detail::kRecognitionWindowBytes && detail::may_be_text(ByteCursor(buffered_))) return true;
      early_error_ = detail::explain_framing_error(*framing_error_, buffered_, total_);
      std::vector<std::uint8_t>().swap(buffered_);
      return false;
    }
    if (stage_ == Stage::header) {
      const std::uint64_t wanted = kPrefixBytes + header_length_ - buffered_.size();
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(wanted, input.remaining()));
      std::span<const std::uint8_t> bytes;
      (void)input.read_bytes(take, bytes);
      buffered_.insert(buffered_.end(), bytes.begin(), bytes.end());
      if (buffered_.size() < kPrefixBytes + header_length_) return true;
      on_header_complete();
      if (early_error_) return false;
    }
    // Data stage: only the count matters; more data than the tensors cover
    // can never become valid again.
    const std::uint64_t data_seen = total_ - kPrefixBytes - header_length_;
    if (data_seen > header_->data_size()) {
      early_error_ = detail::check_data_size(*header_, data_seen);
      return false;
    }
    return true;
  } catch (...) {
    early_error_ = detail::error_for_current_exception();  // finish() reports it
    return false;
  }
}

Result<Header> StreamValidator::finish() const noexcept {
  return detail::without_exceptions([&]() -> Result<Header> {
    if (early_error_) return *early_error_;
    switch (stage_) {
      case Stage::prefix:  // fewer than 8 bytes: file_too_small
        return detail::frame_header(buffered_, total_, options_).error();
      case Stage::recognition:
        return detail::explain_framing_error(*framing_error_, buffered_, total_);
      case Stage::header:
        // Everything fed is still buffered here, as 8 + N is past the end:
        // the framing step judges it as a file of total_ bytes.
        return detail::explain_framing_error(detail::frame_header(buffered_, total_, options_).error(), buffered_,
                                             total_);
      case Stage::data:
        break;
    }
    if (auto error = detail::check_data_size(*header_, total_ - kPrefixBytes - header_length_)) {
      return *std::move(error);
    }
    return *header_;
  });
}

}  // namespace stguard
