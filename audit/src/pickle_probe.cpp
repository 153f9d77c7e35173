// The bounded pickle-opcode walk (see pickle_probe.hpp): one table entry per
// opcode says how its argument is encoded and what it does to the stack.
#include "pickle_probe.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <string_view>

#include "cursor_read.hpp"
#include "stguard/cursor.hpp"

namespace stguard::audit::detail {
namespace {

// How an opcode's argument is encoded after the opcode byte.
enum class Arg : std::uint8_t {
  invalid,    // not an opcode
  none,
  fixed1,
  fixed2,
  fixed4,
  fixed8,
  proto,      // one byte, the protocol (0..5)
  frame,      // u64 frame length, which must fit the file
  len8,       // u8 length, then that many bytes
  len32,      // u32 length (signed for BINSTRING and LONG4), then bytes
  len64,      // u64 length, then bytes
  int_line,   // decimal integer text up to '\n'
  float_line,
  string_line,  // a quoted Python string literal up to '\n'
  any_line,   // any text up to '\n' (UNICODE, PERSID)
  global,     // two lines: module and name, both dotted identifiers
};

// What an opcode does to the stack (items above the innermost mark).
enum class Effect : std::uint8_t {
  none,        // PROTO, FRAME
  push,        // +1
  mark,        // a new mark; items since it = 0
  memo_put,    // needs 1, records a memo key
  memo_get,    // needs the key in the memo, +1
  replace1,    // needs 1, net 0
  pop1,        // needs 1, -1
  dup,         // needs 1, +1
  reduce2,     // needs 2, -1
  reduce3,     // needs 3, -2
  build_mark,  // pops to the mark, pushes 1
  obj_mark,    // pops to the mark (at least one item: the class), pushes 1
  pop_mark,    // pops to the mark
  extend_mark,       // pops to the mark into the object below it
  extend_mark_pairs, // as extend_mark, an even number of items (SETITEMS)
  stop,        // needs 1
};

struct Opcode {
  Arg arg = Arg::invalid;
  Effect effect = Effect::none;
};

constexpr std::array<Opcode, 256> make_table() {
  std::array<Opcode, 256> table{};
  auto set = [&](int byte, Arg arg, Effect effect) { table[static_cast<std::size_t>(byte)] = Opcode{arg, effect}; };
  set('(', Arg::none, Effect::mark);
  set('.', Arg::none, Effect::stop);
  set('0', Arg::none, Effect::pop1);
  set('1', Arg::none, Effect::pop_mark);
  set('2', Arg::none, Effect::dup);
  set('F', Arg::float_line, Effect::push);
  set('I', Arg::int_line, Effect::push);
  set('J', Arg::fixed4, Effect::push);
  set('K', Arg::fixed1, Effect::push);
  set('L', Arg::int_line, Effect::push);
  set('M', Arg::fixed2, Effect::push);
  set('N', Arg::none, Effect::push);
  set('P', Arg::any_line, Effect::push);
  set('Q', Arg::none, Effect::replace1);
  set('R', Arg::none, Effect::reduce2);
  set('S', Arg::string_line, Effect::push);
  set('T', Arg::len32, Effect::push);
  set('U', Arg::len8, Effect::push);
  set('V', Arg::any_line, Effect::push);
  set('X', Arg::len32, Effect::push);
  set('a', Arg::none, Effect::reduce2);
  set('b', Arg::none, Effect::reduce2);
  set('c', Arg::global, Effect::push);
  set('d', Arg::none, Effect::build_mark);
  set('}', Arg::none, Effect::push);
  set('e', Arg::none, Effect::extend_mark);
  set('g', Arg::int_line, Effect::memo_get);
  set('h', Arg::fixed1, Effect::memo_get);
  set('i', Arg::global, Effect::build_mark);
  set('j', Arg::fixed4, Effect::memo_get);
  set('l', Arg::none, Effect::build_mark);
  set(']', Arg::none, Effect::push);
  set('o', Arg::none, Effect::obj_mark);
  set('p', Arg::int_line, Effect::memo_put);
  set('q', Arg::fixed1, Effect::memo_put);
  set('r', Arg::fixed4, Effect::memo_put);
  set('s', Arg::none, Effect::reduce3);
  set('t', Arg::none, Effect::build_mark);
  set(')', Arg::none, Effect::push);
  set('u', Arg::none, Effect::extend_mark_pairs);
  set('G', Arg::fixed8, Effect::push);
  set('B', Arg::len32, Effect::push);
  set('C', Arg::len8, Effect::push);
  set(0x80, Arg::proto, Effect::none);
  set(0x81, Arg::none, Effect::reduce2);   // NEWOBJ
  set(0x82, Arg::fixed1, Effect::push);    // EXT1
  set(0x83, Arg::fixed2, Effect::push);    // EXT2
  set(0x84, Arg::fixed4, Effect::push);    // EXT4
  set(0x85, Arg::none, Effect::replace1);  // TUPLE1
  set(0x86, Arg::none, Effect::reduce2);   // TUPLE2
  set(0x87, Arg::none, Effect::reduce3);   // TUPLE3
  set(0x88, Arg::none, Effect::push);      // NEWTRUE
  set(0x89, Arg::none, Effect::push);      // NEWFALSE
  set(0x8a, Arg::len8, Effect::push);      // LONG1
  set(0x8b, Arg::len32, Effect::push);     // LONG4
  set(0x8c, Arg::len8, Effect::push);      // SHORT_BINUNICODE
  set(0x8d, Arg::len64, Effect::push);     // BINUNICODE8
  set(0x8e, Arg::len64, Effect::push);     // BINBYTES8
  set(0x8f, Arg::none, Effect::push);      // EMPTY_SET
  set(0x90, Arg::none, Effect::extend_mark);  // ADDITEMS
  set(0x91, Arg::none, Effect::build_mark);   // FROZENSET
  set(0x92, Arg::none, Effect::reduce3);   // NEWOBJ_EX
  set(0x93, Arg::none, Effect::reduce2);   // STACK_GLOBAL
  set(0x94, Arg::none, Effect::memo_put);  // MEMOIZE
  set(0x95, Arg::frame, Effect::none);     // FRAME
  set(0x96, Arg::len64, Effect::push);     // BYTEARRAY8
  set(0x97, Arg::none, Effect::push);      // NEXT_BUFFER
  set(0x98, Arg::none, Effect::replace1);  // READONLY_BUFFER
  return table;
}

constexpr std::array<Opcode, 256> kOpcodes = make_table();
constexpr std::uint8_t kHighestProtocol = 5;
// Marks deeper than this end the walk (as rejected): no real pickle's first
// opcodes nest that far, and the walk keeps its state in fixed arrays.
constexpr std::size_t kMaxMarks = 64;

bool is_digit(std::uint8_t c) { return c >= '0' && c <= '9'; }
bool is_identifier_character(std::uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '.';
}

// The text up to the next '\n' (consumed with it); false when there is none.
bool read_line(ByteCursor& cursor, std::span<const std::uint8_t>& line) {
  const auto rest = cursor.rest();
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '\n') return cursor.read_bytes(i, line) && cursor.skip(1);
  }
  return false;
}

