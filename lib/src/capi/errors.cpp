// Error details for C callers (stg_error_*) and the static code names, all
// looked up in the C++ code table so a new code needs no change here.
#include <string_view>

#include "capi/boundary.hpp"
#include "stguard/error.hpp"

namespace {

using stguard::capi::Call;
using stguard::capi::ErrorRecord;
using stguard::capi::HandleKind;

// The C++ code with this number, when there is one.
const stguard::ErrorCode* find_code(std::int32_t number) noexcept {
  for (const stguard::ErrorCode& code : stguard::all_error_codes()) {
    if (static_cast<std::int32_t>(code) == number) return &code;
  }
  return nullptr;
}

// *out = describe(code) for a code the library knows, `for_ok` for 0.
// The names are string literals of the C++ table: NUL-terminated, static.
template <typename T, typename Describe>
stg_status describe_code(std::int32_t number, T* out, T for_ok, Describe&& describe) noexcept {
  if (out == nullptr) return STG_INVALID_ARGUMENT;
  if (number == 0) {
    *out = for_ok;
    return STG_OK;
  }
  const stguard::ErrorCode* found = find_code(number);
  if (found == nullptr) return STG_INVALID_ARGUMENT;
  *out = describe(*found);
  return STG_OK;
}

// Reads a field of a live stg_error.
template <typename Read>
stg_status read_record(const stg_error* err, Read&& read) noexcept {
  return stguard::capi::with_live<ErrorRecord>(err, HandleKind::error, nullptr, "not a live stg_error",
                                               [&](Call&, const ErrorRecord& record) {
                                                 read(record);
                                                 return STG_OK;
                                               });
}

// Reads a text field of a live stg_error as a pointer and a length; the text
// is NUL-terminated and lives as long as the error.
template <typename Pick>
stg_status read_text(const stg_error* err, const char** text, size_t* length, Pick&& pick) noexcept {
  if (text == nullptr || length == nullptr) return STG_INVALID_ARGUMENT;
  return read_record(err, [&](const ErrorRecord& record) {
    const std::string_view field = pick(record);
    *text = field.data();
    *length = field.size();
  });
}

}  // namespace

extern "C" {

STG_API stg_status stg_error_new(stg_error** out) {
  return stguard::capi::publish_default<ErrorRecord>(out, HandleKind::error);
}

STG_API stg_status stg_error_free(stg_error* err) { return stguard::capi::free_handle(err, HandleKind::error); }

STG_API stg_status stg_error_code(const stg_error* err, stg_status* code) {
  if (code == nullptr) return STG_INVALID_ARGUMENT;
  return read_record(err, [&](const ErrorRecord& record) { *code = record.code; });
}

STG_API stg_status stg_error_message(const stg_error* err, const char** message, size_t* length) {
  return read_text(err, message, length, [](const ErrorRecord& record) {
    // An error recorded without a message (out of memory) shows its code's
    // summary: a NUL-terminated literal of the static table.
    return record.message.empty() && record.code != STG_OK
               ? stguard::error_code_summary(static_cast<stguard::ErrorCode>(record.code))
               : std::string_view(record.message);
  });
}

STG_API stg_status stg_error_offset(const stg_error* err, uint64_t* offset) {
  if (offset == nullptr) return STG_INVALID_ARGUMENT;
  return read_record(err, [&](const ErrorRecord& record) { *offset = record.offset; });
}

STG_API stg_status stg_error_tensor(const stg_error* err, const char** name, size_t* length) {
  return read_text(err, name, length, [](const ErrorRecord& record) { return std::string_view(record.tensor); });
}

STG_API stg_status stg_error_code_name(int32_t code, const char** name) {
  return describe_code(code, name, "OK", [](stguard::ErrorCode found) {
    return stguard::error_code_name(found).data();
  });
}

STG_API stg_status stg_error_class_name(int32_t code, const char** name) {
  return describe_code(code, name, "ok", [](stguard::ErrorCode found) {
    return stguard::error_class_name(stguard::error_class_of(found)).data();
  });
}

STG_API stg_status stg_error_class(int32_t code, int32_t* error_class) {
  return describe_code(code, error_class, std::int32_t{0}, [](stguard::ErrorCode found) {
    return static_cast<std::int32_t>(stguard::error_class_of(found));
  });
}

STG_API stg_status stg_error_code_from_name(const char* name, int32_t* code) {
  if (name == nullptr || code == nullptr) return STG_INVALID_ARGUMENT;
  const std::string_view text(name);
  if (text == "OK") {
    *code = 0;
    return STG_OK;
  }
  const auto found = stguard::error_code_from_name(text);
  if (!found.has_value()) return STG_INVALID_ARGUMENT;
  *code = static_cast<int32_t>(*found);
  return STG_OK;
}

}  // extern "C"
