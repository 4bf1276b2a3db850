// task<T>: values and exceptions through nested tasks, laziness, ownership, deep chains.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <stdexcept>
#include <string>

#include "support/backends.hpp"
#include "support/counted.hpp"

using corio_test::counted;

namespace {
corio::task<int> value(int x) { co_return x; }
corio::task<int> add(int a, int b) { co_return co_await value(a) + co_await value(b); }
corio::task<int> thrower(std::string msg) {
  co_await value(0);
  throw std::runtime_error(msg);
}
corio::task<int> catches() {
  try {
    co_return co_await thrower("inner");
  } catch (const std::runtime_error& e) {
    co_return std::string(e.what()) == "inner" ? 42 : -1;
  }
}
}  // namespace

TEST_SUITE("task") {
  TEST_CASE_TEMPLATE("values flow through nested tasks", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.block_on(add(20, 22)) == 42);
  }

  TEST_CASE_TEMPLATE("exceptions propagate to the awaiter and to block_on", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.block_on(catches()) == 42);
    CHECK_THROWS_WITH_AS(rt.block_on(thrower("outer")), "outer", std::runtime_error);
  }
}
