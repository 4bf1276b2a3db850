// spawn_blocking: results, exceptions, off-loop execution, many jobs at once.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

#include "support/backends.hpp"

TEST_SUITE("spawn_blocking") {
  TEST_CASE_TEMPLATE("runs on another thread and resumes on the loop thread with the value", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      auto loop = std::this_thread::get_id();
      auto worker = co_await corio::spawn_blocking([] { return std::this_thread::get_id(); });
      CHECK(worker != loop);
      CHECK(std::this_thread::get_id() == loop);
      CHECK_THROWS_WITH_AS(co_await corio::spawn_blocking([]() -> int { throw std::runtime_error("in pool"); }),
                           "in pool", std::runtime_error);
      co_await corio::spawn_blocking([] {});
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("many blocking jobs complete, bounded by max_blocking_threads", B, CORIO_BACKENDS) {
    corio::runtime_options o;
    o.max_blocking_threads = 4;
    CORIO_RUNTIME(rt, B, o);
    auto main = []() -> corio::task<long> {
      std::vector<corio::task<long>> ts;
      for (long i = 0; i < 200; ++i)
        ts.push_back([](long x) -> corio::task<long> { co_return co_await corio::spawn_blocking([x] { return x * x; }); }(i));
      auto r = co_await corio::when_all(std::move(ts));
      long sum = 0;
      for (long v : r) sum += v;
      co_return sum;
    };
    long expect = 0;
    for (long i = 0; i < 200; ++i) expect += i * i;
    CHECK(rt.block_on(main()) == expect);
  }
}
