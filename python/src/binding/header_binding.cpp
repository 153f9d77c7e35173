#include "header_binding.hpp"

#include <array>

#include "convert.hpp"

namespace stguard::python {

nb::list tensor_tuples(const Header& header) {
  // One str per dtype, not one per tensor: most headers repeat two or three.
  std::array<nb::object, kDtypeCount> dtype_names;
  nb::list tensors;
  for (const TensorInfo& info : header.tensors()) {
    nb::object& dtype = dtype_names[static_cast<std::size_t>(info.dtype)];
    if (!dtype.is_valid()) dtype = to_py_str(dtype_name(info.dtype));
    PyObject* shape = PyTuple_New(static_cast<Py_ssize_t>(info.shape.size()));
    if (shape == nullptr) throw nb::python_error();
    nb::object shape_owner = nb::steal(shape);
    for (std::size_t i = 0; i < info.shape.size(); ++i) {
      PyTuple_SET_ITEM(shape, static_cast<Py_ssize_t>(i), nb::int_(info.shape[i]).release().ptr());
    }
    tensors.append(nb::make_tuple(to_py_str(info.name), dtype, shape_owner,
                                  nb::make_tuple(nb::int_(info.begin), nb::int_(info.end))));
  }
  return tensors;
}

nb::list tensor_names(const Header& header) {
  nb::list names;
  for (const TensorInfo& info : header.tensors()) names.append(to_py_str(info.name));
  return names;
}

nb::object metadata_dict(const Header& header) {
  if (!header.has_metadata_object()) return nb::none();
  nb::dict metadata;
  for (const MetadataEntry& entry : header.metadata()) metadata[to_py_str(entry.key)] = to_py_str(entry.value);
  return metadata;
}

void bind_header(nb::module_& module) {
  nb::class_<Header>(module, "Header")
      .def_prop_ro("tensor_count", &Header::tensor_count)
      .def_prop_ro("header_length", &Header::header_length)
      .def_prop_ro("data_offset", &Header::data_offset)
      .def_prop_ro("data_size", &Header::data_size)
      .def_prop_ro("file_size", &Header::file_size)
      .def_prop_ro("profile", [](const Header& header) { return to_py_str(profile_name(header.profile())); })
      .def("tensors", &tensor_tuples)
      .def("names", &tensor_names)
      .def("metadata", &metadata_dict)
      .def("strict_violations", [](const Header& header) {
        nb::list violations;
        for (const Error& error : header.strict_violations()) violations.append(error_tuple(error));
        return violations;
      });
}

}  // namespace stguard::python
