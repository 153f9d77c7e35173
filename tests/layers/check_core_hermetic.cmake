# The core does no I/O (docs/architecture.md), checked over its sources:
#   cmake -DSTGUARD_SOURCE_DIR=<repo> [-DSTGUARD_CORE_DIR=<dir>] -P check_core_hermetic.cmake
# Scans every file in lib/src/core/ and, transitively, every public header
# (lib/include/stguard/) they include. It fails when one of them
#   - includes a private header of another layer ("io/...", "reader/", ...):
#     the core sits at the bottom, nothing below it but the standard library;
#   - includes a public header of a layer above the core (descriptors, files,
#     reader, writer, shards): its functions are defined outside stguard_core;
#   - includes any <....h> header other than RapidJSON's parser (its file and
#     stream wrappers excepted): that is every C,
#     POSIX and OS header (unistd.h, fcntl.h, sys/*.h, dirent.h, poll.h,
#     pthread.h, signal.h, stdio.h ...), the only way to reach system calls;
#     the core uses the C++ forms (<cstdint>, <cstring>) where it needs C;
#   - includes a C++ header whose purpose is I/O, the environment or
#     nondeterminism: streams and files (<cstdio>, <fstream>, <iostream>,
#     <istream>, <ostream>, <sstream>, <syncstream>, <print>, <filesystem>),
#     threads and time (<thread>, <future>, <chrono>, <ctime>), signals
#     (<csignal>), randomness (<random>) and locales (<locale>, <clocale>):
#     same bytes in, same verdict out, every time;
#   - calls getenv, secure_getenv, system or popen (<cstdlib>, which the core
#     includes for std::abort, also declares them).
# Also: lib/src holds no loose source file (every file belongs to a layer).
cmake_minimum_required(VERSION 3.25)
if(NOT STGUARD_SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSTGUARD_SOURCE_DIR=<repo> -P check_core_hermetic.cmake")
endif()
if(NOT STGUARD_CORE_DIR)
  set(STGUARD_CORE_DIR ${STGUARD_SOURCE_DIR}/lib/src/core)
endif()
set(public_dir ${STGUARD_SOURCE_DIR}/lib/include)
set(upper_layer_headers atomic_file file_validate unique_fd reader writer stream_writer shard_index shard_writer
    stguard)
set(io_cxx_headers cstdio fstream iostream istream ostream sstream syncstream print filesystem thread future
    chrono ctime csignal random locale clocale)

set(problems "")
file(GLOB loose ${STGUARD_SOURCE_DIR}/lib/src/*.cpp ${STGUARD_SOURCE_DIR}/lib/src/*.hpp)
foreach(path IN LISTS loose)
  string(APPEND problems "\n  ${path}: loose in lib/src (move it into its layer's folder)")
endforeach()

file(GLOB pending ${STGUARD_CORE_DIR}/*.cpp ${STGUARD_CORE_DIR}/*.hpp)
if(NOT pending)
  message(FATAL_ERROR "no core sources in ${STGUARD_CORE_DIR}")
endif()
set(seen "")
while(pending)
  list(POP_FRONT pending path)
  if(path IN_LIST seen)
    continue()
  endif()
  list(APPEND seen ${path})
  file(STRINGS ${path} lines)
  set(line_number 0)
  foreach(line IN LISTS lines)
    math(EXPR line_number "${line_number} + 1")
    set(where "${path}:${line_number}")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*(.*)$")
      set(target "${CMAKE_MATCH_1}")
      if(target MATCHES "^\"([^\"]+)\"")
        set(name "${CMAKE_MATCH_1}")
        if(name MATCHES "^stguard/([a-z_0-9]+)\\.(hpp|h)$")
          if(CMAKE_MATCH_1 IN_LIST upper_layer_headers)
            string(APPEND problems "\n  ${where}: includes ${name}, a layer above the core")
          elseif(EXISTS ${public_dir}/${name})
            list(APPEND pending ${public_dir}/${name})
          else()
            string(APPEND problems "\n  ${where}: includes ${name}, which is not a public header")
          endif()
        elseif(NOT name MATCHES "^core/")
          string(APPEND problems "\n  ${where}: includes ${name}, outside the core")
        endif()
      elseif(target MATCHES "^<([^>]+)>")
        set(name "${CMAKE_MATCH_1}")
        if(name MATCHES "\\.h$" AND NOT name MATCHES "^rapidjson/")
          string(APPEND problems "\n  ${where}: includes <${name}>, a C/POSIX/OS header")
        elseif(name MATCHES "^rapidjson/.*(file|stream)")
          string(APPEND problems "\n  ${where}: includes <${name}>, RapidJSON's file and stream I/O")
        elseif(name IN_LIST io_cxx_headers)
          string(APPEND problems "\n  ${where}: includes <${name}> (I/O, environment or nondeterminism)")
        endif()
      else()
        string(APPEND problems "\n  ${where}: an include this check cannot read: ${line}")
      endif()
    elseif(line MATCHES "(^|[^A-Za-z0-9_.>])(getenv|secure_getenv|system|popen)[ \t]*\\(")
      string(APPEND problems "\n  ${where}: calls ${CMAKE_MATCH_2}")
    endif()
  endforeach()
endwhile()

list(LENGTH seen scanned)
if(problems)
  message(FATAL_ERROR "the core is not hermetic:${problems}")
endif()
message(STATUS "core is hermetic: ${scanned} files scanned")
