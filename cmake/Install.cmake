# Installation: headers, the libraries, a CMake package and pkg-config files
# (stguard.pc, stguard-c.pc).
#   find_package(stguard CONFIG)                   stguard::stguard (links stguard::core),
#                                                  stguard::c, stguard::c_static; needs only Threads
#   find_package(stguard CONFIG COMPONENTS audit)  adds stguard::audit, and only then looks for
#                                                  OpenSSL, utf8proc and libyaml (its dependencies)
# The audit library has its own export file (stguardAuditTargets.cmake) so that
# the core package never names those dependencies.
include(CMakePackageConfigHelpers)

install(TARGETS stguard_core stguard stguard_c stguard_c_static EXPORT stguardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/stguard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT stguardTargets NAMESPACE stguard:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)
if(TARGET stguard_audit)
  install(TARGETS stguard_audit EXPORT stguardAuditTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/audit/include/stguard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT stguardAuditTargets NAMESPACE stguard:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)
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
