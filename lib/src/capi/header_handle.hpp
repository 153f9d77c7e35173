// What a stg_header handle holds, and how a verdict reaches a C caller.
#pragma once

#include "capi/boundary.hpp"
#include "stguard/header.hpp"

namespace stguard::capi {

struct HeaderObject {
  Header header;
};

// STG_OK with a new stg_header in *out (when out is not NULL) for an
// accepted file, else the rejection recorded in `call`.
[[nodiscard]] stg_status deliver_verdict(Call& call, Result<Header> verdict, stg_header** out);

}  // namespace stguard::capi
