// stguard._stguard: the C++ library's entry points for the Python package.
// The public Python API (stguard/__init__.py) is built on these.
#include <nanobind/nanobind.h>

#include "convert.hpp"
#include "header_binding.hpp"

namespace stguard::python {
void bind_validation(nanobind::module_& module);
void bind_reader(nanobind::module_& module);
void bind_writer(nanobind::module_& module);
void bind_audit(nanobind::module_& module);
#if STGUARD_PYTHON_HAVE_REMOTE
void bind_remote(nanobind::module_& module);  // remote_binding.cpp, with libcurl only
#endif
void bind_manifest(nanobind::module_& module);
void bind_range_audit(nanobind::module_& module);
}  // namespace stguard::python

NB_MODULE(_stguard, module) {
  using namespace stguard::python;
  register_error_translator();
  bind_header(module);
  bind_validation(module);
  bind_reader(module);
  bind_writer(module);
  bind_audit(module);
#if STGUARD_PYTHON_HAVE_REMOTE
  bind_remote(module);
#endif
  bind_manifest(module);
  bind_range_audit(module);
}
