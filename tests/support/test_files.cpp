// Test file helpers.
#include "support/test_files.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace stguard::test {

Bytes make_file(std::string_view header, std::span<const std::uint8_t> data) {
  Bytes out;
  std::uint64_t length = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(length >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

Bytes make_file(std::string_view header, std::uint64_t data_size) {
  Bytes data(data_size);
  for (std::uint64_t i = 0; i < data_size; ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return make_file(header, data);
}

std::string tensor_json(std::string_view dtype, const std::vector<std::uint64_t>& shape, std::uint64_t begin,
                        std::uint64_t end) {
  std::string out = "{\"dtype\":\"" + std::string(dtype) + "\",\"shape\":[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(shape[i]);
  }
  out += "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
  return out;
}

std::string as_string(std::span<const std::uint8_t> bytes) { return std::string(bytes.begin(), bytes.end()); }

Bytes as_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

TempDir::TempDir() {
  const char* base = std::getenv("STGUARD_TEST_TMP");
  std::filesystem::path root = base ? base : "/tmp";
  std::filesystem::create_directories(root);
  std::string pattern = (root / "stguard-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ignored);
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, std::span<const std::uint8_t> bytes) const {
  const auto full = path_ / name;
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + full.string());
  return full;
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace stguard::test
