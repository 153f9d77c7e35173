// YAML documents for the metadata-config scanner: libyaml's event parser
// (Debian libyaml-dev), fed from a ByteCursor through libyaml's read
// handler, its events handed to the ConfigWalker.
//
// Why this is bounded: libyaml's parser and scanner keep explicit stacks
// (no recursion), the walker stops the loop at kConfigMaxDepth containers
// and at the event budget, and the scanner reads ahead of the parser by at
// most one simple key (1024 characters) past that. Aliases are events here,
// never expanded, so "billion laughs" documents cost their size. Tags are
// looked at only for the python/ family that PyYAML's unsafe loaders obey.
#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "config_walker.hpp"
#include "stguard/cursor.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

int read_from_cursor(void* data, unsigned char* buffer, std::size_t size, std::size_t* size_read) {
  auto* cursor = static_cast<ByteCursor*>(data);
  const std::size_t count = std::min(size, cursor->remaining());
  std::span<const std::uint8_t> bytes;
  if (!cursor->read_bytes(count, bytes)) return 0;
  if (count > 0) std::memcpy(buffer, bytes.data(), count);
  *size_read = count;
  return 1;
}

std::string_view as_view(const yaml_char_t* text, std::size_t length) {
  return text == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(text), length);
}

std::string_view as_view(const yaml_char_t* text) {
  return text == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(text));
}

void check_tag(const yaml_char_t* tag, ConfigWalker& walker) {
  const std::string_view text = as_view(tag);
  if (text.find("python/") != std::string_view::npos) walker.python_tag(text);
}

struct ParserDeleter {
  void operator()(yaml_parser_t* parser) const noexcept {
    yaml_parser_delete(parser);
    delete parser;
  }
};

struct EventGuard {
  yaml_event_t event{};
  EventGuard() = default;
  EventGuard(const EventGuard&) = delete;
  EventGuard& operator=(const EventGuard&) = delete;
  ~EventGuard() { yaml_event_delete(&event); }
};

// One event to the walker; false to stop.
bool feed(const yaml_event_t& event, ConfigWalker& walker) {
  switch (event.type) {
    case YAML_MAPPING_START_EVENT:
      check_tag(event.data.mapping_start.tag, walker);
      return walker.begin_container(true);
    case YAML_SEQUENCE_START_EVENT:
      check_tag(event.data.sequence_start.tag, walker);
      return walker.begin_container(false);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT: return walker.end_container();
    case YAML_SCALAR_EVENT: {
      check_tag(event.data.scalar.tag, walker);
      const std::string_view text = as_view(event.data.scalar.value, event.data.scalar.length);
      const bool plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && event.data.scalar.tag == nullptr;
      return walker.scalar(text, plain ? yaml_plain_kind(text) : ScalarKind::string);
    }
    case YAML_ALIAS_EVENT: return walker.scalar(as_view(event.data.alias.anchor), ScalarKind::alias);
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT: return true;
  }
  return true;
}

}  // namespace

void walk_yaml(std::string_view text, ConfigWalker& walker) {
  const std::unique_ptr<yaml_parser_t, ParserDeleter> parser(new yaml_parser_t{});
  if (yaml_parser_initialize(parser.get()) == 0) throw std::bad_alloc();
  ByteCursor cursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  yaml_parser_set_input(parser.get(), read_from_cursor, &cursor);
  yaml_parser_set_encoding(parser.get(), YAML_UTF8_ENCODING);  // values are UTF-8: no BOM sniffing
  for (;;) {
    EventGuard guard;
    if (yaml_parser_parse(parser.get(), &guard.event) == 0) {
      if (parser->error == YAML_MEMORY_ERROR) throw std::bad_alloc();
      return;  // not (or no longer) YAML: what came before stands
    }
    if (guard.event.type == YAML_STREAM_END_EVENT) return;
    if (!feed(guard.event, walker)) return;
  }
}

}  // namespace stguard::audit::detail
