// stguard._stguard.write: a FileBuilder fed from Python buffers, saved to
// bytes, to a path (atomically) or streamed to a writable file object. The
// buffers are borrowed (no copy) and held until the save is over; the GIL is
// released except while a file object's write() runs.
#include <nanobind/stl/string.h>

#include <memory>
#include <optional>
#include <vector>

#include "convert.hpp"
#include "stguard/atomic_file.hpp"
#include "stguard/writer.hpp"

namespace stguard::python {

namespace {

// Streams into a Python object's write(), which may write less than asked.
class PythonWriteSink final : public ByteSink {
 public:
  explicit PythonWriteSink(nb::handle target) : target_(target) {}

  Status write(std::span<const std::uint8_t> bytes) noexcept override {
    if (failure_) return make_error(ErrorCode::io_write_failed, "the file object's write() failed");
    nb::gil_scoped_acquire locked;
    try {
      while (!bytes.empty()) {
        nb::object view = nb::steal(PyMemoryView_FromMemory(
            reinterpret_cast<char*>(const_cast<std::uint8_t*>(bytes.data())), static_cast<Py_ssize_t>(bytes.size()),
            PyBUF_READ));
        if (!view.is_valid()) throw nb::python_error();
        nb::object written = target_.attr("write")(view);
        // A raw file object may write part of the chunk (or None: nothing yet).
        const std::size_t count = written.is_none() ? 0 : nb::cast<std::size_t>(written);
        view.attr("release")();
        if (count == 0 || count > bytes.size()) {
          return make_error(ErrorCode::io_write_failed, "the file object's write() accepted no bytes");
        }
        bytes = bytes.subspan(count);
      }
      return {};
    } catch (nb::python_error& error) {
      failure_.emplace(std::move(error));
    } catch (const std::exception&) {
      return make_error(ErrorCode::io_write_failed, "the file object's write() returned a non-integer");
    }
    return make_error(ErrorCode::io_write_failed, "the file object's write() raised");
  }

  // The Python exception write() raised, to re-raise after the save.
  std::optional<nb::python_error>& failure() noexcept { return failure_; }

 private:
  nb::handle target_;
  std::optional<nb::python_error> failure_;
};

std::vector<std::uint64_t> shape_from(nb::handle shape) {
  std::vector<std::uint64_t> dimensions;
  for (nb::handle dimension : shape) dimensions.push_back(nb::cast<std::uint64_t>(dimension));
  return dimensions;
}

nb::object write(nb::handle tensors, nb::handle metadata, nb::handle destination) {
  FileBuilder builder;
  std::vector<std::unique_ptr<BufferView>> buffers;
  for (nb::handle entry : tensors) {
    auto fields = nb::cast<nb::tuple>(entry);
    if (fields.size() != 4) throw nb::value_error("tensors are (name, dtype, shape, buffer)");
    const std::string dtype_text = from_py_str(fields[1]);
    const std::optional<Dtype> dtype = dtype_from_name(dtype_text);
    if (!dtype) throw nb::value_error(("unknown dtype: " + dtype_text).c_str());
    buffers.push_back(std::make_unique<BufferView>(fields[3]));
    Status added = builder.add_tensor(from_py_str(fields[0]), *dtype, shape_from(fields[2]), buffers.back()->bytes());
    if (!added.ok()) throw CoreFailure{added.error(), true};
  }
  for (nb::handle entry : metadata) {
    auto pair = nb::cast<nb::tuple>(entry);
    Status set = builder.set_metadata(from_py_str(pair[0]), from_py_str(pair[1]));
    if (!set.ok()) throw CoreFailure{set.error(), true};
  }

  if (destination.is_none()) {
    std::optional<Result<std::vector<std::uint8_t>>> saved;
    {
      nb::gil_scoped_release unlocked;
      saved.emplace(builder.save());
    }
    if (!saved->ok()) throw CoreFailure{saved->error(), true};
    const std::vector<std::uint8_t>& bytes = saved->value();
    return nb::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  if (PyUnicode_Check(destination.ptr())) {
    const std::string path = from_py_str(destination);
    Status status;
    {
      nb::gil_scoped_release unlocked;
      status = builder.save_to_path(path);
    }
    if (!status.ok()) throw CoreFailure{status.error(), true};
    return nb::none();
  }
  PythonWriteSink sink(destination);
  Status status;
  {
    nb::gil_scoped_release unlocked;
    status = builder.save_to_sink(sink);
  }
  if (sink.failure()) throw std::move(*sink.failure());
  if (!status.ok()) throw CoreFailure{status.error(), true};
  return nb::none();
}

}  // namespace

void bind_writer(nb::module_& module) {
  module.def("write", &write, nb::arg("tensors"), nb::arg("metadata"), nb::arg("destination").none());
}

}  // namespace stguard::python
