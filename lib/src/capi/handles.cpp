// The handle registry (handles.hpp): numbers to objects, under one lock.
#include "capi/handles.hpp"

#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

namespace stguard::capi {
namespace {

struct Entry {
  HandleKind kind;
  std::shared_ptr<void> object;
};

struct Registry {
  std::shared_mutex mutex;
  std::map<std::uintptr_t, Entry> live;  // ordered: the keys are ours, but no hashing anyway
  // Starts high and odd so that a small integer or an aligned address a
  // confused caller passes is unlikely to be a live handle of the right kind.
  std::uintptr_t next = 0x5700'0001;
};

Registry& registry() noexcept {
  static Registry instance;  // constructed on first use, thread-safe
  return instance;
}

}  // namespace

std::uintptr_t register_handle(HandleKind kind, std::shared_ptr<void> object) {
  Registry& reg = registry();
  const std::unique_lock lock(reg.mutex);
  const std::uintptr_t number = reg.next;
  reg.next += 2;
  reg.live.emplace(number, Entry{kind, std::move(object)});
  return number;
}

std::shared_ptr<void> find_handle(const void* handle, HandleKind kind) noexcept {
  if (handle == nullptr) return nullptr;
  Registry& reg = registry();
  const std::shared_lock lock(reg.mutex);
  const auto found = reg.live.find(reinterpret_cast<std::uintptr_t>(handle));
  if (found == reg.live.end() || found->second.kind != kind) return nullptr;
  return found->second.object;
}

bool release_handle(const void* handle, HandleKind kind) noexcept {
  std::shared_ptr<void> doomed;  // destroyed after the lock is released
  Registry& reg = registry();
  {
    const std::unique_lock lock(reg.mutex);
    const auto found = reg.live.find(reinterpret_cast<std::uintptr_t>(handle));
    if (found == reg.live.end() || found->second.kind != kind) return false;
    doomed = std::move(found->second.object);
    reg.live.erase(found);
  }
  return true;
}

}  // namespace stguard::capi
