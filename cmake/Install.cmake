# Installation: headers, the library, a CMake package (find_package(stguard
# CONFIG) gives stguard::stguard) and a pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS stguard EXPORT stguardTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/stguard DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT stguardTargets NAMESPACE stguard:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/stguardConfig.cmake.in
  ${PROJECT_BINARY_DIR}/stguardConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stguardConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/stguardConfig.cmake ${PROJECT_BINARY_DIR}/stguardConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/stguard)

configure_file(${PROJECT_SOURCE_DIR}/cmake/stguard.pc.in ${PROJECT_BINARY_DIR}/stguard.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/stguard.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
