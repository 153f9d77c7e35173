// The shared helpers of boundary.hpp that need the registry.
#include "capi/boundary.hpp"

#include "capi/options_handle.hpp"

namespace stguard::capi {

bool resolve_options(const stg_options* handle, Options& out) noexcept {
  if (handle == nullptr) {
    out = Options::strict();
    return true;
  }
  const auto found = find<OptionsObject>(handle, HandleKind::options);
  if (!found) return false;
  out = found->options;
  return true;
}

stg_status free_handle(const void* handle, HandleKind kind) noexcept {
  if (handle == nullptr) return STG_OK;
  return release_handle(handle, kind) ? STG_OK : STG_INVALID_ARGUMENT;
}

}  // namespace stguard::capi
