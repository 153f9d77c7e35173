// The Python view of a validated Header (shared by validation and reading).
#pragma once

#include <nanobind/nanobind.h>

#include "stguard/header.hpp"

namespace stguard::python {

// (name, dtype name, shape tuple, (begin, end)) for every tensor, in data order.
[[nodiscard]] nanobind::list tensor_tuples(const Header& header);
// The __metadata__ block as a dict, or None when the header had none.
[[nodiscard]] nanobind::object metadata_dict(const Header& header);
// Binds stguard._stguard.Header.
void bind_header(nanobind::module_& module);

}  // namespace stguard::python
