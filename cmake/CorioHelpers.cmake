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
