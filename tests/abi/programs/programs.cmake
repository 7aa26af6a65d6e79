# The embedder programs, end to end (included by tests/abi/CMakeLists.txt). Each is a 2.2.5-style
# server driven over 127.0.0.1 by a script under e2e/ (curl and e2e/embedder_client.py):
#
#   abi-embedder-demo       c-examples/embedder.c, the README's demo server (e2e/embedder_e2e.sh)
#   abi-embedder-load       the same under bounded h2load --h1 / wrk runs (e2e/embedder_load.sh)
#   abi-embedder-stream     programs/stream_backpressure.c (e2e/embedder_stream.sh)
#   abi-embedder-post       programs/post_echo.c (e2e/embedder_post.sh)
#   abi-embedder-headers    programs/header_inspect.c (e2e/embedder_headers.sh)
#   abi-embedder-source     source/embedder.c, also compiled alone by abi-source-embedder* (e2e/embedder_source.sh)
#
# Each program is built twice and run three times, with the same script:
#   abi-embedder-<name>          built against our installed headers and library, run on ours
#                                (its build is the test abi-embedder-<name>-build, so a symbol our
#                                library lacks fails that program's tests, not the whole build)
#   abi-embedder-<name>-relink   built against Debian's headers and library, run on ours (LD_LIBRARY_PATH)
#   abi-embedder-<name>-debian   the same binary on Debian's libh2o-evloop 2.2.5: proves the test itself
# The scripts check in /proc/PID/maps which library the server mapped. With VALGRIND, the runs on
# our library are repeated under memcheck (abi-embedder-<name>[-relink]-valgrind: errors or definite
# leaks make the server's exit status, which the script checks, non-zero).
#
# With H2C, the same three runs over HTTP/2 (E2E_PROTO=h2c: prior knowledge and Upgrade: h2c, the
# HTTP/2 counterparts of HTTP/1-only checks; see embedder_lib.sh), label h2:
#   abi-embedder-<name>-h2c, abi-embedder-<name>-relink-h2c, abi-embedder-<name>-debian-h2c
# (on our library skipped, pending, while it does not export h2o_http2_accept / _handle_upgrade).
#
# REQUIRES names symbols a program needs that our library may not export yet (work of another
# issue): while one is missing, the tests running on our library are skipped with a message naming
# it (the -debian run still runs); they run by themselves once the symbol is there.

find_package(OpenSSL QUIET)
set(_abi_prog_dir ${CMAKE_CURRENT_LIST_DIR})
set(_abi_e2e_dir ${CMAKE_CURRENT_LIST_DIR}/../e2e)

function(_abi_prog_common tgt ssl)
  target_include_directories(${tgt} PRIVATE ${_abi_prog_dir})
  target_compile_definitions(${tgt} PRIVATE H2O_USE_LIBUV=0)
  set_target_properties(${tgt} PROPERTIES C_STANDARD 11 C_EXTENSIONS ON)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${tgt} PRIVATE -g -Wall -Wextra -Wno-missing-field-initializers)
  endif()
  if(ssl)
    target_link_libraries(${tgt} PRIVATE OpenSSL::SSL OpenSSL::Crypto)
  endif()
endfunction()

