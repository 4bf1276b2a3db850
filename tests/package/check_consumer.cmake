# Script for the package tests (tests/package/CMakeLists.txt says which test runs which mode).
#
#   MODE=install (default)  install BUILD_DIR into a scratch prefix; configure, build and run the
#                           consumer (find_package(corio COMPONENTS http)); compile and run it again
#                           with pkg-config (corio-http.pc, which requires corio.pc) and a core-only
#                           program with corio.pc; check the installed tools (TOOLS) run from
#                           outside the source tree and corio-scaling finds its installed script.
#                           SHARED=ON: corio was built with BUILD_SHARED_LIBS, the consumers must
#                           link libcorio.so (readelf -d); else pkg-config --static is used.
#   MODE=subdir             configure a consumer that add_subdirectory()s CORIO_SOURCE_DIR, build, run.
#   MODE=shared             build the libraries of CORIO_SOURCE_DIR as shared libraries (no tests,
#                           benchmarks or demos), then MODE=install against them; then reconfigure
#                           that build with -DCORIO_WITH_HTTP=OFF (nothing recompiles), install it
#                           into a second prefix, and check that the consumer's configure fails
#                           there with the package's message about the missing http component.
cmake_minimum_required(VERSION 3.25)  # policies of the project (IN_LIST) in this -P script
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
if(NOT MODE)
  set(MODE install)
endif()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

function(check_consumer_output exe)
  run(${CMAKE_COMMAND} -E env "LD_LIBRARY_PATH=${lib_path}" ${exe})
  if(NOT last_output MATCHES "fetched 3 pages of example.com")
    message(FATAL_ERROR "unexpected output of ${exe}: ${last_output}")
  endif()
  message(STATUS "${exe}: ${last_output}")
endfunction()

# A dynamically linked ${exe} needs libcorio.so.<SOVERSION> (and libcorio_http's if asked).
function(check_needed exe)
  find_program(READELF readelf REQUIRED)
  run(${READELF} -d ${exe})
  foreach(lib IN LISTS ARGN)
    if(NOT last_output MATCHES "NEEDED[^\n]*\\[${lib}\\.so\\.[0-9]+\\.[0-9]+\\]")
      message(FATAL_ERROR "${exe} does not link ${lib}.so.<major>.<minor>:\n${last_output}")
    endif()
  endforeach()
  message(STATUS "${exe} links: ${ARGN} (shared)")
endfunction()

