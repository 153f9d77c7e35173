// stguard.h compiled as C++20 with warnings as errors (tests/c/CMakeLists.txt):
// the C header must stay valid, warning-free C++ and keep C linkage.
#include "stguard/stguard.h"

#include <type_traits>

static_assert(std::is_same_v<decltype(&stg_validate_buffer),
                             stg_status (*)(const stg_options*, const void*, size_t, stg_header**, stg_error*)>);
static_assert(sizeof(stg_status) == 4 && sizeof(stg_dtype) == 4 && sizeof(stg_slice_range) == 16);
static_assert(STG_ABI_VERSION == 0);

// One call, so the declarations are used and checked too.
int stguard_header_cxx_check() {
  const char* version = nullptr;
  return stg_version(&version) == STG_OK ? 0 : 1;
}
