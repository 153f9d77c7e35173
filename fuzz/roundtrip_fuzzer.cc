// roundtrip: a structure-aware generator turns the input into tensors (names,
// dtypes, shapes, bytes) and metadata, hands them to the writer, and checks:
//   * the writer refuses exactly the specs that break a strict rule, decided
//     here independently (empty / non-UTF-8 / control-character /
//     "__metadata__" / over-long names, duplicates, dtype values outside the
//     22, sub-byte counts that do not fill bytes, metadata keys with control
//     characters or values with U+0000 or bad UTF-8), and never with an
//     internal error;
//   * an accepted save is deterministic (same bytes twice, the plan's header
//     is the file's prefix), laid out as the reference writer does (tensors
//     by dtype descending then name, contiguous from 0, header padded to a
//     multiple of 8, so each tensor starts at a multiple of its element
//     size), and the same whether bytes were borrowed or produced in
//     fuzzer-chosen chunks;
//   * the strict validator accepts the file and the reader (from_memory,
//     strict) returns exactly the tensors and metadata put in: names, dtypes,
//     shapes, bytes (through TensorView::bytes and copy_all).
//
// Input: [0] flags: bit 0 raw name bytes (else a small alphabet), bit 1 some
//        tensors from producers, bit 2 raw metadata bytes
//        [1] tensor count (% 9), then per tensor: name length, name bytes,
//        dtype (% 24: 22 and 23 are invalid), rank (% 4, 255 = 65), dims (% 6),
//        producer chunk size; then metadata count (% 4) and entries; the rest
//        of the input is the pool the tensor bytes are taken from.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "stguard/reader.hpp"
#include "stguard/validate.hpp"
#include "stguard/writer.hpp"

