#include "convert.hpp"

#include <utility>

namespace stguard::python {

nb::str to_py_str(std::string_view text) {
  PyObject* object = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "surrogateescape");
  if (object == nullptr) throw nb::python_error();
  return nb::steal<nb::str>(object);
}

std::string from_py_str(nb::handle text) {
  if (!PyUnicode_Check(text.ptr())) throw nb::type_error("expected a str");
  PyObject* encoded = PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogateescape");
  if (encoded == nullptr) throw nb::python_error();
  nb::object owner = nb::steal(encoded);
  return {PyBytes_AS_STRING(encoded), static_cast<std::size_t>(PyBytes_GET_SIZE(encoded))};
}

nb::tuple error_tuple(const Error& error) {
  nb::object offset = error.has_offset() ? nb::object(nb::int_(error.offset)) : nb::none();
  nb::object tensor = error.tensor.empty() ? nb::none() : nb::object(to_py_str(error.tensor));
  return nb::make_tuple(to_py_str(error_code_name(error.code)), static_cast<unsigned>(error.code),
                        to_py_str(error_class_name(error.error_class())), to_py_str(error.text()), offset, tensor);
}

void register_error_translator() {
  nb::register_exception_translator([](const std::exception_ptr& pointer, void*) {
    try {
      std::rethrow_exception(pointer);
    } catch (const CoreFailure& failure) {
      nb::object exception = nb::module_::import_("stguard._errors").attr("exception_for")(error_tuple(failure.error), failure.writing);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exception.ptr())), exception.ptr());
    }
  });
}

Options options_from(std::string_view profile_name_text, nb::handle limits) {
  const std::optional<Profile> profile = profile_from_name(profile_name_text);
  if (!profile) throw nb::value_error("profile must be \"strict\" or \"compat\"");
  Options options = Options::for_profile(*profile);
  if (limits.is_none()) return options;
  for (auto [key, value] : nb::cast<nb::dict>(limits)) {
    const std::string name = from_py_str(key);
    const LimitInfo* found = nullptr;
    for (const LimitInfo& row : kLimitTable) {
      if (name == row.name) found = &row;
    }
    if (found == nullptr) throw nb::type_error(("unknown limit: " + name).c_str());
    if (!PyLong_Check(value.ptr()) || PyBool_Check(value.ptr())) {
      throw nb::type_error(("limit " + name + " must be an int").c_str());
    }
    const unsigned long long number = PyLong_AsUnsignedLongLong(value.ptr());
    if (PyErr_Occurred() != nullptr) {
      PyErr_Clear();
      throw nb::value_error(("limit " + name + " must be between 0 and 2**64 - 1").c_str());
    }
    options.limits.*(found->field) = number;
  }
  return options;
}

BufferView::BufferView(nb::handle object, bool writable) {
  const int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(object.ptr(), &view_, flags) != 0) throw nb::python_error();
}

BufferView::~BufferView() { PyBuffer_Release(&view_); }

}  // namespace stguard::python