# The installed package at ${prefix}: CMake consumer, pkg-config consumers, tools.
function(check_install prefix)
  set(lib_path ${prefix}/lib)
  set(build ${WORK_DIR}/consumer-cmake)
  run(${CMAKE_COMMAND} -S ${CONSUMER_SRC} -B ${build} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${build})
  check_consumer_output(${build}/consumer)
  if(SHARED)
    check_needed(${build}/consumer libcorio libcorio_http)
  endif()

  # pkg-config, as a Makefile would use it: c++ -std=c++20 main.cpp $(pkg-config --cflags --libs ...)
  find_program(PKG_CONFIG pkg-config REQUIRED)
  set(static "")
  if(NOT SHARED)
    set(static --static)  # libcorio.a needs its private dependencies (liburing, libhttp_parser)
  endif()
  file(GLOB pc_files ${prefix}/lib*/pkgconfig/corio.pc ${prefix}/lib*/*/pkgconfig/corio.pc)
  list(GET pc_files 0 pc_file)
  get_filename_component(pc_dir ${pc_file} DIRECTORY)
  set(core_src ${WORK_DIR}/core_only.cpp)
  file(WRITE ${core_src} [=[
// A corio.pc consumer: the core only; the library binary is the version of the headers.
#include <corio/corio.hpp>
#include <cstdio>
#include <string>
int main() {
  corio::runtime rt;
  int v = rt.block_on([]() -> corio::task<int> { co_await corio::yield(); co_return 42; }());
  std::printf("core-only: %d on %s, corio %s\n", v, corio::to_string(rt.backend()), corio::version());
  return v == 42 && std::string(corio::version()) == CORIO_VERSION_STRING ? 0 : 1;
}
]=])
  foreach(pkg_src IN ITEMS "corio-http|${CONSUMER_SRC}/main.cpp|consumer-pc" "corio|${core_src}|core-pc")
    string(REPLACE "|" ";" pkg_src "${pkg_src}")
    list(GET pkg_src 0 pkg)
    list(GET pkg_src 1 src)
    list(GET pkg_src 2 exe)
    run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pc_dir} ${PKG_CONFIG} ${static} --cflags --libs ${pkg})
    string(STRIP "${last_output}" flags)
    message(STATUS "pkg-config ${static} --cflags --libs ${pkg}: ${flags}")
    separate_arguments(flags UNIX_COMMAND "${flags}")
    run(${CXX} -std=c++20 ${src} ${flags} -o ${WORK_DIR}/${exe})
    if(pkg STREQUAL "corio")
      run(${CMAKE_COMMAND} -E env "LD_LIBRARY_PATH=${lib_path}" ${WORK_DIR}/${exe})
      message(STATUS "${exe}: ${last_output}")
    else()
      check_consumer_output(${WORK_DIR}/${exe})
    endif()
    if(SHARED)
      check_needed(${WORK_DIR}/${exe} libcorio)
    endif()
  endforeach()

  # The tools, run from a directory outside the source tree (no bench/scripts below it).
  string(REPLACE "," ";" tools "${TOOLS}")
  set(run_dir ${WORK_DIR}/run)
  file(MAKE_DIRECTORY ${run_dir})
  foreach(tool IN LISTS tools)
    if(NOT EXISTS ${prefix}/bin/${tool})
      message(FATAL_ERROR "${tool} is not installed in ${prefix}/bin")
    endif()
  endforeach()
  if("corio-bench" IN_LIST tools)
    # corio-asio: runs where the kernel refuses io_uring too (a seccomp profile in CI).
    execute_process(COMMAND ${prefix}/bin/corio-bench spawn --tasks 1000 --runs 1 --impl corio-asio
                    WORKING_DIRECTORY ${run_dir}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "\"bench\":\"spawn\"")
      message(FATAL_ERROR "installed corio-bench spawn failed (${rc}):\n${out}\n${err}")
    endif()
  endif()
  if("corio-scaling" IN_LIST tools)
    # corio-scaling finds plot-scaling.sh under the prefix's share/corio, not in the source tree.
    set(plot "")
    find_program(GNUPLOT gnuplot)
    if(GNUPLOT)
      set(plot --plot ${run_dir}/charts)
    endif()
    execute_process(COMMAND ${prefix}/bin/corio-scaling --models sequential --n 10 --sleep-ms 1 --json s.jsonl ${plot}
                    WORKING_DIRECTORY ${run_dir} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    string(REGEX REPLACE "([][+.*()^$?|])" "\\\\\\1" prefix_re "${prefix}")
    if(NOT rc EQUAL 0 OR NOT out MATCHES "charts: [^\n]*${prefix_re}/bin/[^\n]*/share/corio/bench/scripts/plot-scaling.sh")
      message(FATAL_ERROR "installed corio-scaling did not use its installed plot script (${rc}):\n${out}\n${err}")
    endif()
    if(GNUPLOT AND NOT EXISTS ${run_dir}/charts/scaling-wall.svg)
      message(FATAL_ERROR "installed corio-scaling --plot drew no chart:\n${out}\n${err}")
    endif()
  endif()
  if(tools)
    message(STATUS "installed tools run from ${run_dir}: ${TOOLS}")
  endif()
endfunction()

# docs/getting-started.md, followed literally: its ```<lang> file=NAME blocks are written into an
# empty directory, built against the installed package at ${prefix}, and the server is driven by
# DRIVER (tests/package/drive_getting_started.cpp: echo, SIGTERM, drain, exit 0).
function(check_getting_started prefix)
  set(dir ${WORK_DIR}/getting-started)
  file(MAKE_DIRECTORY ${dir})
  file(READ ${GETTING_STARTED} content)
  string(REPLACE ";" "@SEMI@" content "${content}")
  string(REGEX MATCHALL "```[a-z]+ file=[^\n]+\n[^`]*```" blocks "${content}")
  set(files "")
  foreach(block IN LISTS blocks)
    string(REGEX MATCH "^```[a-z]+ file=([^\n]+)\n" head "${block}")
    set(name ${CMAKE_MATCH_1})
    string(REGEX REPLACE "^```[^\n]*\n" "" code "${block}")
    string(REGEX REPLACE "```$" "" code "${code}")
    string(REPLACE "@SEMI@" ";" code "${code}")
    file(WRITE ${dir}/${name} "${code}")
    list(APPEND files ${name})
  endforeach()
  if(NOT "CMakeLists.txt" IN_LIST files OR NOT "main.cpp" IN_LIST files)
    message(FATAL_ERROR "${GETTING_STARTED} has no file=CMakeLists.txt and file=main.cpp blocks (found: ${files})")
  endif()
  run(${CMAKE_COMMAND} -S ${dir} -B ${dir}/build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${dir}/build)
  run(${CMAKE_COMMAND} -E env "LD_LIBRARY_PATH=${prefix}/lib" ${DRIVER} ${dir}/build/echo)
  message(STATUS "docs/getting-started.md, built from the page and driven:\n${last_output}")
endfunction()

if(MODE STREQUAL "subdir")
  # add_subdirectory(<corio source>): corio's tests, benchmarks and demos stay off (not top level).
  run(${CMAKE_COMMAND} -S ${CONSUMER_SRC} -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCORIO_SOURCE_DIR=${CORIO_SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build --target consumer)
  check_consumer_output(${WORK_DIR}/build/consumer)
elseif(MODE STREQUAL "shared")
  set(corio_build ${WORK_DIR}/corio)
  run(${CMAKE_COMMAND} -S ${CORIO_SOURCE_DIR} -B ${corio_build} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_BUILD_TYPE=Release
      -DBUILD_SHARED_LIBS=ON -DCORIO_INSTALL=ON
      -DCORIO_BUILD_TESTS=OFF -DCORIO_BUILD_BENCH=OFF -DCORIO_BUILD_DEMOS=OFF)
  run(${CMAKE_COMMAND} --build ${corio_build})
  run(${CMAKE_COMMAND} --install ${corio_build} --prefix ${WORK_DIR}/prefix)
  set(SHARED ON)
  set(TOOLS "")
  check_install(${WORK_DIR}/prefix)

  # The same libraries without corio::http: the package must refuse COMPONENTS http, clearly.
  run(${CMAKE_COMMAND} -S ${CORIO_SOURCE_DIR} -B ${corio_build} -DCORIO_WITH_HTTP=OFF)
  run(${CMAKE_COMMAND} --build ${corio_build})
  run(${CMAKE_COMMAND} --install ${corio_build} --prefix ${WORK_DIR}/prefix-nohttp)
  if(EXISTS ${WORK_DIR}/prefix-nohttp/lib/pkgconfig/corio-http.pc)
    message(FATAL_ERROR "a corio built without HTTP installed corio-http.pc")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SRC} -B ${WORK_DIR}/consumer-nohttp -G ${GENERATOR}
                          -DCMAKE_CXX_COMPILER=${CXX}
                          -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix-nohttp
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX REPLACE "[ \t\r\n]+" " " said "${out} ${err}")  # CMake wraps long messages
  if(rc EQUAL 0)
    message(FATAL_ERROR "find_package(corio COMPONENTS http) succeeded against a corio built without HTTP:\n${out}\n${err}")
  endif()
  if(NOT said MATCHES "was built without its http component \\(corio::http, CORIO_WITH_HTTP=OFF\\)")
    message(FATAL_ERROR "find_package(corio COMPONENTS http) failed without the expected message:\n${out}\n${err}")
  endif()
  message(STATUS "without HTTP, find_package(corio COMPONENTS http) fails as it should:\n${err}")
else()
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
  check_install(${WORK_DIR}/prefix)
  if(GETTING_STARTED)
    check_getting_started(${WORK_DIR}/prefix)
  endif()
endif()
