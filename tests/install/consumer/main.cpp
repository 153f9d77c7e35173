// Validates a tiny in-memory file through the installed library.
#include <cstdio>
#include <stguard/audit.hpp>
#include <stguard/stguard.hpp>
#include <vector>

int main() {
  const char header[] = R"({"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})";
  std::vector<std::uint8_t> file(8, 0);
  file[0] = static_cast<std::uint8_t>(sizeof header - 1);
  file.insert(file.end(), header, header + sizeof header - 1);
  file.push_back(1);
  file.push_back(2);
  const auto result = stguard::validate_file(file);
  const auto report = stguard::audit::audit_bytes(file);
  const bool ok = result.ok() && report.ok() && report->verdict == stguard::audit::Verdict::strict_valid;
  std::printf("%s\n", ok ? "consumer: OK" : "consumer: INVALID");
  return ok ? 0 : 1;
}
