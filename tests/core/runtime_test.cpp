// corio::runtime: block_on, spawn and join handles, detaching, errors, deadlock detection, teardown.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/backends.hpp"
#include "support/counted.hpp"

using namespace std::chrono_literals;
using corio_test::counted;

namespace {
corio::task<int> twice(int x) {
  co_await corio::yield();
  co_return 2 * x;
}
corio::task<void> wait_forever(corio::event& e, counted) { co_await e.wait(); }
corio::task<void> sleep_long(counted) { co_await corio::sleep_for(1h); }
}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE_TEMPLATE("spawned tasks run concurrently and join handles yield their results", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<int> {
      std::vector<corio::join_handle<int>> hs;
      for (int i = 0; i < 100; ++i) hs.push_back(corio::spawn(twice(i)));
      int sum = 0;
      for (auto& h : hs) sum += co_await h;
      co_return sum;
    };
    CHECK(rt.block_on(main()) == 2 * (99 * 100 / 2));
    CHECK(rt.stats().tasks_spawned == 100);
    CHECK(rt.stats().tasks_live == 0);
  }

  TEST_CASE_TEMPLATE("a spawned task's exception is rethrown by its join handle", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      auto h = corio::spawn([]() -> corio::task<int> {
        co_await corio::yield();
        throw std::logic_error("boom");
      }());
      CHECK_THROWS_WITH_AS(co_await h, "boom", std::logic_error);
      CHECK_FALSE(h.valid());
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("detached tasks run to completion and report failures", B, CORIO_BACKENDS) {
    // The root waits for the two events below, not for time: the first is set as the sleeping
    // task finishes, the second by the failure report. If either never happens, nothing is left
    // that could wake the root and block_on throws errc::deadlock instead of passing.
    corio::event ran_done, failure_reported;
    int failures = 0;
    corio::runtime_options o;
    o.on_detached_exception = [&](std::exception_ptr) {
      ++failures;
      failure_reported.set();
    };
    CORIO_RUNTIME(rt, B, o);
    int ran = 0;
    auto main = [&]() -> corio::task<void> {
      corio::spawn([](int& r, corio::event& done) -> corio::task<void> {
        co_await corio::sleep_for(1ms);  // detached while suspended, it still runs on
        ++r;
        done.set();
      }(ran, ran_done)).detach();
      corio::spawn([]() -> corio::task<void> {
        co_await corio::yield();
        throw std::runtime_error("detached failure");
      }()).detach();
      co_await ran_done.wait();
      co_await failure_reported.wait();
    };
    rt.block_on(main());
    CHECK(ran == 1);
    CHECK(failures == 1);
    CHECK(rt.stats().detached_failures == 1);
    CHECK(rt.stats().tasks_live == 0);  // both ran to their end: set() only queues the root
  }

  TEST_CASE_TEMPLATE("cancelling a spawned task through its handle aborts its sleep", B, CORIO_BACKENDS) {
    // On the paused clock a sleep that cancel() fails to abort ends at once instead of hanging the
    // test for an hour: with nothing else to do, the loop jumps to its deadline and the task
    // returns 1, which the FAIL below reports.
    corio::runtime_options o;
    o.paused_clock = true;
    CORIO_RUNTIME(rt, B, o);
    auto main = []() -> corio::task<void> {
      const auto t0 = corio::now();
      auto h = corio::spawn([]() -> corio::task<int> {
        co_await corio::sleep_for(1h);
        co_return 1;
      }());
      co_await corio::yield();  // let it start sleeping
      h.cancel();
      try {
        co_await h;
        FAIL("expected operation_aborted");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::operation_aborted);
        CHECK(e.code() == std::errc::operation_canceled);
      }
      CHECK(corio::now() == t0);  // the clock never moved towards the sleep's deadline
    };
    rt.block_on(main());
    CHECK(rt.stats().timers_fired == 0);  // the sleep ended by cancellation, not by its timer
    CHECK(rt.stats().tasks_live == 0);
    // The cancelled sleep's timer left the heap: with nothing queued, a root that waits for an
    // event nobody sets is a deadlock at once (a queued timer would be jumped to and fired).
    corio::event never;
    try {
      rt.block_on(wait_forever(never, counted{}));
      FAIL("expected a deadlock error");
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::deadlock);
    }
    CHECK(rt.stats().timers_fired == 0);
  }

  TEST_CASE_TEMPLATE("using corio outside a runtime is a typed error", B, CORIO_BACKENDS) {
    CHECK_THROWS_AS((void)corio::spawn(twice(1)), corio::error);
    try {
      (void)corio::spawn(twice(1));
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::not_in_runtime);
    }
    CORIO_RUNTIME(rt, B);
    CHECK_THROWS_AS(rt.block_on(corio::task<int>{}), corio::error);
  }

  TEST_CASE_TEMPLATE("block_on inside a running runtime is refused", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> corio::task<void> {
      try {
        rt.block_on(twice(1));
        FAIL("nested block_on should throw");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::invalid_argument);
      }
      co_return;
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("a root task that waits for nothing that can happen is a deadlock, not a hang", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    corio::event never;
    counted::reset();
    try {
      rt.block_on(wait_forever(never, counted{}));
      FAIL("expected a deadlock error");
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::deadlock);
    }
    // The runtime is still usable afterwards.
    CHECK(rt.block_on(twice(4)) == 8);
  }

  TEST_CASE_TEMPLATE("destroying a runtime destroys its suspended tasks and empties their handles", B,
                     CORIO_BACKENDS) {
    counted::reset();
    corio::join_handle<void> outlives;
    corio::event never;
    {
      CORIO_RUNTIME(rt, B);
      auto main = [&]() -> corio::task<void> {
        for (int i = 0; i < 10; ++i) corio::spawn(sleep_long(counted{})).detach();
        for (int i = 0; i < 10; ++i) corio::spawn(wait_forever(never, counted{})).detach();
        outlives = corio::spawn(sleep_long(counted{}));
        co_await corio::yield();
      };
      rt.block_on(main());
      CHECK(counted::alive() == 21);
      CHECK(outlives.valid());
      CHECK(rt.stats().tasks_live == 21);
    }
    CHECK(counted::alive() == 0);  // every frame (and its argument) was destroyed; ASan checks leaks
    CHECK_FALSE(outlives.valid());
  }

  TEST_CASE_TEMPLATE("tasks left suspended after block_on continue in the next block_on", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    corio::event go;
    int done = 0;
    auto waiter = [](corio::event& e, int& d) -> corio::task<void> {
      co_await e.wait();
      ++d;
    };
    auto h = rt.spawn(waiter(go, done));
    rt.block_on([](corio::event&) -> corio::task<void> { co_return; }(go));
    CHECK(done == 0);
    rt.block_on([](corio::event& e, corio::join_handle<void>& jh) -> corio::task<void> {
      e.set();
      co_await jh;
    }(go, h));
    CHECK(done == 1);
  }

  TEST_CASE_TEMPLATE("the runtime says which backend runs and why", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    CHECK(rt.backend() == B::kind);
    CHECK_FALSE(rt.backend_reason().empty());
    CHECK(std::string(corio::to_string(rt.backend())) == B::name);
  }
}

TEST_CASE("CORIO_BACKEND forces a backend for automatic runtimes and rejects garbage") {
  ::setenv("CORIO_BACKEND", "asio", 1);
  {
    corio::runtime rt;
    CHECK(rt.backend() == corio::backend_kind::asio);
    CHECK(rt.backend_reason().find("CORIO_BACKEND=asio") != std::string::npos);
    corio::runtime_options o;
    o.backend = corio::backend_kind::asio;
    corio::runtime explicit_choice(o);
    CHECK(explicit_choice.backend() == corio::backend_kind::asio);
  }
  ::setenv("CORIO_BACKEND", "epoll-please", 1);
  try {
    corio::runtime rt;
    FAIL("garbage in CORIO_BACKEND should be rejected");
  } catch (const corio::error& e) {
    CHECK(e.code() == corio::errc::invalid_argument);
    CHECK(std::string(e.what()).find("epoll-please") != std::string::npos);
  }
  ::unsetenv("CORIO_BACKEND");
}
