// task<T>: values and exceptions through nested tasks, laziness, ownership, deep chains.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <memory>
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
corio::task<void> void_task(int& out) {
  out = co_await value(7);
}
int global_int = 5;
corio::task<int&> ref_task() { co_return global_int; }
corio::task<std::unique_ptr<int>> move_only() { co_return std::make_unique<int>(9); }
corio::task<counted> make_counted(int id) { co_return counted{id}; }
corio::task<int> takes_counted(counted c) { co_return c.id; }

// A chain of `depth` tasks, each awaiting the next: depth frames are alive at once.
corio::task<long> recursive(long depth) {
  if (depth == 0) co_return 0;
  co_return 1 + co_await recursive(depth - 1);
}
// `n` sequential awaits of tasks that complete without suspending.
corio::task<long> sequential(long n) {
  long sum = 0;
  for (long i = 0; i < n; ++i) sum += co_await value(1);
  co_return sum;
}
}  // namespace

TEST_SUITE("task") {
  TEST_CASE_TEMPLATE("values flow through nested tasks", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.block_on(add(20, 22)) == 42);
    int out = 0;
    rt.block_on(void_task(out));
    CHECK(out == 7);
    CHECK(&rt.block_on(ref_task()) == &global_int);
    CHECK(*rt.block_on(move_only()) == 9);
  }

  TEST_CASE_TEMPLATE("exceptions propagate to the awaiter and to block_on", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.block_on(catches()) == 42);
    CHECK_THROWS_WITH_AS(rt.block_on(thrower("outer")), "outer", std::runtime_error);
  }

  TEST_CASE("a task is lazy and destroying it unstarted frees its frame and arguments") {
    counted::reset();
    {
      auto t = takes_counted(counted{1});
      CHECK(t.valid());
      CHECK_FALSE(t.done());
      CHECK(counted::alive() == 1);  // the argument lives in the frame
    }
    CHECK(counted::alive() == 0);
  }

  TEST_CASE_TEMPLATE("results are moved, never copied, and nothing leaks", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    counted::reset();
    {
      counted c = rt.block_on(make_counted(3));
      CHECK(c.id == 3);
      CHECK(counted::copies == 0);
    }
    CHECK(counted::alive() == 0);
  }

  TEST_CASE_TEMPLATE("awaiting a finished task a second time is an error", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto twice = []() -> corio::task<void> {
      auto t = value(1);
      CHECK(co_await t == 1);
      CHECK_THROWS_AS(co_await t, corio::error);
      corio::task<int> empty;
      CHECK_THROWS_AS(co_await std::move(empty), corio::error);
    };
    rt.block_on(twice());
  }

  TEST_CASE_TEMPLATE("1,000,000 sequential awaits run in constant stack", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.block_on(sequential(1'000'000)) == 1'000'000);
  }

  TEST_CASE_TEMPLATE("a 1,000,000-deep chain of awaiting tasks completes without stack overflow", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.block_on(recursive(1'000'000)) == 1'000'000);
  }
}
