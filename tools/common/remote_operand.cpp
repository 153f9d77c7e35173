// URL operands (remote_operand.hpp) over stguard::remote, or refused when the
// tools were built without libcurl.
#include "common/remote_operand.hpp"

#include <chrono>

#include "stguard/escape.hpp"

namespace stguard::cli {
namespace {

// CLI11 would wrap "-3" into a huge unsigned value: byte counts are plain digits.
const CLI::Validator kByteCount(
    [](const std::string& text) {
      return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos
                 ? std::string()
                 : std::string("must be a non-negative integer");
    },
    "BYTES");

}  // namespace

remote::RemoteOptions remote_options(const RemoteFlags& flags) {
  const auto milliseconds = [](double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
  };
  remote::RemoteOptions options;
  options.headers = flags.headers;
  options.token_env = flags.token_env;
  options.ca_file = flags.ca_file;
  options.connect_timeout = milliseconds(flags.connect_timeout_seconds);
  options.total_timeout = milliseconds(flags.timeout_seconds);
  options.low_speed_bytes = flags.low_speed_limit;
  options.low_speed_time = std::chrono::seconds(static_cast<std::int64_t>(flags.low_speed_time_seconds + 0.999));
  options.max_redirects = flags.max_redirects;
  options.max_bytes = flags.max_bytes;
  options.read_ahead = flags.read_ahead;
  return options;
}

Error url_support_missing() {
  return make_error(ErrorCode::invalid_argument, "this build has no URL support (it was built without libcurl)");
}

void RemoteFlags::add_to(CLI::App& app, bool with_connections) {
  const std::string group = "Remote files (URLs)";
  app.add_option("--header", headers,
                 "Extra request header 'Name: value' for URL operands (repeatable); sent to the URL's own\n"
                 "origin only, never after a redirect to another host; never printed")
      ->type_name("'NAME: VALUE'")
      ->group(group);
  app.add_option("--token-env", token_env,
                 "Send the token in environment variable VAR as 'Authorization: Bearer ...' (origin only)")
      ->type_name("VAR")
      ->group(group);
  app.add_option("--ca-file", ca_file, "PEM file of CA certificates to trust (TLS verification stays on)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile)
      ->group(group);
  // Every number flag: checked, its default shown, in the URL group.
  const auto number = [&](const std::string& name, auto& value, const std::string& help, const CLI::Validator& check) {
    app.add_option(name, value, help)->check(check)->capture_default_str()->group(group);
  };
  number("--connect-timeout", connect_timeout_seconds, "Seconds to establish a connection", CLI::NonNegativeNumber);
  number("--timeout", timeout_seconds, "Seconds for all the requests of one file, redirects included",
         CLI::NonNegativeNumber);
  number("--low-speed-limit", low_speed_limit,
         "Abort a transfer slower than this many bytes/second for --low-speed-time (0: off)", kByteCount);
  number("--low-speed-time", low_speed_time_seconds, "Seconds below --low-speed-limit before aborting",
         CLI::NonNegativeNumber);
  number("--max-redirects", max_redirects, "Redirects followed per request", CLI::Range(0u, 100u));
  number("--max-bytes", max_bytes, "Most response bytes for one operation (a file's header, or one data read), all its\n"
         "requests together", kByteCount);
  number("--read-ahead", read_ahead, "Bytes asked for after the first 8 in the first request", kByteCount);
  if (with_connections) number("--connections", connections, "Shards fetched at once (URL index)", CLI::Range(1u, 64u));
}

bool is_url_operand(std::string_view operand) noexcept {
#if STGUARD_CLI_HAVE_REMOTE
  return remote::has_url_scheme(operand);
#else
  return operand.find("://") != std::string_view::npos && operand.find('/') > operand.find("://");
#endif
}

std::string display_operand(std::string_view operand) { return escape_for_display(json_operand(operand)); }

std::string json_operand(std::string_view operand) {
#if STGUARD_CLI_HAVE_REMOTE
  if (is_url_operand(operand)) return remote::redact_url(operand);
#endif
  return std::string(operand);
}

Result<Header> validate_url_operand(const std::string& url, const Options& options, const RemoteFlags& flags) {
#if STGUARD_CLI_HAVE_REMOTE
  return remote::validate_url(url, options, remote_options(flags));
#else
  (void)url, (void)options, (void)flags;
  return url_support_missing();
#endif
}

Result<std::vector<std::uint8_t>> fetch_tensor_operand(const std::string& url, const Options& options,
                                                      const RemoteFlags& flags, const std::string& name,
                                                      const std::string* slice_spec) {
#if STGUARD_CLI_HAVE_REMOTE
  auto file = remote::RemoteFile::open(url, options, remote_options(flags));
  if (!file) return std::move(file).error();
  if (slice_spec == nullptr) return file->read_tensor(name);
  auto spec = parse_slice_spec(*slice_spec);
  if (!spec) return std::move(spec).error();
  auto slice = file->read_slice(name, *spec);
  if (!slice) return std::move(slice).error();
  return std::move(slice->bytes);
#else
  (void)url, (void)options, (void)flags, (void)name, (void)slice_spec;
  return url_support_missing();
#endif
}

Result<CheckedShardSet> check_shard_index_url_operand(const std::string& url, const ShardCheckOptions& options,
                                                      const RemoteFlags& flags) {
#if STGUARD_CLI_HAVE_REMOTE
  return remote::check_shard_index_url(url, options, remote_options(flags), flags.connections);
#else
  (void)url, (void)options, (void)flags;
  return url_support_missing();
#endif
}

}  // namespace stguard::cli