bool all_of(std::span<const std::uint8_t> text, bool (*predicate)(std::uint8_t)) {
  for (const std::uint8_t c : text) {
    if (!predicate(c)) return false;
  }
  return true;
}

bool is_int_text(std::span<const std::uint8_t> text) {
  ByteCursor cursor(text);
  std::uint8_t c = 0;
  if (cursor.peek_u8(c) && (c == '-' || c == '+') && !cursor.skip(1)) return false;
  std::span<const std::uint8_t> digits = cursor.rest();
  if (!digits.empty() && digits.back() == 'L') digits = digits.first(digits.size() - 1);  // protocol 0 LONG
  return !digits.empty() && all_of(digits, is_digit);
}

bool is_float_text(std::span<const std::uint8_t> text) {
  return !text.empty() && all_of(text, [](std::uint8_t c) {
    return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' || c == 'i' || c == 'n' ||
           c == 'f' || c == 'a';
  });
}

bool is_quoted_text(std::span<const std::uint8_t> text) {
  return text.size() >= 2 && (text.front() == '\'' || text.front() == '"') && text.back() == text.front();
}

bool is_dotted_identifier(std::span<const std::uint8_t> text) {
  return !text.empty() && !is_digit(text.front()) && all_of(text, is_identifier_character);
}

enum class ArgOutcome : std::uint8_t { ok, rejected, past_window };

// What an argument said, beyond consuming it.
struct ArgValue {
  std::uint64_t memo_key = 0;
  std::uint8_t protocol = 0;
  std::span<const std::uint8_t> text;    // a string argument (for STACK_GLOBAL)
  std::span<const std::uint8_t> module;  // GLOBAL / INST
  std::span<const std::uint8_t> name;
};

