// stguard._stguard.Reader: an open, validated file. Tensor bytes are handed
// out as read-only numpy uint8 arrays over the Reader's own memory (mapping
// or snapshot) whose owner is the Python Reader object, so an array keeps the
// file's memory alive after safe_open's `with` block ends. In pread mode,
// and for slices, bytes are copied into a fresh bytearray instead.
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <optional>
#include <utility>
#include <vector>

#include "convert.hpp"
#include "stguard/reader.hpp"

namespace stguard::python {

namespace {

struct PyReader {
  explicit PyReader(Reader opened) : reader(std::move(opened)) {}
  Reader reader;
};

template <typename T>
T unwrap(Result<T>&& result) {
  if (!result.ok()) throw CoreFailure{std::move(result).error()};
  return std::move(result).value();
}

std::optional<ReaderMode> mode_from_name(std::string_view name) {
  if (name == "mapped") return ReaderMode::mapped;
  if (name == "snapshot") return ReaderMode::snapshot;
  if (name == "pread") return ReaderMode::pread;
  return std::nullopt;
}

PyReader* open_descriptor(int fd, const std::string& mode_name, const std::string& profile, nb::handle limits) {
  const std::optional<ReaderMode> mode = mode_from_name(mode_name);
  if (!mode) throw nb::value_error("mode must be \"mapped\", \"snapshot\" or \"pread\"");
  ReaderOptions options;
  options.validation = options_from(profile, limits);
  options.mode = *mode;
  std::optional<Result<Reader>> opened;
  {
    nb::gil_scoped_release unlocked;
    opened.emplace(Reader::open_fd(fd, options));
  }
  return new PyReader(unwrap(std::move(*opened)));
}

PyReader* open_bytes(nb::handle data, const std::string& profile, nb::handle limits) {
  const Options options = options_from(profile, limits);
  const BufferView buffer(data);
  std::optional<Result<Reader>> opened;
  {
    nb::gil_scoped_release unlocked;
    try {
      std::vector<std::uint8_t> copy(buffer.bytes().begin(), buffer.bytes().end());
      opened.emplace(Reader::from_bytes(std::move(copy), options));
    } catch (const std::bad_alloc&) {
      opened.emplace(make_error(ErrorCode::out_of_memory, "cannot copy the file into memory"));
    }
  }
  return new PyReader(unwrap(std::move(*opened)));
}

// A new bytearray of `size` bytes filled by `fill` without the GIL.
template <typename Fill>
nb::object filled_bytearray(std::uint64_t size, Fill&& fill) {
  if (size > static_cast<std::uint64_t>(PY_SSIZE_T_MAX)) throw nb::value_error("tensor too large for this platform");
  PyObject* raw = PyByteArray_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(size));
  if (raw == nullptr) throw nb::python_error();
  nb::object array = nb::steal(raw);
  const std::span<std::uint8_t> out(reinterpret_cast<std::uint8_t*>(PyByteArray_AS_STRING(raw)),
                                    static_cast<std::size_t>(size));
  Status status;
  {
    nb::gil_scoped_release unlocked;
    status = fill(out);
  }
  if (!status.ok()) throw CoreFailure{status.error()};
  return array;
}

nb::object tensor_bytes(PyReader& self, nb::handle name) {
  const TensorView view = unwrap(self.reader.tensor(from_py_str(name)));
  if (self.reader.has_resident_data() && view.byte_size() > 0) {
    const std::span<const std::uint8_t> bytes = unwrap(view.bytes());
    nb::ndarray<nb::numpy, const std::uint8_t, nb::ndim<1>> array(bytes.data(), {bytes.size()}, nb::find(&self));
    return nb::cast(array, nb::rv_policy::reference);
  }
  return filled_bytearray(view.byte_size(), [&](std::span<std::uint8_t> out) { return view.read(0, out); });
}

// spec: a sequence of (is_single, start, stop or None) for the leading dimensions.
nb::tuple slice_bytes(PyReader& self, nb::handle name, nb::handle spec) {
  const TensorView view = unwrap(self.reader.tensor(from_py_str(name)));
  SliceSpec indices;
  for (nb::handle entry : spec) {
    auto fields = nb::cast<nb::tuple>(entry);
    if (fields.size() != 3) throw nb::value_error("slice entries are (is_single, start, stop)");
    const auto start = nb::cast<std::uint64_t>(fields[1]);
    if (nb::cast<bool>(fields[0])) {
      indices.push_back(SliceIndex::single(start));
    } else {
      std::optional<std::uint64_t> stop;
      if (!fields[2].is_none()) stop = nb::cast<std::uint64_t>(fields[2]);
      indices.push_back(SliceIndex::range(start, stop));
    }
  }
  const TensorSlice slice = unwrap(view.slice(indices));
  nb::list shape;
  for (std::uint64_t dimension : slice.shape()) shape.append(nb::int_(dimension));
  nb::object bytes = filled_bytearray(slice.byte_size(), [&](std::span<std::uint8_t> out) { return slice.read(out); });
  return nb::make_tuple(bytes, nb::tuple(shape));
}

}  // namespace

void bind_reader(nb::module_& module) {
  nb::class_<PyReader>(module, "Reader")
      .def_static("open_fd", &open_descriptor, nb::arg("fd"), nb::arg("mode"), nb::arg("profile"),
                  nb::arg("limits").none(), nb::rv_policy::take_ownership)
      .def_static("from_bytes", &open_bytes, nb::arg("data"), nb::arg("profile"), nb::arg("limits").none(),
                  nb::rv_policy::take_ownership)
      .def("header", [](const PyReader& self) { return self.reader.header(); })
      .def_prop_ro("mode", [](const PyReader& self) { return to_py_str(reader_mode_name(self.reader.mode())); })
      .def("tensor_bytes", &tensor_bytes, nb::arg("name"))
      .def("slice_bytes", &slice_bytes, nb::arg("name"), nb::arg("spec"));
}

}  // namespace stguard::python
