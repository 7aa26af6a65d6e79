# Runs cargo for libh2o-rs and stages the artifacts under their installed names.
# Invoked at build time by the `h2o_rs_cargo` target (see ../CMakeLists.txt) as
#   cmake -DCARGO=... -DMANIFEST_DIR=... -DCARGO_TARGET_DIR=... -DLOCKED=ON|OFF -DSTAGE_DIR=...
#         -DREAL_NAME=... -DSONAME=... -DLINK_NAME=... -DSTATIC_NAME=... -P CargoBuild.cmake
#
# The cargo command is `cargo build --release --lib` spelled as `cargo rustc --release --lib`, so
# that the final crate (only it) also gets `--print native-static-libs=FILE`: the system libraries a
# static link of libh2o-evloop.a needs, for Libs.private in the .pc and the static imported target.
# rustc writes that file only when it actually compiles the crate, so it is kept inside the cargo
# target dir next to the artifacts it describes; if it is missing while cargo considers the crate
# fresh, the crate is cleaned once and rebuilt.

foreach(v CARGO MANIFEST_DIR CARGO_TARGET_DIR STAGE_DIR REAL_NAME SONAME LINK_NAME STATIC_NAME)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "CargoBuild.cmake: ${v} is not set")
  endif()
endforeach()

set(ENV{CARGO_TARGET_DIR} "${CARGO_TARGET_DIR}")
set(out "${CARGO_TARGET_DIR}/release")
set(native_libs_file "${out}/h2o-rs-native-static-libs.txt")

set(cargo_args rustc --release --lib --manifest-path "${MANIFEST_DIR}/Cargo.toml")
if(LOCKED)
  list(APPEND cargo_args --locked)
endif()
list(APPEND cargo_args -- --print "native-static-libs=${native_libs_file}")

function(run_cargo)
  execute_process(COMMAND "${CARGO}" ${cargo_args} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cargo failed (${rc}): ${CARGO} ${cargo_args}")
  endif()
endfunction()

run_cargo()
if(NOT EXISTS "${native_libs_file}")
  message(STATUS "native-static-libs list missing; rebuilding the libh2o-rs crate once")
  execute_process(COMMAND "${CARGO}" clean --release -p libh2o-rs --manifest-path "${MANIFEST_DIR}/Cargo.toml"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cargo clean failed (${rc})")
  endif()
  run_cargo()
  if(NOT EXISTS "${native_libs_file}")
    message(FATAL_ERROR "rustc did not write ${native_libs_file}")
  endif()
endif()

file(MAKE_DIRECTORY "${STAGE_DIR}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${out}/libh2o_rs.so" "${STAGE_DIR}/${REAL_NAME}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${out}/libh2o_rs.a" "${STAGE_DIR}/${STATIC_NAME}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${native_libs_file}" "${STAGE_DIR}/native-static-libs.txt")
execute_process(COMMAND "${CMAKE_COMMAND}" -E create_symlink "${REAL_NAME}" "${STAGE_DIR}/${SONAME}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E create_symlink "${SONAME}" "${STAGE_DIR}/${LINK_NAME}")
foreach(f "${REAL_NAME}" "${STATIC_NAME}" native-static-libs.txt "${SONAME}" "${LINK_NAME}")
  if(NOT EXISTS "${STAGE_DIR}/${f}")
    message(FATAL_ERROR "staging ${STAGE_DIR}/${f} failed")
  endif()
endforeach()
