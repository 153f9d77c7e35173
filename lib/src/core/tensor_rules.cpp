// The out-of-line parts of the tensor rules (core/tensor_rules.hpp): the ones
// that run only on a writer's input or on the way to an error.
#include "core/tensor_rules.hpp"

#include "core/utf8.hpp"

namespace stguard::detail {

std::string partial_byte_text(std::uint64_t elements, Dtype dtype) {
  return std::to_string(elements) + " elements of " + std::string(dtype_name(dtype)) + " do not fill whole bytes";
}

NameFault written_tensor_name_fault(std::string_view name) noexcept {
  if (name.empty()) return NameFault::empty;
  if (!is_valid_utf8(name)) return NameFault::invalid_utf8;
  if (has_control_character(name)) return NameFault::control_character;
  if (name == "__metadata__") return NameFault::reserved;
  return NameFault::none;
}

}  // namespace stguard::detail
