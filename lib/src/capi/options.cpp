// stg_options_*: a profile and its limits, as stguard::Options.
#include <cstdint>
#include <memory>

#include "capi/boundary.hpp"
#include "capi/options_handle.hpp"

namespace {

using stguard::capi::Call;
using stguard::capi::HandleKind;
using stguard::capi::OptionsObject;

bool valid_profile(stg_profile profile) noexcept {
  return profile == STG_PROFILE_STRICT || profile == STG_PROFILE_COMPAT;
}

stguard::Profile to_profile(stg_profile profile) noexcept {
  return profile == STG_PROFILE_COMPAT ? stguard::Profile::compat : stguard::Profile::strict;
}

// The Limits field a stg_limit names, or nullptr.
// stg_limit numbers the rows of stguard::kLimitTable from 1, in its order.
static_assert(STG_LIMIT_MAX_HEADER_BYTES == 1 && STG_LIMIT_MAX_DEPTH == stguard::kLimitTable.size());
// Every row, not only the ends: a reordered table or enum must not set the wrong limit.
constexpr bool limit_row_is(stg_limit limit, std::uint64_t stguard::Limits::*field) {
  return stguard::kLimitTable[static_cast<std::size_t>(limit) - 1].field == field;
}
static_assert(limit_row_is(STG_LIMIT_MAX_HEADER_BYTES, &stguard::Limits::max_header_bytes) &&
              limit_row_is(STG_LIMIT_MAX_TENSORS, &stguard::Limits::max_tensors) &&
              limit_row_is(STG_LIMIT_MAX_RANK, &stguard::Limits::max_rank) &&
              limit_row_is(STG_LIMIT_MAX_NAME_BYTES, &stguard::Limits::max_name_bytes) &&
              limit_row_is(STG_LIMIT_MAX_INTEGER, &stguard::Limits::max_integer) &&
              limit_row_is(STG_LIMIT_MAX_DEPTH, &stguard::Limits::max_depth));
std::uint64_t* limit_field(stguard::Limits& limits, stg_limit limit) noexcept {
  if (limit < STG_LIMIT_MAX_HEADER_BYTES || limit > STG_LIMIT_MAX_DEPTH) return nullptr;
  return &(limits.*stguard::kLimitTable[static_cast<std::size_t>(limit) - 1].field);
}

template <typename Body>
stg_status with_options(const stg_options* handle, Body&& body) noexcept {
  return stguard::capi::with_live<OptionsObject>(handle, HandleKind::options, nullptr, "not a live stg_options",
                                                 [&](Call&, OptionsObject& object) { return body(object.options); });
}

}  // namespace

extern "C" {

STG_API stg_status stg_options_new(stg_profile profile, stg_options** out) {
  return stguard::capi::run(nullptr, [&](Call& call) {
    if (out == nullptr || !valid_profile(profile)) return call.bad_argument("NULL out or unknown profile");
    auto object = std::make_shared<OptionsObject>();
    object->options = stguard::Options::for_profile(to_profile(profile));
    stguard::capi::publish(out, HandleKind::options, std::move(object));
    return STG_OK;
  });
}

STG_API stg_status stg_options_free(stg_options* options) {
  return stguard::capi::free_handle(options, HandleKind::options);
}

STG_API stg_status stg_options_set_profile(stg_options* options, stg_profile profile) {
  if (!valid_profile(profile)) return STG_INVALID_ARGUMENT;
  return with_options(options, [&](stguard::Options& value) {
    value = stguard::Options::for_profile(to_profile(profile));
    return STG_OK;
  });
}

STG_API stg_status stg_options_get_profile(const stg_options* options, stg_profile* profile) {
  if (profile == nullptr) return STG_INVALID_ARGUMENT;
  return with_options(options, [&](const stguard::Options& value) {
    *profile = value.profile == stguard::Profile::compat ? STG_PROFILE_COMPAT : STG_PROFILE_STRICT;
    return STG_OK;
  });
}

STG_API stg_status stg_options_set_limit(stg_options* options, stg_limit limit, uint64_t value) {
  return with_options(options, [&](stguard::Options& held) {
    std::uint64_t* field = limit_field(held.limits, limit);
    if (field == nullptr) return STG_INVALID_ARGUMENT;
    *field = value;
    return STG_OK;
  });
}

STG_API stg_status stg_options_get_limit(const stg_options* options, stg_limit limit, uint64_t* value) {
  if (value == nullptr) return STG_INVALID_ARGUMENT;
  return with_options(options, [&](stguard::Options& held) {
    const std::uint64_t* field = limit_field(held.limits, limit);
    if (field == nullptr) return STG_INVALID_ARGUMENT;
    *value = *field;
    return STG_OK;
  });
}

}  // extern "C"
