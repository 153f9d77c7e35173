#include "io/errno_message.hpp"

#include <cstring>

namespace stguard::detail {

std::string errno_message(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);
  return message;
}

}  // namespace stguard::detail
