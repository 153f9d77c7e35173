// Text writes through OutputFile (a regular file is replaced atomically, a
// device, FIFO or '-' is streamed to, anything else refused); capped reads through std::ifstream.
#include "common/text_file.hpp"

#include <fstream>
#include <iterator>
#include <span>

#include "stguard/atomic_file.hpp"

namespace stguard::cli {

Status write_text_file(const std::string& path, const std::string& text) {
  auto file = OutputFile::open(path);
  if (!file) return file.error();
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  if (Status status = file->sink().write(bytes); !status) return status.error();
  return file->commit();
}

Result<std::string> read_text_file(const std::string& path, std::uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io_open_failed, "cannot open the file");
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    if (text.size() + static_cast<std::uint64_t>(in.gcount()) > max_bytes) {
      return make_error(ErrorCode::io_read_failed, "the file is larger than " + std::to_string(max_bytes) + " bytes");
    }
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) return make_error(ErrorCode::io_read_failed, "cannot read the file");
  return text;
}

}  // namespace stguard::cli
