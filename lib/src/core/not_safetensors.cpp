// Recognises the common files people hand to a safetensors tool by mistake
// (a sharded checkpoint's index, a Git LFS pointer, an HTML error page, other
// JSON or text) once the 8-byte length prefix has already failed the framing
// checks. Such a prefix is 8 text bytes read as a little-endian number, so the
// plain error would be "header length 2322294139127472502 exceeds ..."; the
// verdict stays the same, only the code and message say what the file is.
// Only the first kRecognitionWindowBytes are looked at, through the cursor.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/core_internal.hpp"
#include "core/utf8.hpp"
#include "stguard/cursor.hpp"

namespace stguard::detail {
namespace {

constexpr std::uint8_t ascii_lower(std::uint8_t byte) noexcept {
  return byte >= 'A' && byte <= 'Z' ? static_cast<std::uint8_t>(byte - 'A' + 'a') : byte;
}

// True when the cursor's next bytes are `word` (ASCII, case-insensitive).
bool starts_with(const ByteCursor& cursor, std::string_view word) noexcept {
  for (std::size_t i = 0; i < word.size(); ++i) {
    std::uint8_t byte = 0;
    if (!cursor.peek_u8_at(i, byte) || ascii_lower(byte) != static_cast<std::uint8_t>(word[i])) return false;
  }
  return true;
}

// True when `word` (ASCII, exact case) occurs anywhere in the cursor's bytes.
bool contains(ByteCursor cursor, std::string_view word) noexcept {
  while (!cursor.empty()) {
    std::uint8_t first = 0;
    (void)cursor.peek_u8(first);
    if (first == static_cast<std::uint8_t>(word.front())) {
      bool match = true;
      for (std::size_t i = 1; i < word.size() && match; ++i) {
        std::uint8_t byte = 0;
        match = cursor.peek_u8_at(i, byte) && byte == static_cast<std::uint8_t>(word[i]);
      }
      if (match) return true;
    }
    (void)cursor.skip(1);
  }
  return false;
}

bool is_blank(std::uint8_t byte) noexcept { return byte == ' ' || byte == '\t' || byte == '\n' || byte == '\r'; }

// Skips a UTF-8 byte order mark and leading whitespace, as editors and web
// servers add them in front of JSON and HTML.
void skip_bom_and_blanks(ByteCursor& cursor) noexcept {
  if (starts_with(cursor, "\xef\xbb\xbf")) (void)cursor.skip(3);
  std::uint8_t byte = 0;
  while (cursor.peek_u8(byte) && is_blank(byte)) (void)cursor.skip(1);
}

std::optional<Error> recognise(ByteCursor window) {
  if (!may_be_text(window)) return std::nullopt;
  ByteCursor content = window;
  skip_bom_and_blanks(content);
  // The pointer format (git-lfs spec v1) starts with exactly this line.
  if (starts_with(content, "version https://git-lfs.github.com/spec/")) {
    return make_error(ErrorCode::not_safetensors_lfs_pointer,
                      "this is a Git LFS pointer file, not the model it points to: fetch the real file "
                      "(git lfs pull) and validate that",
                      0);
  }
  for (const std::string_view tag : {"<!doctype html", "<html", "<head", "<body"}) {
    if (starts_with(content, tag)) {
      return make_error(ErrorCode::not_safetensors_html,
                        "this looks like an HTML page (a download error or login page?), not a safetensors "
                        "file: download the file again",
                        0);
    }
  }
  if (starts_with(content, "{") || starts_with(content, "[")) {
    // Every sharded index names its weight_map; transformers writes it (or
    // metadata.total_size) within the first lines.
    if (contains(content, "\"weight_map\"") || contains(content, "\"total_size\"")) {
      return make_error(ErrorCode::not_safetensors_shard_index,
                        "this looks like a sharded checkpoint index (model.safetensors.index.json), not a "
                        "safetensors file: check it and its shards with st-shard check",
                        0);
    }
    return make_error(ErrorCode::not_safetensors_json,
                      "this looks like JSON text, not a safetensors file (one starts with an 8-byte "
                      "header length, then its JSON header)",
                      0);
  }
  return make_error(ErrorCode::not_safetensors_text, "this looks like a text file, not a safetensors file", 0);
}

}  // namespace

// Text: strict UTF-8 without C0 controls other than tab, newline, form feed
// and carriage return (no NUL, which every real length prefix of a header
// under 100 MB has). A multi-byte sequence cut by the end of the window is
// not held against the file (a stream cannot know yet whether more follows).
bool may_be_text(ByteCursor window) noexcept {
  const std::span<const std::uint8_t> bytes = window.rest();
  for (const std::uint8_t byte : bytes) {
    if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\f' && byte != '\r') return false;
    if (byte == 0x7f) return false;
  }
  const auto bad = find_invalid_utf8(window);
  if (!bad) return true;
  constexpr std::size_t kLongestSequence = 4;
  const std::uint8_t lead = bytes[*bad];
  return *bad + kLongestSequence > bytes.size() && lead >= 0xc2 && lead <= 0xf4;
}

Error explain_framing_error(Error framing_error, std::span<const std::uint8_t> leading_bytes,
                            std::uint64_t file_size) noexcept {
  try {
    // Recognition needs the whole window (or the whole file when shorter), so
    // the answer never depends on how much of the file the caller handed over.
    const std::uint64_t window_size = file_size < kRecognitionWindowBytes ? file_size : kRecognitionWindowBytes;
    ByteCursor cursor(leading_bytes);
    ByteCursor window(leading_bytes);
    if (!cursor.read_cursor(static_cast<std::size_t>(window_size), window)) return framing_error;
    if (auto recognised = recognise(window)) return *std::move(recognised);
  } catch (...) {
    // Building the message failed (out of memory): the plain error still holds.
  }
  return framing_error;
}

}  // namespace stguard::detail
