// Helpers for tests that make their own safetensors bytes and files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stguard::test {

using Bytes = std::vector<std::uint8_t>;

// 8-byte little-endian N, the header bytes as given (no padding added), then data.
[[nodiscard]] Bytes make_file(std::string_view header, std::span<const std::uint8_t> data = {});
// Same, with `data_size` bytes of a repeating pattern as data.
[[nodiscard]] Bytes make_file(std::string_view header, std::uint64_t data_size);
// {"dtype":..,"shape":[..],"data_offsets":[b,e]} as compact JSON.
[[nodiscard]] std::string tensor_json(std::string_view dtype, const std::vector<std::uint64_t>& shape,
                                      std::uint64_t begin, std::uint64_t end);
[[nodiscard]] std::string as_string(std::span<const std::uint8_t> bytes);
[[nodiscard]] Bytes as_bytes(std::string_view text);

// A fresh directory under $STGUARD_TEST_TMP (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // Writes `bytes` to `name` inside the directory and returns the full path.
  std::filesystem::path write(const std::string& name, std::span<const std::uint8_t> bytes) const;

 private:
  std::filesystem::path path_;
};

[[nodiscard]] Bytes read_file(const std::filesystem::path& path);

}  // namespace stguard::test
