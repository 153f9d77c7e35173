# Installation: headers, the library, a CMake package (find_package(stguard
# CONFIG) gives stguard::stguard, stguard::c / stguard::c_static for the C API, and with
# COMPONENTS remote stguard::remote) and pkg-config files (stguard.pc, stguard-c.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS stguard stguard_c stguard_c_static EXPORT stguardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/stguard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The audit library (stguard::audit) installs beside the core when it is built.
if(TARGET stguard_audit)
  install(TARGETS stguard_audit EXPORT stguardTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/audit/include/stguard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  set(STGUARD_WITH_AUDIT ON)
else()
  set(STGUARD_WITH_AUDIT OFF)
endif()
install(EXPORT stguardTargets NAMESPACE stguard:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)
# stguard::remote (libcurl) has an export set of its own: the package loads it
# only for find_package(stguard CONFIG COMPONENTS remote), so consumers of
# stguard::stguard alone never need libcurl.
if(TARGET stguard_remote)
  install(TARGETS stguard_remote EXPORT stguardRemoteTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT stguardRemoteTargets NAMESPACE stguard:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)
  set(STGUARD_WITH_REMOTE ON)
else()
  set(STGUARD_WITH_REMOTE OFF)
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/stguardConfig.cmake.in
  ${PROJECT_BINARY_DIR}/stguardConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stguardConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/stguardConfig.cmake ${PROJECT_BINARY_DIR}/stguardConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)

# Relocatable: the prefix is found from the .pc file's own place, so
# `cmake --install --prefix DIR` works without reconfiguring.
file(RELATIVE_PATH STGUARD_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/stguard.pc.in ${PROJECT_BINARY_DIR}/stguard.pc @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/cmake/stguard-c.pc.in ${PROJECT_BINARY_DIR}/stguard-c.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/stguard.pc ${PROJECT_BINARY_DIR}/stguard-c.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
