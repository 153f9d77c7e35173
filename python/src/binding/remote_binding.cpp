// stguard._stguard.validate_url: remote validation (stguard::remote,
// docs/remote.md), compiled only when libcurl is found (python/CMakeLists.txt).
// Returns (None, Header) or (error tuple, None) like the other validators;
// stguard/_remote.py raises RemoteError for NETWORK_* errors. The GIL is
// released for the whole transfer.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <optional>
#include <vector>

#include "convert.hpp"
#include "header_binding.hpp"
#include "stguard/remote.hpp"

namespace stguard::python {
namespace {

std::chrono::milliseconds seconds_to_milliseconds(double seconds, const char* what) {
  if (!(seconds >= 0.0) || seconds > 1e9) throw nb::value_error((std::string(what) + " must be between 0 and 1e9 seconds").c_str());
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

nb::tuple validate_remote(const std::string& url, const std::string& profile, nb::handle limits,
                          const std::vector<std::string>& headers, std::optional<double> timeout,
                          std::optional<double> connect_timeout, const std::string& token_env,
                          const std::string& ca_file, std::optional<unsigned> max_redirects,
                          std::optional<std::uint64_t> max_bytes, std::optional<std::uint64_t> read_ahead) {
  const Options options = options_from(profile, limits);
  remote::RemoteOptions remote_options;
  remote_options.headers = headers;
  remote_options.token_env = token_env;
  remote_options.ca_file = ca_file;
  if (timeout) remote_options.total_timeout = seconds_to_milliseconds(*timeout, "timeout");
  if (connect_timeout) remote_options.connect_timeout = seconds_to_milliseconds(*connect_timeout, "connect_timeout");
  if (max_redirects) remote_options.max_redirects = *max_redirects;
  if (max_bytes) remote_options.max_bytes = *max_bytes;
  if (read_ahead) remote_options.read_ahead = *read_ahead;
  std::optional<Result<Header>> result;
  {
    nb::gil_scoped_release unlocked;
    result.emplace(remote::validate_url(url, options, remote_options));
  }
  if (result->ok()) return nb::make_tuple(nb::none(), nb::cast(std::move(*result).value()));
  return nb::make_tuple(error_tuple(result->error()), nb::none());
}

}  // namespace

void bind_remote(nb::module_& module) {
  module.def("validate_url", &validate_remote, nb::arg("url"), nb::arg("profile"), nb::arg("limits").none(),
             nb::arg("headers"), nb::arg("timeout").none(), nb::arg("connect_timeout").none(), nb::arg("token_env"),
             nb::arg("ca_file"), nb::arg("max_redirects").none(), nb::arg("max_bytes").none(),
             nb::arg("read_ahead").none());
}

}  // namespace stguard::python
