# Warnings that catch real bugs in byte-handling code; -Werror stays off so a
# newer compiler's new warning never breaks a user's build.
add_library(stguard_warnings INTERFACE)
target_compile_options(stguard_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference -Wformat=2)
