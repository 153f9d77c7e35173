// The handle registry of the C API: what a stg_* handle is.
//
// A handle is not the address of an object: it is a number the registry gave
// out (never reused, never 0) and the C side only ever holds it. Every entry
// looks the number up under a lock, so a handle that was freed, never
// existed, or is of another kind is refused without touching any memory,
// and a double free is an error instead of heap corruption. The registry
// holds each object by shared_ptr: a call in flight keeps its object alive
// even if another thread frees the handle meanwhile.
#pragma once

#include <cstdint>
#include <memory>

namespace stguard::capi {

enum class HandleKind : std::uint8_t { error, options, header, stream, reader, writer };

// Registers `object` and returns its new handle number (as the C pointer type).
[[nodiscard]] std::uintptr_t register_handle(HandleKind kind, std::shared_ptr<void> object);
// The live object behind `handle` when it is of `kind`, else nullptr.
[[nodiscard]] std::shared_ptr<void> find_handle(const void* handle, HandleKind kind) noexcept;
// Forgets `handle`; false when it is not live (already freed, wrong kind).
[[nodiscard]] bool release_handle(const void* handle, HandleKind kind) noexcept;

template <typename T>
[[nodiscard]] std::shared_ptr<T> find(const void* handle, HandleKind kind) noexcept {
  return std::static_pointer_cast<T>(find_handle(handle, kind));
}

template <typename Handle>
[[nodiscard]] Handle* as_handle(std::uintptr_t number) noexcept {
  return reinterpret_cast<Handle*>(number);  // NOLINT: a number, never dereferenced
}

}  // namespace stguard::capi
