# Packages the audit library links (included by audit/CMakeLists.txt).
# OpenSSL's libcrypto gives SHA-256 (EVP); utf8proc gives NFC normalisation
# for the name-collision rule (Debian ships no CMake config for it, so
# pkg-config); RapidJSON parses manifests inside audit/src only, so it never
# reaches a user's include path; libyaml's event parser reads YAML configs
# in metadata (config_scan.hpp), linked here only, never into the core
# library. lib/src (core/json_tokenizer.hpp) gives the config scanner the
# project's JSON layer.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(PkgConfig REQUIRED)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)

target_link_libraries(stguard_audit PRIVATE OpenSSL::Crypto PkgConfig::UTF8PROC PkgConfig::LIBYAML Threads::Threads)
target_include_directories(stguard_audit PRIVATE ${RAPIDJSON_INCLUDE_DIRS} ${PROJECT_SOURCE_DIR}/lib/src)
