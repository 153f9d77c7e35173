// Digest manifests: writing (by hand, escaping every name with escape_json),
// reading (RapidJSON DOM over a size-bounded buffer, iterative so nesting
// cannot exhaust the stack, then an exact schema walk that rejects unknown
// and repeated keys), and comparing two digest sets by name.
#include "stguard/audit_manifest.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <new>

#include "byte_source.hpp"
#include "core/utf8.hpp"
#include "stguard/escape.hpp"
#include "text_scan.hpp"

namespace stguard::audit {
namespace {

constexpr std::string_view kManifestKind = "stguard-digests";
constexpr std::uint64_t kManifestVersion = 1;
constexpr std::string_view kAlgorithm = "sha256";

Error manifest_error(std::string message, std::uint64_t offset = kNoOffset) {
  return make_error(ErrorCode::invalid_argument, "manifest: " + std::move(message), offset);
}

std::string_view as_view(const rapidjson::Value& value) {
  return {value.GetString(), static_cast<std::size_t>(value.GetStringLength())};
}

// Checks that `object` has exactly the keys in `expected`, each once, and
// returns the values in that order.
template <std::size_t N>
std::optional<Error> take_members(const rapidjson::Value& object, const std::array<std::string_view, N>& expected,
                                  std::string_view where, std::array<const rapidjson::Value*, N>& out) {
  if (!object.IsObject()) return manifest_error(std::string(where) + " is not an object");
  out.fill(nullptr);
  for (auto member = object.MemberBegin(); member != object.MemberEnd(); ++member) {
    const std::string_view key = as_view(member->name);
    const auto found = std::find(expected.begin(), expected.end(), key);
    if (found == expected.end()) {
      return manifest_error("unknown key \"" + detail::display_excerpt(key, 64) + "\" in " + std::string(where));
    }
    const auto index = static_cast<std::size_t>(found - expected.begin());
    if (out[index] != nullptr) return manifest_error("key \"" + std::string(key) + "\" repeated in " + std::string(where));
    out[index] = &member->value;
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (out[i] == nullptr) return manifest_error("missing key \"" + std::string(expected[i]) + "\" in " + std::string(where));
  }
  return std::nullopt;
}

std::optional<Error> read_uint(const rapidjson::Value& value, std::string_view what, std::uint64_t& out) {
  if (!value.IsUint64()) return manifest_error(std::string(what) + " is not an integer in 0..2^64-1");
  out = value.GetUint64();
  return std::nullopt;
}

std::optional<Error> read_digest(const rapidjson::Value& value, std::string_view what, Sha256Digest& out) {
  if (!value.IsString()) return manifest_error(std::string(what) + " is not a string");
  const auto digest = digest_from_hex(as_view(value));
  if (!digest) return manifest_error(std::string(what) + " is not 64 hex digits");
  out = *digest;
  return std::nullopt;
}

std::optional<Error> read_tensor(const rapidjson::Value& value, const ManifestLimits& limits, TensorDigest& out) {
  static constexpr std::array<std::string_view, 6> kKeys{"name", "dtype", "shape", "offset", "size", "sha256"};
  std::array<const rapidjson::Value*, 6> field{};
  if (auto error = take_members(value, kKeys, "a tensor entry", field)) return error;
  if (!field[0]->IsString()) return manifest_error("a tensor name is not a string");
  if (field[0]->GetStringLength() > limits.max_name_bytes) return manifest_error("a tensor name is over the limit");
  // RapidJSON 1.1 decodes a lone low surrogate escape (\udc00) into bytes that
  // are not UTF-8; such a name could not survive a round trip, so it is refused.
  if (!stguard::detail::is_valid_utf8(as_view(*field[0]))) {
    return manifest_error("a tensor name is not valid Unicode (lone surrogate escape)");
  }
  out.name = std::string(as_view(*field[0]));
  const std::string where = "tensor \"" + detail::display_excerpt(out.name, 64) + "\"";
  if (!field[1]->IsString()) return manifest_error(where + ": dtype is not a string");
  const auto dtype = dtype_from_name(as_view(*field[1]));
  if (!dtype) return manifest_error(where + ": unknown dtype");
  out.dtype = *dtype;
  if (!field[2]->IsArray()) return manifest_error(where + ": shape is not an array");
  if (field[2]->Size() > limits.max_rank) return manifest_error(where + ": shape has too many dimensions");
  out.shape.clear();
  out.shape.reserve(field[2]->Size());
  for (const rapidjson::Value& dimension : field[2]->GetArray()) {
    std::uint64_t size = 0;
    if (auto error = read_uint(dimension, where + ": a shape dimension", size)) return error;
    out.shape.push_back(size);
  }
  if (auto error = read_uint(*field[3], where + ": offset", out.file_offset)) return error;
  if (auto error = read_uint(*field[4], where + ": size", out.byte_size)) return error;
  return read_digest(*field[5], where + ": sha256", out.sha256);
}

Result<FileDigests> parse(std::span<const std::uint8_t> json, const ManifestLimits& limits) {
  if (json.size() > limits.max_bytes) return manifest_error("larger than " + std::to_string(limits.max_bytes) + " bytes");
  // RapidJSON treats NUL as the end of input; valid JSON text never holds one.
  if (std::find(json.begin(), json.end(), std::uint8_t{0}) != json.end()) {
    return manifest_error("contains a NUL byte",
                          static_cast<std::uint64_t>(std::find(json.begin(), json.end(), std::uint8_t{0}) - json.begin()));
  }
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(
      reinterpret_cast<const char*>(json.data()), json.size());
  if (document.HasParseError()) {
    return manifest_error(std::string("not valid JSON: ") + rapidjson::GetParseError_En(document.GetParseError()),
                          document.GetErrorOffset());
  }
  static constexpr std::array<std::string_view, 5> kTopKeys{"manifest", "version", "algorithm", "file", "tensors"};
  std::array<const rapidjson::Value*, 5> top{};
  if (auto error = take_members(document, kTopKeys, "the manifest", top)) return *error;
  if (!top[0]->IsString() || as_view(*top[0]) != kManifestKind) return manifest_error("not a stguard-digests manifest");
  if (!top[1]->IsUint64() || top[1]->GetUint64() != kManifestVersion) return manifest_error("unsupported version");
  if (!top[2]->IsString() || as_view(*top[2]) != kAlgorithm) return manifest_error("unsupported algorithm");

  FileDigests digests;
  static constexpr std::array<std::string_view, 2> kFileKeys{"size", "sha256"};
  std::array<const rapidjson::Value*, 2> file{};
  if (auto error = take_members(*top[3], kFileKeys, "\"file\"", file)) return *error;
  if (auto error = read_uint(*file[0], "file size", digests.file_size)) return *error;
  if (auto error = read_digest(*file[1], "file sha256", digests.file_sha256)) return *error;

  if (!top[4]->IsArray()) return manifest_error("\"tensors\" is not an array");
  if (top[4]->Size() > limits.max_tensors) return manifest_error("more tensors than the limit");
  digests.tensors.resize(top[4]->Size());
  for (rapidjson::SizeType i = 0; i < top[4]->Size(); ++i) {
    if (auto error = read_tensor((*top[4])[i], limits, digests.tensors[i])) return *error;
  }
  std::vector<const std::string*> names;
  names.reserve(digests.tensors.size());
  for (const TensorDigest& tensor : digests.tensors) names.push_back(&tensor.name);
  std::sort(names.begin(), names.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  const auto repeat = std::adjacent_find(names.begin(), names.end(),
                                         [](const std::string* a, const std::string* b) { return *a == *b; });
  if (repeat != names.end()) {
    return manifest_error("tensor \"" + detail::display_excerpt(**repeat, 64) + "\" is listed twice");
  }
  return digests;
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string layout_text(const TensorDigest& tensor) {
  return std::string(dtype_name(tensor.dtype)) + " " + shape_text(tensor.shape);
}

}  // namespace

std::string serialize_manifest(const FileDigests& digests) {
  std::string out;
  out += "{\n  \"manifest\": \"" + std::string(kManifestKind) + "\",\n";
  out += "  \"version\": " + std::to_string(kManifestVersion) + ",\n";
  out += "  \"algorithm\": \"" + std::string(kAlgorithm) + "\",\n";
  out += "  \"file\": {\"size\": " + std::to_string(digests.file_size) + ", \"sha256\": \"" +
         to_hex(digests.file_sha256) + "\"},\n";
  out += "  \"tensors\": [";
  for (std::size_t i = 0; i < digests.tensors.size(); ++i) {
    const TensorDigest& tensor = digests.tensors[i];
    out += i == 0 ? "\n" : ",\n";
    out += "    {\"name\": \"" + escape_json(tensor.name) + "\", \"dtype\": \"" + std::string(dtype_name(tensor.dtype)) +
           "\", \"shape\": " + shape_text(tensor.shape) + ", \"offset\": " + std::to_string(tensor.file_offset) +
           ", \"size\": " + std::to_string(tensor.byte_size) + ", \"sha256\": \"" + to_hex(tensor.sha256) + "\"}";
  }
  out += digests.tensors.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

Result<FileDigests> parse_manifest(std::span<const std::uint8_t> json, const ManifestLimits& limits) noexcept {
  return stguard::detail::without_exceptions([&]() -> Result<FileDigests> { return parse(json, limits); });
}

Result<FileDigests> read_manifest(const std::string& path, const ManifestLimits& limits) noexcept {
  return stguard::detail::without_exceptions([&]() -> Result<FileDigests> {
    auto source = detail::ByteSource::open(path);
    if (!source) return source.error();
    if (source->size() > limits.max_bytes) {
      return manifest_error("larger than " + std::to_string(limits.max_bytes) + " bytes");
    }
    std::vector<std::uint8_t> scratch;
    auto bytes = source->view(0, static_cast<std::size_t>(source->size()), scratch);
    if (!bytes) return bytes.error();
    return parse(*bytes, limits);
  });
}

std::string_view difference_kind_name(TensorDifference::Kind kind) noexcept {
  switch (kind) {
    case TensorDifference::Kind::bytes_changed: return "changed";
    case TensorDifference::Kind::layout_changed: return "layout-changed";
    case TensorDifference::Kind::missing: return "missing";
    case TensorDifference::Kind::extra: return "extra";
  }
  return "unknown";
}

VerifyResult compare_digests(const FileDigests& expected, const FileDigests& actual) {
  VerifyResult result;
  result.file_size_matches = expected.file_size == actual.file_size;
  result.file_digest_matches = result.file_size_matches && expected.file_sha256 == actual.file_sha256;

  auto by_name = [](const FileDigests& digests) {
    std::vector<const TensorDigest*> sorted;
    sorted.reserve(digests.tensors.size());
    for (const TensorDigest& tensor : digests.tensors) sorted.push_back(&tensor);
    std::sort(sorted.begin(), sorted.end(), [](const TensorDigest* a, const TensorDigest* b) { return a->name < b->name; });
    return sorted;
  };
  const auto want = by_name(expected);
  const auto have = by_name(actual);
  std::size_t i = 0;
  std::size_t j = 0;
  using Kind = TensorDifference::Kind;
  while (i < want.size() || j < have.size()) {
    if (j == have.size() || (i < want.size() && want[i]->name < have[j]->name)) {
      result.differences.push_back({Kind::missing, want[i]->name, "in the manifest, not in the file"});
      ++i;
    } else if (i == want.size() || have[j]->name < want[i]->name) {
      result.differences.push_back({Kind::extra, have[j]->name, "in the file, not in the manifest"});
      ++j;
    } else {
      const TensorDigest& before = *want[i];
      const TensorDigest& now = *have[j];
      if (before.sha256 != now.sha256 || before.byte_size != now.byte_size) {
        result.differences.push_back({Kind::bytes_changed, now.name,
                                      "sha256 " + to_hex(before.sha256).substr(0, 16) + "... -> " +
                                          to_hex(now.sha256).substr(0, 16) + "..., size " +
                                          std::to_string(before.byte_size) + " -> " + std::to_string(now.byte_size)});
      } else if (before.dtype != now.dtype || before.shape != now.shape) {
        // The offset alone is not compared: a longer header moves every
        // tensor without changing any of them.
        result.differences.push_back({Kind::layout_changed, now.name, layout_text(before) + " -> " + layout_text(now)});
      }
      ++i;
      ++j;
    }
  }
  return result;
}

}  // namespace stguard::audit
