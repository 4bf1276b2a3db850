# Helpers shared by runtime/, bench/, demos/ and tests/.
#
# corio_build_options: an INTERFACE target every in-tree target links PRIVATEly. It carries warnings
# and, with CORIO_SANITIZE, AddressSanitizer + UndefinedBehaviorSanitizer. It is never exported, so
# an installed corio::corio does not impose sanitizers or warnings on its consumers.
add_library(corio_build_options INTERFACE)
target_compile_options(corio_build_options INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(CORIO_SANITIZE)
  target_compile_options(corio_build_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(corio_build_options INTERFACE -fsanitize=address,undefined)
endif()
if(CORIO_WERROR)
  target_compile_options(corio_build_options INTERFACE -Werror)
endif()

# corio_add_program(<name> SOURCES ... [LIBS ...]): a demo or benchmark executable.
function(corio_add_program name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} corio_build_options)
endfunction()

# Installed tools and their scripts (with CORIO_INSTALL): the programs go to ${CMAKE_INSTALL_BINDIR},
# the scripts that plot or drive them to ${CMAKE_INSTALL_DATADIR}/corio/<the same path as in the
# source tree>, e.g. share/corio/bench/scripts/plot-scaling.sh, so a tool looks a script up with the
# same relative path under the source tree (build tree) or under share/corio (install tree).
# CORIO_DATA_FROM_BINDIR is share/corio relative to the installed programs' directory (a program
# resolves it against /proc/self/exe, so the install prefix may be chosen at install time).
if(IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_DATADIR}")
  set(CORIO_DATA_FROM_BINDIR "${CMAKE_INSTALL_FULL_DATADIR}/corio")
else()
  file(RELATIVE_PATH CORIO_DATA_FROM_BINDIR /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_DATADIR}/corio)
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(_corio_rpath "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _corio_rpath /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
  set(_corio_rpath "$ORIGIN/${_corio_rpath}")
endif()
set(CORIO_TOOL_INSTALL_RPATH "${_corio_rpath}")
unset(_corio_rpath)

# corio_install_program(<target>): installs a tool; with BUILD_SHARED_LIBS it finds the installed
# libcorio*.so through its RUNPATH ($ORIGIN/../lib). The names of the installed tools are kept in
# the global property CORIO_INSTALLED_PROGRAMS (tests/package checks them).
function(corio_install_program name)
  if(NOT CORIO_INSTALL)
    return()
  endif()
  set_target_properties(${name} PROPERTIES INSTALL_RPATH "${CORIO_TOOL_INSTALL_RPATH}")
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  set_property(GLOBAL APPEND PROPERTY CORIO_INSTALLED_PROGRAMS ${name})
endfunction()

# corio_install_scripts(<files, relative to the current source dir>...): installs scripts, as
# executables, to share/corio/<their directory relative to the top of the source tree>.
function(corio_install_scripts)
  if(NOT CORIO_INSTALL)
    return()
  endif()
  foreach(f IN LISTS ARGN)
    get_filename_component(abs ${f} ABSOLUTE)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${abs})
    get_filename_component(dir ${rel} DIRECTORY)
    install(PROGRAMS ${abs} DESTINATION ${CMAKE_INSTALL_DATADIR}/corio/${dir})
  endforeach()
endfunction()
