// corio/version.hpp: the library binary, the headers and CMake's project(VERSION) agree.
#include <doctest/doctest.h>

#include <corio/corio.hpp>  // the umbrella includes corio/version.hpp

#include <string>

#ifndef CORIO_TEST_PROJECT_VERSION
#error "tests/core/CMakeLists.txt passes PROJECT_VERSION as CORIO_TEST_PROJECT_VERSION"
#endif

TEST_CASE("version: corio::version() is the header's CORIO_VERSION_STRING and CMake's PROJECT_VERSION") {
  CHECK(std::string(corio::version()) == CORIO_VERSION_STRING);
  CHECK(std::string(CORIO_VERSION_STRING) == CORIO_TEST_PROJECT_VERSION);
  CHECK(corio::version_major() == CORIO_VERSION_MAJOR);
  CHECK(corio::version_minor() == CORIO_VERSION_MINOR);
  CHECK(corio::version_patch() == CORIO_VERSION_PATCH);
  std::string parts = std::to_string(CORIO_VERSION_MAJOR) + "." + std::to_string(CORIO_VERSION_MINOR) + "." +
                      std::to_string(CORIO_VERSION_PATCH);
  CHECK(parts == CORIO_VERSION_STRING);
  CHECK(CORIO_VERSION == CORIO_VERSION_MAJOR * 10000 + CORIO_VERSION_MINOR * 100 + CORIO_VERSION_PATCH);
}
