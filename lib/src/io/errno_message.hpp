// The one errno formatter of the library: every io_* error that a system call
// caused says what failed and then the system's text for errno, in one shape.
#pragma once

#include <string>
#include <string_view>

namespace stguard::detail {

// "what: <strerror(err)>", e.g. "cannot open: No such file or directory".
[[nodiscard]] std::string errno_message(std::string_view what, int err);

}  // namespace stguard::detail
