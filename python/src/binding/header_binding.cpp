#include "header_binding.hpp"

#include "convert.hpp"

namespace stguard::python {

nb::list tensor_tuples(const Header& header) {
  nb::list tensors;
  for (const TensorInfo& info : header.tensors()) {
    nb::list shape;
    for (std::uint64_t dimension : info.shape) shape.append(nb::int_(dimension));
    tensors.append(nb::make_tuple(to_py_str(info.name), to_py_str(dtype_name(info.dtype)), nb::tuple(shape),
                                  nb::make_tuple(nb::int_(info.begin), nb::int_(info.end))));
  }
  return tensors;
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
      .def("metadata", &metadata_dict)
      .def("strict_violations", [](const Header& header) {
        nb::list violations;
        for (const Error& error : header.strict_violations()) violations.append(error_tuple(error));
        return violations;
      });
}

}  // namespace stguard::python