# abi_embedder_program(NAME SOURCE SCRIPT [SSL] [VALGRIND] [H2C] [REQUIRES symbols...] [ARGS script arguments after EXPECT...])
function(abi_embedder_program name src script)
  cmake_parse_arguments(P "SSL;VALGRIND;H2C" "" "ARGS;REQUIRES" ${ARGN})
  set(vg_wrapper "E2E_WRAPPER=${VALGRIND_EXECUTABLE} -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite")
  string(REPLACE ";" " " requires "${P_REQUIRES}")
  set(run ${CMAKE_COMMAND} -E env "E2E_REQUIRES=${requires}" ${ABI_BASH} ${_abi_e2e_dir}/${script})
  set(run_h2c ${CMAKE_COMMAND} -E env "E2E_REQUIRES=${requires}" E2E_PROTO=h2c ${ABI_BASH} ${_abi_e2e_dir}/${script})
  set(work ${CMAKE_CURRENT_BINARY_DIR}/embedder-${name})
  set(variants "" -relink -debian)
  if(P_H2C)
    list(APPEND variants -h2c -relink-h2c -debian-h2c)
  endif()
  if(P_SSL AND NOT OPENSSL_FOUND)
    foreach(t IN LISTS variants)
      abi_skip_test(abi-embedder-${name}${t} "OpenSSL development files not found (apt-get install libssl-dev)")
    endforeach()
    return()
  endif()

  set(tgt abi-embedder-${name}-ours)
  add_executable(${tgt} EXCLUDE_FROM_ALL ${src})
  _abi_prog_common(${tgt} "${P_SSL}")
  target_link_libraries(${tgt} PRIVATE h2o::h2o-evloop)
  # (with REQUIRES: skipped while our library lacks one of those symbols)
  add_test(NAME abi-embedder-${name}-build
           COMMAND ${ABI_BASH} -c "for s in $0; do [ \"$s\" = - ] || nm -D --defined-only \"$1\" | grep -w -- \"$s\" >/dev/null || \
{ echo \"SKIPPED: our library does not export $s yet (pending)\"; exit 77; }; done; \"$2\" --build \"$3\" --target \"$4\""
                   "- ${requires}" ${_abi_loc} ${CMAKE_COMMAND} ${CMAKE_BINARY_DIR} ${tgt})
  set_tests_properties(abi-embedder-${name}-build PROPERTIES LABELS "abi;e2e" FIXTURES_SETUP abi-embedder-${name}
                                                             RESOURCE_LOCK build-tree SKIP_RETURN_CODE 77)
  add_test(NAME abi-embedder-${name} COMMAND ${run} $<TARGET_FILE:${tgt}> ${work}-ours ${ABI_OUR_LIBDIR} ${P_ARGS})
  set_tests_properties(abi-embedder-${name} PROPERTIES LABELS "abi;e2e" SKIP_RETURN_CODE 77 TIMEOUT 120
                                                       FIXTURES_REQUIRED abi-embedder-${name})
  if(P_H2C)
    add_test(NAME abi-embedder-${name}-h2c COMMAND ${run_h2c} $<TARGET_FILE:${tgt}> ${work}-ours-h2c ${ABI_OUR_LIBDIR} ${P_ARGS})
    set_tests_properties(abi-embedder-${name}-h2c PROPERTIES LABELS "abi;e2e;h2" SKIP_RETURN_CODE 77 TIMEOUT 120
                                                             FIXTURES_REQUIRED abi-embedder-${name})
  endif()
  if(P_VALGRIND AND VALGRIND_EXECUTABLE)
    add_test(NAME abi-embedder-${name}-valgrind
             COMMAND ${CMAKE_COMMAND} -E env ${vg_wrapper} ${run} $<TARGET_FILE:${tgt}> ${work}-ours-valgrind ${ABI_OUR_LIBDIR} ${P_ARGS})
    set_tests_properties(abi-embedder-${name}-valgrind PROPERTIES LABELS "abi;e2e;valgrind" SKIP_RETURN_CODE 77 TIMEOUT 300
                                                                FIXTURES_REQUIRED abi-embedder-${name})
  elseif(P_VALGRIND)
    abi_skip_test(abi-embedder-${name}-valgrind "valgrind not found")
  endif()

  if(ABI_HAVE_DEBIAN)
    set(tgt abi-embedder-${name}-relink)
    add_executable(${tgt} ${src})
    _abi_prog_common(${tgt} "${P_SSL}")
    target_include_directories(${tgt} BEFORE PRIVATE ${DEBIAN_H2O_INCLUDEDIR})
    target_link_libraries(${tgt} PRIVATE "${DEBIAN_H2O_LIB}")
    set_target_properties(${tgt} PROPERTIES SKIP_BUILD_RPATH ON)
    add_test(NAME abi-embedder-${name}-relink COMMAND ${run} $<TARGET_FILE:${tgt}> ${work}-relink ${ABI_OUR_LIBDIR} ${P_ARGS})
    set_tests_properties(abi-embedder-${name}-relink PROPERTIES LABELS "abi;e2e;relink" SKIP_RETURN_CODE 77 TIMEOUT 120
                                                              ENVIRONMENT "LD_LIBRARY_PATH=${ABI_OUR_LIBDIR}")
    add_test(NAME abi-embedder-${name}-debian COMMAND ${run} $<TARGET_FILE:${tgt}> ${work}-debian debian ${P_ARGS})
    set_tests_properties(abi-embedder-${name}-debian PROPERTIES LABELS "abi;e2e;relink" SKIP_RETURN_CODE 77 TIMEOUT 120)
    if(P_H2C)
      add_test(NAME abi-embedder-${name}-relink-h2c COMMAND ${run_h2c} $<TARGET_FILE:${tgt}> ${work}-relink-h2c ${ABI_OUR_LIBDIR} ${P_ARGS})
      set_tests_properties(abi-embedder-${name}-relink-h2c PROPERTIES LABELS "abi;e2e;relink;h2" SKIP_RETURN_CODE 77 TIMEOUT 120
                                                                    ENVIRONMENT "LD_LIBRARY_PATH=${ABI_OUR_LIBDIR}")
      add_test(NAME abi-embedder-${name}-debian-h2c COMMAND ${run_h2c} $<TARGET_FILE:${tgt}> ${work}-debian-h2c debian ${P_ARGS})
      set_tests_properties(abi-embedder-${name}-debian-h2c PROPERTIES LABELS "abi;e2e;relink;h2" SKIP_RETURN_CODE 77 TIMEOUT 120)
    endif()
    if(P_VALGRIND AND VALGRIND_EXECUTABLE)
      add_test(NAME abi-embedder-${name}-relink-valgrind
               COMMAND ${CMAKE_COMMAND} -E env ${vg_wrapper} "LD_LIBRARY_PATH=${ABI_OUR_LIBDIR}"
                       ${run} $<TARGET_FILE:${tgt}> ${work}-relink-valgrind ${ABI_OUR_LIBDIR} ${P_ARGS})
      set_tests_properties(abi-embedder-${name}-relink-valgrind PROPERTIES LABELS "abi;e2e;relink;valgrind"
                                                                         SKIP_RETURN_CODE 77 TIMEOUT 300)
    elseif(P_VALGRIND)
      abi_skip_test(abi-embedder-${name}-relink-valgrind "valgrind not found")
    endif()
  else()
    foreach(t IN LISTS variants)
      if(t MATCHES "^-(relink|debian)")
        abi_skip_test(abi-embedder-${name}${t} "${ABI_NO_DEBIAN_WHY}")
      endif()
    endforeach()
  endif()
endfunction()

abi_embedder_program(demo ${H2O_RS_SOURCE_DIR}/c-examples/embedder.c embedder_e2e.sh VALGRIND H2C
                     REQUIRES h2o_http2_debug_state_register ARGS ${H2O_RS_SOURCE_DIR}/c-examples/site)
abi_embedder_program(load ${H2O_RS_SOURCE_DIR}/c-examples/embedder.c embedder_load.sh H2C
                     REQUIRES h2o_http2_debug_state_register ARGS ${H2O_RS_SOURCE_DIR}/c-examples/site)
abi_embedder_program(stream ${_abi_prog_dir}/stream_backpressure.c embedder_stream.sh H2C)
abi_embedder_program(post ${_abi_prog_dir}/post_echo.c embedder_post.sh H2C)
abi_embedder_program(headers ${_abi_prog_dir}/header_inspect.c embedder_headers.sh H2C)
abi_embedder_program(source ${_abi_prog_dir}/../source/embedder.c embedder_source.sh SSL H2C)
