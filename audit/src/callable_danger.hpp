// Which Python callables a config directive (`_target_`, `class_path`) may
// name without a loader becoming a remote shell: the dangerous set of the
// config rules (STG-CFG-001), with the spellings an attacker would try.
#pragma once

#include <string>
#include <string_view>

namespace stguard::audit::detail {

struct CallableVerdict {
  bool dangerous = false;
  std::string_view family;  // "code execution", "process spawning", ... (empty when not dangerous)
  std::string normalized;   // the dotted name as matched ("builtins.eval"), lower case
};

// Normalises `callable` before matching, because a loader's import is more
// forgiving than a string compare: whitespace, invisible and bidi characters
// are dropped, ASCII is lowered, ':' and '/' become '.', a trailing "()" is
// cut; `__builtin__.` / `__builtins__.` and bare names mean `builtins.`.
// Dangerous: the names and module prefixes of callable_danger.cpp, and any
// attribute walk through a dunder (`x.__globals__`, but not `__main__`).
// numpy's loaders are dangerous only when `allow_pickle` is set.
[[nodiscard]] CallableVerdict classify_callable(std::string_view callable, bool allow_pickle);

}  // namespace stguard::audit::detail
