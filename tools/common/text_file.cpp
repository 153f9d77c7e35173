// Text writes through OutputFile (a regular file is replaced atomically, a
// device, FIFO or '-' is streamed to, anything else refused); capped reads of a
// regular file through the library's one open path (read_regular_file).
#include "common/text_file.hpp"

#include <span>

#include "stguard/atomic_file.hpp"
#include "stguard/file_validate.hpp"

namespace stguard::cli {

Status write_text_file(const std::string& path, const std::string& text) {
  auto file = OutputFile::open(path);
  if (!file) return file.error();
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  if (Status status = file->sink().write(bytes); !status) return status.error();
  return file->commit();
}

Result<std::string> read_text_file(const std::string& path, std::uint64_t max_bytes) {
  auto text = read_regular_file(path, max_bytes);
  if (text) return text;
  Error error = std::move(text).error();
  error.path.clear();  // the callers name the file in their own words
  return error;
}

}  // namespace stguard::cli
