// Validates a tiny in-memory file through the installed library, and audits
// it unless built with STGUARD_CONSUMER_CORE_ONLY (../core_consumer, which
// links only stguard::stguard).
#include <cstdio>
#include <stguard/stguard.hpp>
#include <vector>
#ifndef STGUARD_CONSUMER_CORE_ONLY
#include <stguard/audit.hpp>
#endif

int main() {
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
  return ok ? 0 : 1;
}
