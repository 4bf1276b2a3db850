# FindAsio: locates standalone (non-Boost) Asio, header-only (Debian: libasio-dev), and defines the
# imported target Asio::Asio. Sets Asio_FOUND and Asio_VERSION.
find_path(Asio_INCLUDE_DIR asio.hpp PATH_SUFFIXES include)
if(Asio_INCLUDE_DIR AND EXISTS "${Asio_INCLUDE_DIR}/asio/version.hpp")
  file(STRINGS "${Asio_INCLUDE_DIR}/asio/version.hpp" _asio_ver REGEX "#define ASIO_VERSION ")
  string(REGEX MATCH "[0-9]+" _asio_num "${_asio_ver}")
  math(EXPR _maj "${_asio_num} / 100000")
  math(EXPR _min "${_asio_num} / 100 % 1000")
  math(EXPR _sub "${_asio_num} % 100")
  set(Asio_VERSION "${_maj}.${_min}.${_sub}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Asio
  REQUIRED_VARS Asio_INCLUDE_DIR
  VERSION_VAR Asio_VERSION
  REASON_FAILURE_MESSAGE "standalone Asio was not found: install the Debian package libasio-dev (or configure with -DCORIO_WITH_ASIO=OFF)")
if(Asio_FOUND AND NOT TARGET Asio::Asio)
  find_package(Threads REQUIRED)
  add_library(Asio::Asio INTERFACE IMPORTED)
  set_target_properties(Asio::Asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${Asio_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE;ASIO_NO_DEPRECATED"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(Asio_INCLUDE_DIR)
