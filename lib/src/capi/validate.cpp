// stg_validate_*: the validators of validate.hpp and file_validate.hpp.
#include <cstdint>
#include <span>
#include <string>

#include "capi/header_handle.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/validate.hpp"

namespace {

using stguard::capi::Call;

template <typename Validate>
stg_status validate_with(const stg_options* options, stg_error* err, Validate&& validate) {
  return stguard::capi::run(err, [&](Call& call) {
    stguard::Options resolved;
    if (!stguard::capi::resolve_options(options, resolved)) return call.bad_argument("not a live stg_options");
    return validate(call, resolved);
  });
}

std::span<const std::uint8_t> bytes_of(const void* data, std::size_t size) noexcept {
  return {static_cast<const std::uint8_t*>(data), size};
}

}  // namespace

extern "C" {

STG_API stg_status stg_validate_path(const stg_options* options, const char* path, stg_header** header,
                                     stg_error* err) {
  return validate_with(options, err, [&](Call& call, const stguard::Options& resolved) {
    if (path == nullptr) return call.bad_argument("path is NULL");
    return stguard::capi::deliver_verdict(call, stguard::validate_path(path, resolved), header);
  });
}

STG_API stg_status stg_validate_fd(const stg_options* options, int fd, stg_header** header, stg_error* err) {
  return validate_with(options, err, [&](Call& call, const stguard::Options& resolved) {
    return stguard::capi::deliver_verdict(call, stguard::validate_fd(fd, resolved), header);
  });
}

STG_API stg_status stg_validate_buffer(const stg_options* options, const void* data, size_t size,
                                       stg_header** header, stg_error* err) {
  return validate_with(options, err, [&](Call& call, const stguard::Options& resolved) {
    if (data == nullptr && size != 0) return call.bad_argument("data is NULL but size is not 0");
    return stguard::capi::deliver_verdict(call, stguard::validate_file(bytes_of(data, size), resolved), header);
  });
}

STG_API stg_status stg_validate_prefix(const stg_options* options, const void* prefix, size_t prefix_size,
                                       uint64_t file_size, stg_header** header, stg_error* err) {
  return validate_with(options, err, [&](Call& call, const stguard::Options& resolved) {
    if (prefix == nullptr && prefix_size != 0) return call.bad_argument("prefix is NULL but prefix_size is not 0");
    return stguard::capi::deliver_verdict(
        call, stguard::validate_prefix(bytes_of(prefix, prefix_size), file_size, resolved), header);
  });
}

}  // extern "C"