// Consumes the argument of `arg`.
ArgOutcome read_argument(ByteCursor& cursor, Arg arg, std::uint8_t opcode, std::uint64_t window_start_to_end_of_file,
                         ArgValue& value) {
  std::uint64_t& memo_key = value.memo_key;
  std::uint8_t& protocol = value.protocol;
  // Bytes still in the file after the cursor (the window may be shorter).
  const std::uint64_t file_left = window_start_to_end_of_file - cursor.position();
  auto skip_payload = [&](std::uint64_t length) {
    if (length > file_left) return ArgOutcome::rejected;
    if (length > cursor.remaining()) return ArgOutcome::past_window;
    return cursor.read_bytes(static_cast<std::size_t>(length), value.text) ? ArgOutcome::ok : ArgOutcome::rejected;
  };
  std::span<const std::uint8_t> line;
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::uint32_t u32 = 0;
  std::uint64_t u64 = 0;
  switch (arg) {
    case Arg::invalid: return ArgOutcome::rejected;
    case Arg::none: return ArgOutcome::ok;
    case Arg::fixed1:
      if (!cursor.read_u8(u8)) return ArgOutcome::rejected;
      memo_key = u8;
      return ArgOutcome::ok;
    case Arg::fixed2: return read_u16le(cursor, u16) ? ArgOutcome::ok : ArgOutcome::rejected;
    case Arg::fixed4:
      if (!read_u32le(cursor, u32)) return ArgOutcome::rejected;
      memo_key = u32;
      return ArgOutcome::ok;
    case Arg::fixed8: return cursor.read_u64le(u64) ? ArgOutcome::ok : ArgOutcome::rejected;
    case Arg::proto:
      if (!cursor.read_u8(u8) || u8 > kHighestProtocol) return ArgOutcome::rejected;
      protocol = u8;
      return ArgOutcome::ok;
    case Arg::frame:
      // A frame announces the bytes that follow; they must exist.
      if (!cursor.read_u64le(u64) || u64 > file_left - 8) return ArgOutcome::rejected;
      return ArgOutcome::ok;
    case Arg::len8:
      if (!cursor.read_u8(u8)) return ArgOutcome::rejected;
      return skip_payload(u8);
    case Arg::len32:
      if (!read_u32le(cursor, u32)) return ArgOutcome::rejected;
      // BINSTRING and LONG4 take a signed length; a negative one is an error.
      if ((opcode == 'T' || opcode == 0x8b) && (u32 & 0x80000000U) != 0) return ArgOutcome::rejected;
      return skip_payload(u32);
    case Arg::len64:
      if (!cursor.read_u64le(u64)) return ArgOutcome::rejected;
      return skip_payload(u64);
    case Arg::int_line:
      if (!read_line(cursor, line) || !is_int_text(line)) return ArgOutcome::rejected;
      memo_key = 0;
      return ArgOutcome::ok;
    case Arg::float_line: return read_line(cursor, line) && is_float_text(line) ? ArgOutcome::ok : ArgOutcome::rejected;
    case Arg::string_line:
      return read_line(cursor, line) && is_quoted_text(line) ? ArgOutcome::ok : ArgOutcome::rejected;
    case Arg::any_line: return read_line(cursor, line) ? ArgOutcome::ok : ArgOutcome::rejected;
    case Arg::global:
      return read_line(cursor, value.module) && is_dotted_identifier(value.module) && read_line(cursor, value.name) &&
                     is_dotted_identifier(value.name)
                 ? ArgOutcome::ok
                 : ArgOutcome::rejected;
  }
  return ArgOutcome::rejected;
}

// The unpickler's stack, as counts: items above the innermost mark, and the
// item counts each open mark saved.
struct Stack {
  std::size_t items = 0;
  std::array<std::size_t, kMaxMarks> saved{};
  std::size_t marks = 0;
  std::bitset<256> memo_small;  // memo keys below 256 (BINPUT, MEMOIZE)
  bool memo_large = false;      // some key of 256 or more, or a text key, was put
  std::uint64_t memo_size = 0;

  bool needs(std::size_t count) const { return items >= count; }
  bool pop_to_mark() {
    if (marks == 0) return false;
    items = saved[--marks];
    return true;
  }
};

