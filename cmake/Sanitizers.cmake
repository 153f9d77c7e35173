# STGUARD_SANITIZE applies to every target in the build, library included, so
# the whole test suite runs under the sanitizer (not only the fuzzers).
if(STGUARD_SANITIZE)
  list(JOIN STGUARD_SANITIZE "," _stguard_sanitizers)
  add_compile_options(-fsanitize=${_stguard_sanitizers} -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${_stguard_sanitizers} -fno-sanitize-recover=all)
  if("undefined" IN_LIST STGUARD_SANITIZE)
    # RapidJSON 1.1.0 (Debian's) computes `nullptr + n` in internal::Stack::Reserve
    # before its first allocation, on every parse; upstream fixed it after the
    # release. It is arithmetic only (never dereferenced), so this one check is
    # off; every other UBSan check and all of ASan stay on.
    add_compile_options(-fno-sanitize=pointer-overflow)
  endif()
endif()
if(STGUARD_FUZZ_ENGINE STREQUAL "libfuzzer")
  # Coverage instrumentation everywhere; only fuzz targets link the engine.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
