# Packages the audit library links (included by audit/CMakeLists.txt).
# OpenSSL's libcrypto gives SHA-256 (EVP); utf8proc gives NFC normalisation
# for the name-collision rule (Debian ships no CMake config for it, so
# pkg-config); RapidJSON parses manifests inside audit/src only, so it never
# reaches a user's include path.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(PkgConfig REQUIRED)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)

target_link_libraries(stguard_audit PRIVATE OpenSSL::Crypto PkgConfig::UTF8PROC Threads::Threads)
target_include_directories(stguard_audit PRIVATE ${RAPIDJSON_INCLUDE_DIRS})
