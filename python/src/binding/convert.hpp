// Conversions between the C++ library's values and Python objects, shared by
// every part of the binding: strings, errors, options and borrowed buffers.
#pragma once

#include <Python.h>
#include <nanobind/nanobind.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stguard/error.hpp"
#include "stguard/options.hpp"

namespace stguard::python {

namespace nb = nanobind;

// A C++ string as a Python str. Names in a validated header are UTF-8, but
// error fields may hold raw bytes of a rejected file: those come through as
// surrogate escapes instead of raising UnicodeDecodeError.
[[nodiscard]] nb::str to_py_str(std::string_view text);
// A Python str as UTF-8 bytes (surrogate escapes map back to the raw bytes).
[[nodiscard]] std::string from_py_str(nb::handle text);

// (code name, code number, class name, message, offset or None, tensor or None):
// stguard/_errors.py turns it into a stguard.Error.
[[nodiscard]] nb::tuple error_tuple(const Error& error);

// Thrown by binding code for an Error the caller must see as an exception;
// the registered translator raises what stguard._errors.exception_for gives.
struct CoreFailure {
  Error error;
  bool writing = false;  // raised by the writer: a refusal is WriteError
};
void register_error_translator();

// A profile name and a dict of limit overrides as Options. Unknown profiles
// and limit names are a ValueError / TypeError (caller's mistake).
[[nodiscard]] Options options_from(std::string_view profile, nb::handle limits);

// A C-contiguous buffer of a Python object (bytes, bytearray, memoryview,
// numpy array), held for this object's lifetime.
class BufferView {
 public:
  BufferView(nb::handle object, bool writable = false);
  BufferView(const BufferView&) = delete;
  BufferView& operator=(const BufferView&) = delete;
  ~BufferView();
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return {static_cast<const std::uint8_t*>(view_.buf), static_cast<std::size_t>(view_.len)};
  }
  [[nodiscard]] std::span<std::uint8_t> writable_bytes() const noexcept {
    return {static_cast<std::uint8_t*>(view_.buf), static_cast<std::size_t>(view_.len)};
  }

 private:
  Py_buffer view_{};
};

}  // namespace stguard::python
