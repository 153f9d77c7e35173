// What a stg_options handle holds.
#pragma once

#include "stguard/options.hpp"

namespace stguard::capi {

struct OptionsObject {
  Options options;
};

}  // namespace stguard::capi
