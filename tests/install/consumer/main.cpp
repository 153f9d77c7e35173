// Uses the installed library as a downstream project would: validates a tiny
// in-memory file, then the round trip of docs/reader.md in a few lines: load
// a BF16 model, read it as float, slice a row, change it, save. With a folder
// argument, the input and the output stay there for
// scripts/check-round-trip.py (the reference reader must accept the output,
// with the untouched tensors' bytes identical).
// Built with STGUARD_CONSUMER_CORE_ONLY (../core_consumer, which links only
// stguard::stguard) it does not audit.
#include <bit>
#include <cstdio>
#include <stguard/stguard.hpp>
#include <string>
#include <vector>
#ifndef STGUARD_CONSUMER_CORE_ONLY
#include <stguard/audit.hpp>
#endif

namespace {

// input.safetensors: "embed" BF16 [4, 8] = 0.25 * index, "norm" F32 [3], "ids" U8 [5].
bool write_input(const std::string& path) {
  std::vector<std::uint8_t> embed;
  for (int i = 0; i < 32; ++i) {
    const auto bits = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(0.25F * static_cast<float>(i)) >> 16);
    embed.push_back(static_cast<std::uint8_t>(bits));
    embed.push_back(static_cast<std::uint8_t>(bits >> 8));
  }
  const std::vector<std::uint8_t> norm{0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64};  // 1, 2, 3
  const std::vector<std::uint8_t> ids{1, 2, 3, 4, 5};
  stguard::FileBuilder builder;
  return builder.add_tensor("embed", stguard::Dtype::BF16, {4, 8}, embed) &&
         builder.add_tensor("norm", stguard::Dtype::F32, {3}, norm) &&
         builder.add_tensor("ids", stguard::Dtype::U8, {5}, ids) && builder.set_metadata("format", "pt") &&
         builder.save_to_path(path);
}

// The round trip: every step a Result, every error printed the tools' way.
bool round_trip(const std::string& input, const std::string& output) {
  auto reader = stguard::Reader::open(input);
  auto row = reader->tensor("embed")->slice("1");
  auto values = row->to_vector<float>(stguard::Conversion::exact);  // BF16 -> float, exact
  auto tensors = reader->copy_all();
  if (!values || !tensors) {
    std::fprintf(stderr, "%s\n", stguard::format_error(!values ? values.error() : tensors.error()).c_str());
    return false;
  }
  std::vector<std::uint8_t>& data = tensors->at("embed").data;
  for (std::size_t i = 0; i < values->size(); ++i) {  // row 1 doubled (exact in BF16)
    const auto bits = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>((*values)[i] * 2.0F) >> 16);
    data[(8 + i) * 2] = static_cast<std::uint8_t>(bits);
    data[(8 + i) * 2 + 1] = static_cast<std::uint8_t>(bits >> 8);
  }
  const stguard::Status saved = stguard::save_file(*tensors, output, {{"format", "pt"}});
  if (!saved) std::fprintf(stderr, "%s\n", stguard::format_error(saved.error()).c_str());
  return saved.ok();
}

}  // namespace

int main(int argc, char** argv) {
  const char header[] = R"({"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  std::vector<std::uint8_t> file(8, 0);
  file[0] = static_cast<std::uint8_t>(sizeof header - 1);
  file.insert(file.end(), header, header + sizeof header - 1);
  file.push_back(1);
  file.push_back(2);
  bool ok = stguard::validate_file(file).ok();
#ifndef STGUARD_CONSUMER_CORE_ONLY
  const auto report = stguard::audit::audit_bytes(file);
  ok = ok && report.ok() && report->verdict == stguard::audit::Verdict::strict_valid;
#endif
  std::printf("%s\n", ok ? "consumer: OK" : "consumer: INVALID");

  const std::string folder = argc > 1 ? argv[1] : ".";
  const bool trip = write_input(folder + "/input.safetensors") &&
                    round_trip(folder + "/input.safetensors", folder + "/edited.safetensors");
  bool same = false;
  if (auto edited = stguard::load_file(folder + "/edited.safetensors"); trip && edited) {
    auto check = edited->at("embed").to_vector<float>(stguard::Conversion::exact);
    same = check && (*check)[9] == 0.25F * 9 * 2 && (*check)[17] == 0.25F * 17;
  }
  std::printf("%s\n", same ? "round trip: OK" : "round trip: FAILED");
  return ok && same ? 0 : 1;
}
