// Code-point walking (the core's UTF-8 decoder), deceptive-character classes
// (from the library's table) and NFC (utf8proc, used for nothing else).
#include "text_scan.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <limits>
#include <memory>

#include "core/code_point_class.hpp"
#include "core/utf8.hpp"

namespace stguard::audit::detail {

bool next_code_point(ByteCursor& cursor, char32_t& code_point) noexcept {
  // The core's strict decoder, so the audit reads text exactly as the validator
  // does; on failure the cursor stays where it was (decode_utf8 would step over
  // one byte), which callers that keep the bad byte rely on.
  ByteCursor attempt = cursor;
  if (attempt.empty() || !stguard::detail::decode_utf8(attempt, code_point)) return false;
  cursor = attempt;
  return true;
}

DeceptiveClass classify_deceptive(char32_t cp) noexcept {
  // The library's display table is the one source of these classes.
  switch (stguard::detail::classify_code_point(cp)) {
    case stguard::detail::CodePointClass::bidi_mark: return DeceptiveClass::bidi_mark;
    case stguard::detail::CodePointClass::bidi_control: return DeceptiveClass::bidi_control;
    case stguard::detail::CodePointClass::tag: return DeceptiveClass::tag;
    case stguard::detail::CodePointClass::ignorable:
    case stguard::detail::CodePointClass::separator: return DeceptiveClass::invisible;
    default: return DeceptiveClass::none;
  }
}

bool is_bidi_control(char32_t cp) noexcept {
  const DeceptiveClass found = classify_deceptive(cp);
  return found == DeceptiveClass::bidi_mark || found == DeceptiveClass::bidi_control;
}

bool is_invisible(char32_t cp) noexcept {
  const DeceptiveClass found = classify_deceptive(cp);
  return found == DeceptiveClass::tag || found == DeceptiveClass::invisible;
}

namespace {

constexpr char32_t kWavingBlackFlag = 0x1F3F4;
constexpr char32_t kCancelTag = 0xE007F;

void note_character(DeceptiveCharacters& found, char32_t code_point) {
  ++found.count;
  const std::string label = code_point_label(code_point);
  if (found.labels.find(label) != std::string::npos) return;
  if (found.distinct++ < 4) found.labels += (found.labels.empty() ? "" : ", ") + label;
}

ByteCursor text_cursor(std::string_view text) {
  return ByteCursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace

DeceptiveScan scan_deceptive(std::string_view text) {
  DeceptiveScan scan;
  ByteCursor cursor = text_cursor(text);
  char32_t code_point = 0;
  // Inside an emoji tag sequence (U+1F3F4, tags, U+E007F: the flags of
  // England, Scotland, Wales), tags spell a flag, not hidden text.
  bool in_flag_sequence = false;
  for (;;) {
    std::uint8_t byte = 0;
    if (!cursor.peek_u8(byte)) break;
    if (byte < 0x80) {
      in_flag_sequence = false;
      if (!cursor.skip(1)) break;
      continue;
    }
    if (!next_code_point(cursor, code_point)) break;
    const DeceptiveClass found = classify_deceptive(code_point);
    if (code_point == kWavingBlackFlag) {
      in_flag_sequence = true;
    } else if (found != DeceptiveClass::tag) {
      in_flag_sequence = false;
    }
    switch (found) {
      case DeceptiveClass::none: break;
      case DeceptiveClass::bidi_mark: note_character(scan.bidi_marks, code_point); break;
      case DeceptiveClass::bidi_control: note_character(scan.bidi_controls, code_point); break;
      case DeceptiveClass::tag:
        note_character(in_flag_sequence ? scan.invisible : scan.tags, code_point);
        if (code_point == kCancelTag) in_flag_sequence = false;
        break;
      case DeceptiveClass::invisible: note_character(scan.invisible, code_point); break;
    }
  }
  return scan;
}

std::string code_point_form(std::string_view text) {
  std::string out;
  ByteCursor cursor = text_cursor(text);
  char32_t code_point = 0;
  while (out.size() < 200 && next_code_point(cursor, code_point)) {
    if (code_point >= 0x20 && code_point < 0x7F && code_point != '\\' && code_point != '"') {
      out += static_cast<char>(code_point);
    } else {
      out += "\\u{" + code_point_label(code_point).substr(2) + "}";
    }
  }
  if (!cursor.empty()) out += "...";
  return out;
}

std::string code_point_label(char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const auto nibble = static_cast<unsigned>((cp >> static_cast<unsigned>(shift)) & 0xFU);
    if (nibble != 0 || !digits.empty() || shift < 16) digits += kHex[nibble];
  }
  return "U+" + digits;
}

std::optional<std::string> nfc(std::string_view text) {
  bool ascii = true;
  for (const char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(text);
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<utf8proc_ssize_t>::max() / 4)) return std::nullopt;
  utf8proc_uint8_t* mapped = nullptr;
  // An explicit length (no UTF8PROC_NULLTERM): names may hold U+0000 in compat.
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  if (length < 0 || mapped == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
}

}  // namespace stguard::audit::detail
