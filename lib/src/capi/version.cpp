// stg_version / stg_abi_version: what a caller links against at run time.
#include <cstdint>

#include "stguard/stguard.h"

#ifndef STG_VERSION_STRING
#error "STG_VERSION_STRING comes from lib/CMakeLists.txt (the project version)"
#endif

extern "C" {

STG_API stg_status stg_version(const char** version) {
  if (version == nullptr) return STG_INVALID_ARGUMENT;
  *version = STG_VERSION_STRING;
  return STG_OK;
}

STG_API stg_status stg_abi_version(uint32_t* abi) {
  if (abi == nullptr) return STG_INVALID_ARGUMENT;
  *abi = STG_ABI_VERSION;
  return STG_OK;
}

}  // extern "C"