namespace {

namespace fz = stguard::fuzz;
using stguard::Dtype;
using stguard::ErrorCode;

struct GeneratedTensor {
  std::string name;
  unsigned dtype_value = 0;  // may be 22 or 23: not a dtype
  std::vector<std::uint64_t> shape;
  std::vector<std::uint8_t> bytes;
  std::size_t producer_chunk = 0;  // 0: borrowed bytes
};

std::string make_text(fz::ParamReader& params, std::size_t length, bool raw) {
  static constexpr const char* kPieces[] = {"a", "b", "w", ".", "_", "0", "7", "/", "é", "名", "__metadata__", " "};
  std::string text;
  for (std::size_t i = 0; i < length; ++i) {
    const std::uint8_t b = params.byte();
    if (raw) {
      text.push_back(static_cast<char>(b));
    } else {
      text += kPieces[b % std::size(kPieces)];
    }
  }
  return text;
}

unsigned bits_of(unsigned dtype_value) noexcept {
  static constexpr unsigned kBits[] = {8, 4, 6, 6, 8, 8, 8, 8, 8, 8, 8, 16, 16, 16, 16, 32, 32, 32, 64, 64, 64, 64};
  return kBits[dtype_value];
}

// The strict rules the writer must enforce, written out independently.
bool acceptable_name(const std::string& name) {
  return !name.empty() && name.size() <= 4096 && fz::is_strict_utf8(name) && !fz::has_c0_c1_control(name) &&
         name != "__metadata__";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fz::ParamReader params({data, size});
  const std::uint8_t flags = params.byte();
  const bool raw_names = (flags & 1) != 0;
  const bool use_producers = (flags & 2) != 0;
  const bool raw_metadata = (flags & 4) != 0;

  std::vector<GeneratedTensor> tensors(params.byte() % 9);
  bool expect_ok = true;
  for (GeneratedTensor& tensor : tensors) {
    tensor.name = make_text(params, params.byte() % 12, raw_names);
    tensor.dtype_value = params.byte() % 24U;
    const std::uint8_t rank_byte = params.byte();
    const std::size_t rank = rank_byte == 255 ? 65 : rank_byte % 4U;
    for (std::size_t d = 0; d < rank; ++d) tensor.shape.push_back(params.byte() % 6U);
    tensor.producer_chunk = use_producers ? params.byte() % 5U : 0;
    expect_ok = expect_ok && acceptable_name(tensor.name) && tensor.dtype_value < 22 && rank <= 64;
    if (tensor.dtype_value < 22) {
      std::uint64_t elements = 0;  // rank 65 is refused anyway: keep its buffer empty
      if (rank <= 64) {
        elements = 1;
        for (const std::uint64_t dim : tensor.shape) elements *= dim;  // at most 5^3
      }
      const std::uint64_t bits = elements * bits_of(tensor.dtype_value);
      expect_ok = expect_ok && bits % 8 == 0;
      tensor.bytes.resize(static_cast<std::size_t>(bits / 8));
    }
  }
  std::map<std::string, std::string> metadata;  // set_metadata replaces: the last value wins
  const std::size_t metadata_count = params.byte() % 4U;
  std::vector<std::pair<std::string, std::string>> metadata_calls;
  for (std::size_t i = 0; i < metadata_count; ++i) {
    std::string key = make_text(params, params.byte() % 8U, raw_metadata);
    std::string value = make_text(params, params.byte() % 12U, raw_metadata);
    expect_ok = expect_ok && fz::is_strict_utf8(key) && !fz::has_c0_c1_control(key) && fz::is_strict_utf8(value) &&
                value.find('\0') == std::string::npos;
    metadata[key] = value;
    metadata_calls.emplace_back(std::move(key), std::move(value));
  }
  std::set<std::string> names;
  for (const GeneratedTensor& tensor : tensors) expect_ok = names.insert(tensor.name).second && expect_ok;

  // Tensor bytes: the rest of the input, cycled (a counter when it is empty).
  const auto pool = params.rest();
  std::size_t cursor = 0;
  for (GeneratedTensor& tensor : tensors) {
    for (std::uint8_t& b : tensor.bytes) {
      b = pool.empty() ? static_cast<std::uint8_t>(cursor) : pool[cursor % pool.size()];
      ++cursor;
    }
  }

  // Two builders: borrowed bytes only, and with producers where chosen.
  stguard::FileBuilder borrowed;
  stguard::FileBuilder produced;
  for (const GeneratedTensor& tensor : tensors) {
    const auto dtype = static_cast<Dtype>(tensor.dtype_value);
    (void)borrowed.add_tensor(tensor.name, dtype, tensor.shape, tensor.bytes);
    if (tensor.producer_chunk == 0) {
      (void)produced.add_tensor(tensor.name, dtype, tensor.shape, tensor.bytes);
    } else {
      const std::span<const std::uint8_t> bytes(tensor.bytes);
      const std::size_t chunk = tensor.producer_chunk;
      (void)produced.add_tensor(tensor.name, dtype, tensor.shape, [bytes, chunk](stguard::ByteSink& out) {
        for (std::size_t at = 0; at < bytes.size(); at += chunk) {
          if (auto status = out.write(bytes.subspan(at, std::min(chunk, bytes.size() - at))); !status) return status;
        }
        return stguard::Status{};
      });
    }
  }
  for (const auto& [key, value] : metadata_calls) {
    (void)borrowed.set_metadata(key, value);
    (void)produced.set_metadata(key, value);
  }

  const auto file = borrowed.save();
  if (!file) {
    fz::check_error_basics(file.error());
    FUZZ_CHECK_MSG(!expect_ok, "the writer refused a valid spec: " + fz::describe(file.error()));
    FUZZ_CHECK(!produced.save());
    return 0;
  }
  FUZZ_CHECK_MSG(expect_ok, "the writer accepted an invalid spec");

  // Deterministic, and independent of where the bytes came from.
  const auto again = borrowed.save();
  FUZZ_CHECK(again && *again == *file);
  const auto from_producers = produced.save();
  FUZZ_CHECK_MSG(from_producers && *from_producers == *file,
                 from_producers ? "producers changed the file" : fz::describe(from_producers.error()));
  const auto plan = borrowed.plan();
  FUZZ_CHECK(plan && plan->header.bytes.size() <= file->size() &&
             std::equal(plan->header.bytes.begin(), plan->header.bytes.end(), file->begin()));

  // The strict validator accepts it, laid out as the reference writer does.
  const auto header = stguard::validate_file(*file, stguard::Options::strict());
  FUZZ_CHECK_MSG(header.ok(), fz::describe(header));
  fz::check_header(*header, stguard::Options::strict());
  FUZZ_CHECK(header->header_length() % 8 == 0);
  std::vector<const GeneratedTensor*> layout;
  for (const GeneratedTensor& tensor : tensors) layout.push_back(&tensor);
  std::sort(layout.begin(), layout.end(), [](const GeneratedTensor* a, const GeneratedTensor* b) {
    if (a->dtype_value != b->dtype_value) return a->dtype_value > b->dtype_value;
    return a->name < b->name;
  });
  std::uint64_t expected_begin = 0;
  for (const GeneratedTensor* tensor : layout) {
    const stguard::TensorInfo* info = header->find(tensor->name);
    FUZZ_CHECK_MSG(info != nullptr, tensor->name);
    FUZZ_CHECK_MSG(info->begin == expected_begin && info->byte_size() == tensor->bytes.size(), tensor->name);
    const unsigned alignment = std::max(1U, bits_of(tensor->dtype_value) / 8);
    FUZZ_CHECK_MSG((header->data_offset() + info->begin) % alignment == 0, tensor->name);
    expected_begin = info->end;
  }

  // The reader returns exactly what was written.
  auto reader = stguard::Reader::from_memory(*file, stguard::Options::strict());
  FUZZ_CHECK_MSG(reader.ok(), reader.ok() ? "" : fz::describe(reader.error()));
  FUZZ_CHECK(reader->tensor_count() == tensors.size());
  for (const GeneratedTensor& tensor : tensors) {
    const auto view = reader->tensor(tensor.name);
    FUZZ_CHECK_MSG(view.ok(), tensor.name);
    FUZZ_CHECK(static_cast<unsigned>(view->dtype()) == tensor.dtype_value);
    FUZZ_CHECK(std::equal(view->shape().begin(), view->shape().end(), tensor.shape.begin(), tensor.shape.end()));
    const auto bytes = view->bytes();
    FUZZ_CHECK(bytes.ok() && std::equal(bytes->begin(), bytes->end(), tensor.bytes.begin(), tensor.bytes.end()));
  }
  const auto all = reader->copy_all();
  FUZZ_CHECK(all.ok() && all->size() == tensors.size());
  for (const GeneratedTensor& tensor : tensors) {
    const auto it = all->find(tensor.name);
    FUZZ_CHECK_MSG(it != all->end() && it->second.data == tensor.bytes, tensor.name);
  }
  const auto read_metadata = reader->metadata();
  FUZZ_CHECK(read_metadata.size() == metadata.size());
  auto expected = metadata.begin();
  for (const stguard::MetadataEntry& entry : read_metadata) {
    FUZZ_CHECK_MSG(entry.key == expected->first && entry.value == expected->second, entry.key);
    ++expected;
  }
  return 0;
}
