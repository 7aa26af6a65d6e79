# Install-time generation of libh2o-evloop.pc and h2o-evloopConfig.cmake (run by `cmake --install`).
# Generated here rather than at configure time because the prefix is only final at install time
# (`cmake --install build --prefix P`) and the native-static-libs list only exists after the build.
# Variables (set by ../CMakeLists.txt through install(CODE)): H2O_RS_SOURCE_DIR, H2O_RS_STAGE_DIR,
# H2O_RS_GEN_DIR, H2O_RS_VERSION, H2O_RS_LIBDIR, H2O_RS_INCLUDEDIR, H2O_RS_REAL_NAME,
# H2O_RS_SONAME, H2O_RS_STATIC_NAME.

set(native_libs_file "${H2O_RS_STAGE_DIR}/native-static-libs.txt")
if(NOT EXISTS "${native_libs_file}")
  message(FATAL_ERROR "${native_libs_file} is missing: build the project before installing it")
endif()
file(READ "${native_libs_file}" H2O_RS_NATIVE_STATIC_LIBS)
string(STRIP "${H2O_RS_NATIVE_STATIC_LIBS}" H2O_RS_NATIVE_STATIC_LIBS)

# "-lgcc_s -lutil ..." -> CMake list "gcc_s;util;..." (other flags are kept as they are).
separate_arguments(_flags UNIX_COMMAND "${H2O_RS_NATIVE_STATIC_LIBS}")
set(H2O_RS_NATIVE_STATIC_LIBS_CMAKE "")
foreach(f IN LISTS _flags)
  if(f MATCHES "^-l(.+)$")
    list(APPEND H2O_RS_NATIVE_STATIC_LIBS_CMAKE "${CMAKE_MATCH_1}")
  else()
    list(APPEND H2O_RS_NATIVE_STATIC_LIBS_CMAKE "${f}")
  endif()
endforeach()

# Absolute dirs for the .pc; paths relative to the config file's directory for the CMake package,
# so a DESTDIR-staged or moved install still works.
# `cmake --install build --prefix relative/dir` passes the prefix as given: make it absolute (relative
# to the directory cmake --install runs in, as file(INSTALL) treats it) before deriving paths from it.
get_filename_component(H2O_RS_PREFIX "${CMAKE_INSTALL_PREFIX}" ABSOLUTE)
foreach(d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${H2O_RS_${d}}")
    set(H2O_RS_FULL_${d} "${H2O_RS_${d}}")
  else()
    set(H2O_RS_FULL_${d} "${H2O_RS_PREFIX}/${H2O_RS_${d}}")
  endif()
endforeach()
set(H2O_RS_CONFIG_DIR "${H2O_RS_FULL_LIBDIR}/cmake/h2o-evloop")
file(RELATIVE_PATH H2O_RS_REL_LIBDIR "${H2O_RS_CONFIG_DIR}" "${H2O_RS_FULL_LIBDIR}")
file(RELATIVE_PATH H2O_RS_REL_INCLUDEDIR "${H2O_RS_CONFIG_DIR}" "${H2O_RS_FULL_INCLUDEDIR}")
if(H2O_RS_REL_INCLUDEDIR STREQUAL "")
  set(H2O_RS_REL_INCLUDEDIR ".")
endif()

configure_file("${H2O_RS_SOURCE_DIR}/cmake/libh2o-evloop.pc.in" "${H2O_RS_GEN_DIR}/libh2o-evloop.pc" @ONLY)
configure_file("${H2O_RS_SOURCE_DIR}/cmake/h2o-evloopConfig.cmake.in" "${H2O_RS_GEN_DIR}/h2o-evloopConfig.cmake" @ONLY)

file(INSTALL DESTINATION "${H2O_RS_FULL_LIBDIR}/pkgconfig" TYPE FILE FILES "${H2O_RS_GEN_DIR}/libh2o-evloop.pc")
file(INSTALL DESTINATION "${H2O_RS_CONFIG_DIR}" TYPE FILE FILES "${H2O_RS_GEN_DIR}/h2o-evloopConfig.cmake")
