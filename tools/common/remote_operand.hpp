// URL operands of the tools: `st-validate https://host/model.safetensors`.
// An operand that starts with a scheme ("http://", "https://", or any other
// "name://", which the remote layer refuses with INVALID_ARGUMENT) is a URL
// and goes to stguard::remote (docs/remote.md); everything else stays a path.
// This file holds the flags every tool shares for URLs and the one way a URL
// is printed (redacted, then escaped). Built without libcurl, URL operands
// are refused with INVALID_ARGUMENT.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stguard/error.hpp"
#include "stguard/header.hpp"
#include "stguard/options.hpp"
#include "stguard/remote.hpp"
#include "stguard/shard_index.hpp"

namespace stguard::cli {

// The library's defaults are the flags' defaults (and their --help text).
inline const remote::RemoteOptions kRemoteDefaults{};

struct RemoteFlags {
  std::vector<std::string> headers;
  std::string token_env;
  std::string ca_file;
  double connect_timeout_seconds = static_cast<double>(kRemoteDefaults.connect_timeout.count()) / 1000.0;
  double timeout_seconds = static_cast<double>(kRemoteDefaults.total_timeout.count()) / 1000.0;
  std::uint64_t low_speed_limit = kRemoteDefaults.low_speed_bytes;
  double low_speed_time_seconds = static_cast<double>(kRemoteDefaults.low_speed_time.count());
  unsigned max_redirects = kRemoteDefaults.max_redirects;
  std::uint64_t max_bytes = kRemoteDefaults.max_bytes;
  std::uint64_t read_ahead = kRemoteDefaults.read_ahead;
  unsigned connections = 8;  // st-shard check only (check_shard_index_url's default)

  // Registers --header, --token-env, --ca-file, --connect-timeout, --timeout,
  // --low-speed-limit, --low-speed-time, --max-redirects, --max-bytes and
  // --read-ahead in a "Remote files (URLs)" group; --connections too when
  // `with_connections`.
  void add_to(CLI::App& app, bool with_connections = false);
};

// True for an operand that names a URL (see the top of this file).
[[nodiscard]] bool is_url_operand(std::string_view operand) noexcept;
// How an operand is printed in text output: a URL with its credentials and
// token-like query values redacted, then escaped like any path.
[[nodiscard]] std::string display_operand(std::string_view operand);
// How an operand appears in JSON output: a URL redacted; a path as given.
[[nodiscard]] std::string json_operand(std::string_view operand);

// Validates the file at `url` (stguard::remote::validate_url).
[[nodiscard]] Result<Header> validate_url_operand(const std::string& url, const Options& options,
                                                  const RemoteFlags& flags);
// One tensor's bytes, or those of a slice of it ("0:2,1", slice.hpp), from
// the file at `url`, validated first (the Error of an invalid file, as
// validate_url_operand gives it). The bytes are held in memory (at most
// --max-bytes).
[[nodiscard]] Result<std::vector<std::uint8_t>> fetch_tensor_operand(const std::string& url, const Options& options,
                                                                    const RemoteFlags& flags, const std::string& name,
                                                                    const std::string* slice_spec);
// The library's options for the flags given.
[[nodiscard]] remote::RemoteOptions remote_options(const RemoteFlags& flags);
// What a URL operand gets from a build without libcurl: INVALID_ARGUMENT.
[[nodiscard]] Error url_support_missing();
// check_shard_index for an index URL (stguard::remote::check_shard_index_url).
[[nodiscard]] Result<CheckedShardSet> check_shard_index_url_operand(const std::string& url,
                                                                    const ShardCheckOptions& options,
                                                                    const RemoteFlags& flags);

}  // namespace stguard::cli
