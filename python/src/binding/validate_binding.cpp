// Validation entry points: bytes, a descriptor, a prefix, and chunked input.
// Each returns (None, Header) or (error tuple, None) and never raises for an
// invalid file; the GIL is released while the core runs.
#include <nanobind/stl/string.h>

#include <mutex>
#include <optional>

#include "convert.hpp"
#include "header_binding.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/stream_validator.hpp"
#include "stguard/validate.hpp"

namespace stguard::python {

namespace {

// feed() runs without the GIL, so two Python threads feeding one validator
// are serialised here instead of racing inside it.
struct LockedStreamValidator {
  explicit LockedStreamValidator(Options options) : core(options) {}
  StreamValidator core;
  std::mutex lock;
};

nb::tuple verdict(Result<Header>&& result) {
  if (result.ok()) return nb::make_tuple(nb::none(), nb::cast(std::move(result).value()));
  return nb::make_tuple(error_tuple(result.error()), nb::none());
}

nb::tuple validate_buffer(nb::handle data, const std::string& profile, nb::handle limits) {
  const Options options = options_from(profile, limits);
  const BufferView buffer(data);
  std::optional<Result<Header>> result;
  {
    nb::gil_scoped_release unlocked;
    result.emplace(validate_file(buffer.bytes(), options));
  }
  return verdict(std::move(*result));
}

nb::tuple validate_descriptor(int fd, const std::string& profile, nb::handle limits) {
  const Options options = options_from(profile, limits);
  std::optional<Result<Header>> result;
  {
    nb::gil_scoped_release unlocked;
    result.emplace(validate_fd(fd, options));
  }
  return verdict(std::move(*result));
}

nb::tuple validate_prefix_buffer(nb::handle data, std::uint64_t file_size, const std::string& profile,
                                 nb::handle limits) {
  const Options options = options_from(profile, limits);
  const BufferView buffer(data);
  std::optional<Result<Header>> result;
  {
    nb::gil_scoped_release unlocked;
    result.emplace(validate_prefix(buffer.bytes(), file_size, options));
  }
  return verdict(std::move(*result));
}

}  // namespace

void bind_validation(nb::module_& module) {
  module.def("validate_bytes", &validate_buffer, nb::arg("data"), nb::arg("profile"), nb::arg("limits").none());
  module.def("validate_fd", &validate_descriptor, nb::arg("fd"), nb::arg("profile"), nb::arg("limits").none());
  module.def("validate_prefix", &validate_prefix_buffer, nb::arg("data"), nb::arg("file_size"), nb::arg("profile"),
             nb::arg("limits").none());

  nb::class_<LockedStreamValidator>(module, "StreamValidator")
      .def("__init__",
           [](LockedStreamValidator* self, const std::string& profile, nb::handle limits) {
             new (self) LockedStreamValidator(options_from(profile, limits));
           },
           nb::arg("profile"), nb::arg("limits").none())
      .def("feed",
           [](LockedStreamValidator& self, nb::handle chunk) {
             const BufferView buffer(chunk);
             nb::gil_scoped_release unlocked;
             const std::lock_guard<std::mutex> guard(self.lock);
             return self.core.feed(buffer.bytes());
           })
      .def_prop_ro("failed", [](LockedStreamValidator& self) {
        const std::lock_guard<std::mutex> guard(self.lock);
        return self.core.failed();
      })
      .def_prop_ro("bytes_seen", [](LockedStreamValidator& self) {
        const std::lock_guard<std::mutex> guard(self.lock);
        return self.core.bytes_seen();
      })
      .def("finish", [](LockedStreamValidator& self) {
        std::optional<Result<Header>> result;
        {
          nb::gil_scoped_release unlocked;
          const std::lock_guard<std::mutex> guard(self.lock);
          result.emplace(self.core.finish());
        }
        return verdict(std::move(*result));
      });
}

}  // namespace stguard::python