// Applies `effect`; false when the real unpickler would raise.
bool apply(Stack& stack, Effect effect, std::uint8_t opcode, std::uint64_t memo_key) {
  switch (effect) {
    case Effect::none: return true;
    case Effect::push: ++stack.items; return true;
    case Effect::mark:
      if (stack.marks == kMaxMarks) return false;
      stack.saved[stack.marks++] = stack.items;
      stack.items = 0;
      return true;
    case Effect::memo_put: {
      if (!stack.needs(1)) return false;
      const std::uint64_t key = opcode == 0x94 ? stack.memo_size : memo_key;
      if (key < 256 && opcode != 'p') {
        stack.memo_small.set(static_cast<std::size_t>(key));
      } else {
        stack.memo_large = true;
      }
      ++stack.memo_size;
      return true;
    }
    case Effect::memo_get: {
      const bool known = opcode == 'g' ? stack.memo_size > 0
                         : memo_key < 256 ? stack.memo_small.test(static_cast<std::size_t>(memo_key))
                                          : stack.memo_large;
      if (!known) return false;
      ++stack.items;
      return true;
    }
    case Effect::replace1: return stack.needs(1);
    case Effect::pop1:
      if (!stack.needs(1)) return false;
      --stack.items;
      return true;
    case Effect::dup:
      if (!stack.needs(1)) return false;
      ++stack.items;
      return true;
    case Effect::reduce2:
      if (!stack.needs(2)) return false;
      stack.items -= 1;
      return true;
    case Effect::reduce3:
      if (!stack.needs(3)) return false;
      stack.items -= 2;
      return true;
    case Effect::build_mark:
      if (!stack.pop_to_mark()) return false;
      ++stack.items;
      return true;
    case Effect::obj_mark:
      if (!stack.needs(1) || !stack.pop_to_mark()) return false;
      ++stack.items;
      return true;
    case Effect::pop_mark: return stack.pop_to_mark();
    case Effect::extend_mark:
    case Effect::extend_mark_pairs:
      if (effect == Effect::extend_mark_pairs && stack.items % 2 != 0) return false;
      return stack.pop_to_mark() && stack.needs(1);
    case Effect::stop: return stack.needs(1);
  }
  return false;
}

}  // namespace

PickleWalk walk_pickle(std::span<const std::uint8_t> window, std::uint64_t file_size) noexcept {
  PickleWalk walk;
  if (file_size < window.size()) return walk;
  ByteCursor cursor(window);
  Stack stack;
  while (walk.opcodes < kPickleOpcodesToAccept) {
    walk.stopped_at = cursor.position();
    std::uint8_t opcode = 0;
    if (!cursor.read_u8(opcode)) return walk;  // the stream ends before STOP
    const Opcode& entry = kOpcodes[opcode];
    ArgValue value;
    const ArgOutcome outcome = read_argument(cursor, entry.arg, opcode, file_size, value);
    if (outcome == ArgOutcome::rejected) return walk;
    if (opcode == 0x80 && walk.opcodes == 0) walk.protocol = value.protocol;
    if (!apply(stack, entry.effect, opcode, value.memo_key)) return walk;
    ++walk.opcodes;
    if (outcome == ArgOutcome::past_window || entry.effect == Effect::stop) {
      walk.reached_stop = entry.effect == Effect::stop;
      walk.accepted = true;
      return walk;
    }
  }
  walk.accepted = true;
  return walk;
}

std::vector<std::string> pickle_imports(std::span<const std::uint8_t> bytes, std::size_t max_imports) {
  std::vector<std::string> imports;
  auto text_of = [](std::span<const std::uint8_t> text) {
    return std::string(reinterpret_cast<const char*>(text.data()), text.size());
  };
  auto add = [&](std::string found) {
    if (imports.size() < max_imports && std::find(imports.begin(), imports.end(), found) == imports.end()) {
      imports.push_back(std::move(found));
    }
  };
  ByteCursor cursor(bytes);
  Stack stack;
  // The two most recent string arguments: STACK_GLOBAL pops a module and a name.
  std::array<std::span<const std::uint8_t>, 2> recent{};
  int strings_in_a_row = 0;
  for (std::uint32_t walked = 0; walked < kMaxImportWalkOpcodes; ++walked) {
    std::uint8_t opcode = 0;
    if (!cursor.read_u8(opcode)) break;
    const Opcode& entry = kOpcodes[opcode];
    ArgValue value;
    if (read_argument(cursor, entry.arg, opcode, bytes.size(), value) != ArgOutcome::ok) break;
    if (!apply(stack, entry.effect, opcode, value.memo_key)) break;
    if (entry.arg == Arg::global) add(text_of(value.module) + " " + text_of(value.name));
    const bool is_string = opcode == 'X' || opcode == 0x8c || opcode == 0x8d || opcode == 'U' || opcode == 'T';
    if (is_string) {
      recent = {recent[1], value.text};
      ++strings_in_a_row;
    } else if (entry.effect != Effect::memo_put) {
      // Only strings pushed right before STACK_GLOBAL are known to be its
      // operands (memoized ones come back through GET, unseen here).
      if (opcode == 0x93) add(strings_in_a_row >= 2 ? text_of(recent[0]) + " " + text_of(recent[1]) : "(memoized names)");
      strings_in_a_row = 0;
    }
    if (entry.effect == Effect::stop) break;
  }
  return imports;
}

}  // namespace stguard::audit::detail
