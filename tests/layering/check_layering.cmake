# check_layering.cmake - fails (FATAL_ERROR) if a file of runtime/ breaks a layering rule.
#   cmake -DROOT=<repo>/runtime -P check_layering.cmake
#
# Layers, bottom up: core (task, scheduler, timers, sync, cancellation) <- io (the IO-object layer
# and the backends, signals, foreign descriptors) <- net, fs <- process (child processes, whose
# stdio are net streams), http. A layer includes only its own and lower layers' headers:
#   - core includes no net/, fs/, http/ header (public corio/... or private "net/...", ...);
#   - io includes no scheduler header (corio/detail/scheduler.hpp) and no net/, fs/, http/ header:
#     the backends hand completions back, they never call the scheduler;
#   - fs and net do not include each other, and neither includes http;
#   - nothing under src/http calls ::recv or ::send: corio::http reads and writes through corio::net.
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<runtime dir> -P check_layering.cmake")
endif()

set(violations "")

# forbid(<glob list var> <regex> <rule text>)
function(forbid files_var regex rule)
  foreach(f IN LISTS ${files_var})
    file(STRINGS "${f}" lines REGEX "${regex}")
    foreach(l IN LISTS lines)
      file(RELATIVE_PATH rel "${ROOT}" "${f}")
      string(STRIP "${l}" l)
      list(APPEND violations "${rel}: ${l}   (${rule})")
    endforeach()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

set(inc "^[ \t]*#[ \t]*include[ \t]*[<\"]")

# core: the top-level public headers (minus the umbrellas that exist to gather every layer),
# detail/, sync/, and src/core.
file(GLOB core_files ${ROOT}/include/corio/*.hpp ${ROOT}/include/corio/detail/*.hpp
     ${ROOT}/include/corio/sync/*.hpp ${ROOT}/src/core/*.cpp ${ROOT}/src/core/*.hpp)
list(FILTER core_files EXCLUDE REGEX "/corio/(corio|net|fs)\\.hpp$")
forbid(core_files "${inc}(corio/)?(net|fs|http)/" "core must not include net, fs or http")

file(GLOB_RECURSE io_files ${ROOT}/include/corio/io/*.hpp ${ROOT}/src/io/*.cpp ${ROOT}/src/io/*.hpp)
forbid(io_files "${inc}corio/detail/scheduler\\.hpp" "io must not include the scheduler")
forbid(io_files "${inc}(corio/)?(net|fs|http)/" "io must not include net, fs or http")

file(GLOB_RECURSE fs_files ${ROOT}/include/corio/fs/*.hpp ${ROOT}/src/fs/*.cpp ${ROOT}/src/fs/*.hpp)
forbid(fs_files "${inc}(corio/)?(net|http)/" "fs must not include net or http")

file(GLOB_RECURSE net_files ${ROOT}/include/corio/net/*.hpp ${ROOT}/src/net/*.cpp ${ROOT}/src/net/*.hpp)
forbid(net_files "${inc}(corio/)?(fs|http)/" "net must not include fs or http")

file(GLOB_RECURSE process_files ${ROOT}/include/corio/process/*.hpp ${ROOT}/src/process/*.cpp)
forbid(process_files "${inc}(corio/)?(fs|http)/" "process must not include fs or http")

file(GLOB_RECURSE http_files ${ROOT}/src/http/*.cpp ${ROOT}/src/http/*.hpp)
forbid(http_files "::(recv|send)[ \t]*\\(" "corio::http does its IO through corio::net")

foreach(v core_files io_files fs_files net_files process_files http_files)
  list(LENGTH ${v} n)
  if(n EQUAL 0)
    list(APPEND violations "no files matched for ${v}: is ROOT (${ROOT}) the runtime directory?")
  endif()
endforeach()

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layering violations:\n  ${text}")
endif()
message(STATUS "layering holds")
