// task_group: structured concurrency, failure propagation, cancellation of a whole group.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <chrono>
#include <stdexcept>

#include "support/backends.hpp"
#include "support/counted.hpp"

using namespace std::chrono_literals;
using corio_test::counted;

namespace {
corio::task<void> count_after(std::chrono::milliseconds d, int& n) {
  co_await corio::sleep_for(d);
  ++n;
}
corio::task<void> sleep_or_abort(int& aborted, counted = counted{}) {
  try {
    co_await corio::sleep_for(1h);
  } catch (const corio::error& e) {
    if (e.code() == corio::errc::operation_aborted) ++aborted;
    throw;
  }
}
}  // namespace

TEST_SUITE("task_group") {
  TEST_CASE_TEMPLATE("join returns only after every child finished", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int n = 0;
    auto main = [&]() -> corio::task<void> {
      corio::task_group g;
      for (int i = 0; i < 100; ++i) g.spawn(count_after(std::chrono::milliseconds(i % 7), n));
      CHECK(g.size() == 100);
      co_await g.join();
      CHECK(n == 100);
      CHECK(g.size() == 0);
      co_await g.join();  // joining an empty group returns at once
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("the first failing child cancels its siblings and join rethrows it", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0;
    auto main = [&]() -> corio::task<void> {
      corio::task_group g;
      for (int i = 0; i < 10; ++i) g.spawn(sleep_or_abort(aborted));
      g.spawn([]() -> corio::task<void> {
        co_await corio::sleep_for(1ms);
        throw std::runtime_error("child failed");
      }());
      CHECK_THROWS_WITH_AS(co_await g.join(), "child failed", std::runtime_error);
      CHECK(g.size() == 0);
    };
    rt.block_on(main());
    CHECK(aborted == 10);
  }

  TEST_CASE_TEMPLATE("cancel() cancels all children and join then returns normally", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0;
    auto main = [&]() -> corio::task<void> {
      corio::task_group g;
      for (int i = 0; i < 20; ++i) g.spawn(sleep_or_abort(aborted));
      co_await corio::yield();
      g.cancel();
      g.spawn(sleep_or_abort(aborted));  // spawned after cancel: starts cancelled
      co_await g.join();
    };
    rt.block_on(main());
    CHECK(aborted == 21);
  }

  TEST_CASE_TEMPLATE("cancelling the task that joins a group cancels the whole group", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0;
    corio::event sleeping;
    auto owner = [](int& a, corio::event& children_sleeping) -> corio::task<void> {
      corio::task_group g;
      for (int i = 0; i < 50; ++i) g.spawn(sleep_or_abort(a));
      // The ready queue is FIFO: once this task runs again, every child ran up to its sleep.
      co_await corio::yield();
      children_sleeping.set();  // queues main, which runs after this task suspends in join()
      co_await g.join();
    };
    auto main = [&]() -> corio::task<void> {
      auto h = corio::spawn(owner(aborted, sleeping));
      co_await sleeping.wait();
      h.cancel();
      try {
        co_await h;
        FAIL("expected operation_aborted");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::operation_aborted);
      }
    };
    rt.block_on(main());
    CHECK(aborted == 50);
  }

  TEST_CASE_TEMPLATE("a group destroyed with running children cancels them and they finish detached", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0;
    counted::reset();
    auto main = [&]() -> corio::task<void> {
      {
        corio::task_group g;
        for (int i = 0; i < 5; ++i) g.spawn(sleep_or_abort(aborted));
        co_await corio::yield();
        CHECK(aborted == 0);  // all five are sleeping
      }
      // The group's destructor cancelled the children, which queued each one (its sleep ends with
      // operation_aborted); the ready queue is FIFO, so after one yield all five have run their
      // cancellation to the end, detached.
      co_await corio::yield();
      CHECK(aborted == 5);
      CHECK(counted::alive() == 0);
      CHECK(rt.stats().tasks_live == 0);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("destroying the runtime destroys a group's suspended children", B, CORIO_BACKENDS) {
    int aborted = 0;
    counted::reset();
    {
      CORIO_RUNTIME(rt, B);
      corio::event never, sleeping;
      auto main = [&]() -> corio::task<void> {
        corio::task_group g;
        for (int i = 0; i < 5; ++i) g.spawn(sleep_or_abort(aborted));
        co_await corio::yield();  // FIFO: the children run up to their sleeps first
        sleeping.set();
        co_await never.wait();  // deadlock is impossible here: the children's timers are pending
      };
      auto h = rt.spawn(main());
      h.detach();
      // Runs until the children sleep and `main` waits; all six stay suspended in the runtime.
      rt.block_on([](corio::event& e) -> corio::task<void> { co_await e.wait(); }(sleeping));
      CHECK(counted::alive() == 5);
      CHECK(rt.stats().tasks_live == 6);
    }
    CHECK(counted::alive() == 0);
    CHECK(aborted == 0);  // destroyed, not resumed
  }

  TEST_CASE_TEMPLATE("a second task joining the same group at once is refused", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0;
    auto main = [&]() -> corio::task<void> {
      corio::task_group g;
      g.spawn(sleep_or_abort(aborted));
      auto first = corio::spawn([](corio::task_group& grp) -> corio::task<void> { co_await grp.join(); }(g));
      co_await corio::yield();
      try {
        co_await g.join();
        FAIL("a concurrent second join should throw");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::invalid_argument);
      }
      g.cancel();
      co_await first;
    };
    rt.block_on(main());
    CHECK(aborted == 1);
  }
}
