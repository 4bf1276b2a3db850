// when_all, when_any, timeout, shield: results, failures, cancellation of losers and children.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/backends.hpp"

using namespace std::chrono_literals;

namespace {
corio::task<int> after(std::chrono::milliseconds d, int v) {
  co_await corio::sleep_for(d);
  co_return v;
}
corio::task<void> fail_after(std::chrono::milliseconds d) {
  co_await corio::sleep_for(d);
  throw std::runtime_error("child failed");
}
// Sleeps long; counts how it ended.
corio::task<int> long_sleeper(int& aborted, int& finished) {
  try {
    co_await corio::sleep_for(1h);
  } catch (const corio::error& e) {
    if (e.code() == corio::errc::operation_aborted) ++aborted;
    throw;
  }
  ++finished;
  co_return 0;
}
bool is(const corio::error& e, corio::errc c) { return e.code() == c; }
}  // namespace

TEST_SUITE("combinators") {
  TEST_CASE_TEMPLATE("when_all returns every result, in argument order", B, CORIO_BACKENDS) {
    corio::runtime_options o;
    o.paused_clock = true;  // virtual time: the elapsed time below is exact, whatever the machine's load
    CORIO_RUNTIME(rt, B, o);
    auto main = []() -> corio::task<void> {
      const auto t0 = corio::now();
      auto [a, b, c] = co_await corio::when_all(after(20ms, 1), after(5ms, 2), []() -> corio::task<void> { co_return; }());
      CHECK(a == 1);
      CHECK(b == 2);
      (void)c;
      std::vector<corio::task<int>> ts;
      for (int i = 0; i < 50; ++i) ts.push_back(after(std::chrono::milliseconds(50 - i), i));
      auto v = co_await corio::when_all(std::move(ts));
      REQUIRE(v.size() == 50);
      for (int i = 0; i < 50; ++i) CHECK(v[i] == i);
      co_await corio::when_all(std::vector<corio::task<void>>{});
      // Concurrent: 20 ms then 50 ms, not 20+5 ms and then 50+49+...+1 ms in sequence.
      CHECK(corio::now() - t0 == 70ms);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("when_all: the first failure cancels the other children and is rethrown", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0, finished = 0;
    auto main = [&]() -> corio::task<void> {
      try {
        co_await corio::when_all(long_sleeper(aborted, finished), fail_after(1ms), long_sleeper(aborted, finished));
        FAIL("when_all should rethrow");
      } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "child failed");
      }
    };
    rt.block_on(main());
    CHECK(aborted == 2);
    CHECK(finished == 0);
  }

  TEST_CASE_TEMPLATE("when_any returns the first to finish and cancels the losers", B, CORIO_BACKENDS) {
    // On the paused clock a loser that is not cancelled finishes its hour at once (the loop jumps
    // to its deadline) and is counted in `finished`, instead of hanging the test.
    corio::runtime_options o;
    o.paused_clock = true;
    CORIO_RUNTIME(rt, B, o);
    int aborted = 0, finished = 0;
    auto main = [&]() -> corio::task<void> {
      auto r = co_await corio::when_any(long_sleeper(aborted, finished), after(2ms, 7), long_sleeper(aborted, finished));
      CHECK(r.index == 1);
      CHECK(std::get<1>(r.value) == 7);
      // Losers have finished (with operation_aborted) by the time when_any returns.
      CHECK(aborted == 2);
      // The vector form too: its losers are counted, so their cancellation is checked as well.
      std::vector<corio::task<int>> ts;
      ts.push_back(long_sleeper(aborted, finished));
      ts.push_back(after(1ms, 1));
      ts.push_back(long_sleeper(aborted, finished));
      auto r2 = co_await corio::when_any(std::move(ts));
      CHECK(r2.index == 1);
      CHECK(r2.value == 1);
      CHECK(aborted == 4);
      CHECK_THROWS_AS(co_await corio::when_any(std::vector<corio::task<int>>{}), corio::error);
    };
    rt.block_on(main());
    CHECK(aborted == 4);
    CHECK(finished == 0);  // no loser's sleep ran to its end
  }

  TEST_CASE_TEMPLATE("when_any rethrows the winner's exception after cancelling the losers", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0, finished = 0;
    auto main = [&]() -> corio::task<void> {
      CHECK_THROWS_AS(co_await corio::when_any(long_sleeper(aborted, finished), fail_after(1ms)), std::runtime_error);
    };
    rt.block_on(main());
    CHECK(aborted == 1);
  }

  TEST_CASE_TEMPLATE("cancelling the awaiting task cancels every child of when_all", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0, finished = 0;
    auto main = [&]() -> corio::task<void> {
      auto h = corio::spawn(corio::when_all(long_sleeper(aborted, finished), long_sleeper(aborted, finished)));
      co_await corio::sleep_for(1ms);
      h.cancel();
      try {
        co_await h;
        FAIL("expected operation_aborted");
      } catch (const corio::error& e) {
        CHECK(is(e, corio::errc::operation_aborted));
      }
    };
    rt.block_on(main());
    CHECK(aborted == 2);
  }

  TEST_CASE_TEMPLATE("timeout: expiry cancels the operation and throws timed_out", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0, finished = 0;
    auto main = [&]() -> corio::task<void> {
      try {
        co_await corio::timeout(5ms, long_sleeper(aborted, finished));
        FAIL("expected timed_out");
      } catch (const corio::error& e) {
        CHECK(is(e, corio::errc::timed_out));
        CHECK(e.code() == std::errc::timed_out);
      }
      // In time: the value comes through, and the timer does not fire later.
      CHECK(co_await corio::timeout(1s, after(1ms, 5)) == 5);
      // Any awaitable, not only tasks.
      co_await corio::timeout(1s, corio::sleep_for(1ms));
      CHECK_THROWS_AS(co_await corio::timeout(1ms, corio::sleep_for(1h)), corio::error);
      // An already-expired deadline cancels at once.
      CHECK_THROWS_AS(co_await corio::timeout(0ms, long_sleeper(aborted, finished)), corio::error);
      CHECK(co_await corio::timeout_at(corio::now() + 1s, after(0ms, 3)) == 3);
    };
    rt.block_on(main());
    CHECK(aborted == 2);
    CHECK(finished == 0);
  }

  TEST_CASE_TEMPLATE("timeout: cancelling the waiter reports operation_aborted, not timed_out", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int aborted = 0, finished = 0;
    auto main = [&]() -> corio::task<void> {
      auto h = corio::spawn([](int& a, int& f) -> corio::task<int> {
        co_return co_await corio::timeout(1h, long_sleeper(a, f));
      }(aborted, finished));
      co_await corio::yield();
      h.cancel();
      try {
        co_await h;
        FAIL("expected operation_aborted");
      } catch (const corio::error& e) {
        CHECK(is(e, corio::errc::operation_aborted));
      }
    };
    rt.block_on(main());
    CHECK(aborted == 1);
  }

  TEST_CASE_TEMPLATE("shield runs cleanup to completion inside a cancelled task", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    bool cleaned = false, cancelled_seen = false;
    auto worker = [](bool& c, bool& seen) -> corio::task<void> {
      try {
        co_await corio::sleep_for(1h);
      } catch (const corio::error&) {
        seen = true;
      }
      CHECK(co_await corio::this_task::cancellation_requested());
      // Without the shield this sleep would abort at once (cancellation is sticky).
      co_await corio::shield(corio::sleep_for(1ms));
      c = true;
    };
    auto main = [&]() -> corio::task<void> {
      auto h = corio::spawn(worker(cleaned, cancelled_seen));
      co_await corio::yield();
      CHECK_FALSE(co_await corio::this_task::cancellation_requested());
      h.cancel();
      co_await h;
    };
    rt.block_on(main());
    CHECK(cancelled_seen);
    CHECK(cleaned);
  }

  TEST_CASE_TEMPLATE("timeout accepts every corio awaitable: join, group join, event, semaphore, channel, blocking job",
                     B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      auto expect_timeout = [](auto&& awaitable) -> corio::task<bool> {
        try {
          co_await corio::timeout(std::chrono::milliseconds(2), std::move(awaitable));
        } catch (const corio::error& e) {
          co_return e.code() == corio::errc::timed_out;
        }
        co_return false;
      };
      corio::event never;
      corio::semaphore empty(0);
      corio::channel<int> ch(1);
      corio::task_group g;
      g.spawn([](corio::event& e) -> corio::task<void> { co_await e.wait(); }(never));
      auto h = corio::spawn([](corio::event& e) -> corio::task<void> { co_await e.wait(); }(never));
      CHECK(co_await expect_timeout(never.wait()));
      CHECK(co_await expect_timeout(empty.acquire()));
      CHECK(co_await expect_timeout(ch.receive()));
      CHECK(co_await expect_timeout(g.join()));
      CHECK(co_await expect_timeout(h));
      CHECK(co_await corio::timeout(1s, corio::spawn_blocking([] { return 5; })) == 5);
      never.set();  // let the group child and the spawned task finish
      co_await g.join();
      co_await h;
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("when_all, when_any, spawn and task_group take any awaitable, not only tasks", B,
                     CORIO_BACKENDS) {
    corio::runtime_options o;
    o.paused_clock = true;  // the sleeps below end in virtual time: the test takes no real time
    CORIO_RUNTIME(rt, B, o);
    auto main = []() -> corio::task<void> {
      const auto t0 = corio::now();
      // Variadic: a sleep beside a task; when_all waits for both, when_any cancels the loser.
      auto [slept, v] = co_await corio::when_all(corio::sleep_for(5ms), after(1ms, 7));
      CHECK(v == 7);
      (void)slept;
      CHECK(corio::now() - t0 == 5ms);
      corio::event never;
      auto r = co_await corio::when_any(never.wait(), corio::sleep_for(3ms));
      CHECK(r.index == 1);
      CHECK(corio::now() - t0 == 8ms);
      // Range forms over awaitables.
      std::vector<corio::detail::sleep_awaiter> sleeps;
      for (int i = 1; i <= 3; ++i) sleeps.push_back(corio::sleep_for(std::chrono::milliseconds(i)));
      co_await corio::when_all(std::move(sleeps));
      CHECK(corio::now() - t0 == 11ms);
      std::vector<corio::detail::sleep_awaiter> race;
      race.push_back(corio::sleep_for(1h));
      race.push_back(corio::sleep_for(2ms));
      auto first = co_await corio::when_any(std::move(race));
      CHECK(first.index == 1);
      CHECK(corio::now() - t0 == 13ms);  // the hour-long loser was cancelled, not waited for
      // spawn and task_group::spawn of a bare awaitable.
      auto h = corio::spawn(corio::sleep_for(1ms));
      co_await h;
      corio::task_group g;
      g.spawn(corio::sleep_for(2ms));
      g.spawn(after(1ms, 1));
      co_await g.join();
      CHECK(corio::now() - t0 == 16ms);
    };
    rt.block_on(main());
  }
}
