// Timers: sleep_for / sleep_until, 100,000 concurrent sleeps, the paused clock, cancellation.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <chrono>
#include <vector>

#include "support/backends.hpp"

using namespace std::chrono_literals;

TEST_SUITE("time") {
  TEST_CASE_TEMPLATE("100,000 concurrent sleeps all complete and none wakes early", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    constexpr int n = 100'000;
    int completed = 0, early = 0;
    auto sleeper = [](std::chrono::milliseconds d, int& done, int& too_early) -> corio::task<void> {
      auto deadline = std::chrono::steady_clock::now() + d;
      co_await corio::sleep_until(deadline);
      if (std::chrono::steady_clock::now() < deadline) ++too_early;
      ++done;
    };
    auto main = [&]() -> corio::task<void> {
      corio::task_group g;
      for (int i = 0; i < n; ++i) g.spawn(sleeper(std::chrono::milliseconds(50 + i % 100), completed, early));
      co_await g.join();
    };
    rt.block_on(main());
    CHECK(completed == n);
    CHECK(early == 0);
  }

  TEST_CASE_TEMPLATE("sleepers wake in deadline order", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    std::vector<int> order;
    auto sleeper = [](int ms, std::vector<int>& o) -> corio::task<void> {
      co_await corio::sleep_for(std::chrono::milliseconds(ms));
      o.push_back(ms);
    };
    auto main = [&]() -> corio::task<void> {
      co_await corio::when_all(sleeper(30, order), sleeper(10, order), sleeper(20, order), sleeper(0, order));
    };
    rt.block_on(main());
    CHECK(order == std::vector<int>{0, 10, 20, 30});
  }

  TEST_CASE_TEMPLATE("a zero or past deadline completes without suspending", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      co_await corio::sleep_for(0ms);
      co_await corio::sleep_for(-5ms);
      co_await corio::sleep_until(corio::now() - 1s);
    };
    rt.block_on(main());
    CHECK(rt.stats().backend_waits == 0);
  }

  TEST_CASE_TEMPLATE("the paused clock jumps to the next timer instead of waiting", B, CORIO_BACKENDS) {
    corio::runtime_options o;
    o.paused_clock = true;
    CORIO_RUNTIME(rt, B, o);
    auto main = []() -> corio::task<std::chrono::nanoseconds> {
      auto t0 = corio::now();
      co_await corio::sleep_for(24h);
      co_await corio::sleep_for(1h);
      co_return corio::now() - t0;
    };
    auto virtual_elapsed = rt.block_on(main());
    CHECK(virtual_elapsed == 25h);
    CHECK(rt.stats().timers_fired == 2);
    // "Instead of waiting": the loop jumped to each deadline without ever blocking in the backend
    // (a turn that waits for a timer, even briefly, counts as a backend wait).
    CHECK(rt.stats().backend_waits == 0);
  }

  TEST_CASE_TEMPLATE("durations too large to represent saturate instead of overflowing", B, CORIO_BACKENDS) {
    corio::runtime_options o;
    o.paused_clock = true;
    CORIO_RUNTIME(rt, B, o);
    auto main = []() -> corio::task<void> {
      auto h = corio::spawn([]() -> corio::task<void> { co_await corio::sleep_for(std::chrono::hours::max()); }());
      co_await corio::yield();
      h.cancel();
      CHECK_THROWS_AS(co_await h, corio::error);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("cancelling many sleepers wakes each one with operation_aborted", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0;
    auto sleeper = [](int& a) -> corio::task<void> {
      try {
        co_await corio::sleep_for(1h);
      } catch (const corio::error& e) {
        if (e.code() == corio::errc::operation_aborted) ++a;
      }
    };
    auto main = [&]() -> corio::task<void> {
      std::vector<corio::join_handle<void>> hs;
      for (int i = 0; i < 1000; ++i) hs.push_back(corio::spawn(sleeper(aborted)));
      co_await corio::yield();
      for (auto& h : hs) h.cancel();
      for (auto& h : hs) co_await h;
    };
    rt.block_on(main());
    CHECK(aborted == 1000);
  }
}
