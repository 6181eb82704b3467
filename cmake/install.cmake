# Install rules: `cmake --install build --prefix P` gives
#   P/include/tradewar.h
#   P/lib/libtradewar.so (+ soname link), P/lib/libtradewar.a
#   P/lib/pkgconfig/tradewar.pc                 (pkg-config --cflags --libs tradewar)
#   P/lib/cmake/tradewar/tradewarConfig*.cmake  (find_package(tradewar) -> tradewar::tradewar)
#   P/bin/tradewar and P/share/tradewar/{data,scenarios} when the program is built
#   P/share/doc/tradewar/ (README, CHANGELOG, LICENSE, docs, examples)
include(CMakePackageConfigHelpers)

install(FILES ${CMAKE_SOURCE_DIR}/include/tradewar.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tradewar_shared EXPORT tradewarTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tradewar_lib ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

# pkg-config: relocatable (prefix from the .pc file's own place), so that
# `--prefix P` at install time needs no reconfiguration. A static link
# (`pkg-config --static`) also gets the dependencies.
file(RELATIVE_PATH TW_PC_UP /tw-prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /tw-prefix)
string(REGEX REPLACE "/$" "" TW_PC_UP "${TW_PC_UP}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/tradewar.pc.in ${CMAKE_BINARY_DIR}/tradewar.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/tradewar.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: the shared library's dependencies are private, so the
# imported target needs nothing else to be found
set(TW_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tradewar)
install(EXPORT tradewarTargets NAMESPACE tradewar:: FILE tradewarTargets.cmake
        DESTINATION ${TW_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/tradewarConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/tradewarConfig.cmake INSTALL_DESTINATION ${TW_CMAKE_DIR})
# 0.x: only the same minor version is compatible
write_basic_package_version_file(${CMAKE_BINARY_DIR}/tradewarConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/tradewarConfig.cmake ${CMAKE_BINARY_DIR}/tradewarConfigVersion.cmake
        DESTINATION ${TW_CMAKE_DIR})

if(TARGET tradewar)
  install(TARGETS tradewar RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/data/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tradewar/data)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tradewar/scenarios)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/CHANGELOG.md ${CMAKE_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
