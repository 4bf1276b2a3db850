// corio::event, semaphore, mutex, channel: semantics, fairness, cancellation, close.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/backends.hpp"

using namespace std::chrono_literals;

TEST_SUITE("sync") {
  TEST_CASE_TEMPLATE("event wakes every waiter and a set event does not suspend", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::event e;
      int woke = 0;
      corio::task_group g;
      for (int i = 0; i < 10; ++i)
        g.spawn([](corio::event& ev, int& w) -> corio::task<void> {
          co_await ev.wait();
          ++w;
        }(e, woke));
      co_await corio::yield();
      CHECK(woke == 0);
      e.set();
      co_await g.join();
      CHECK(woke == 10);
      co_await e.wait();
      e.reset();
      CHECK_FALSE(e.is_set());
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("a cancelled event waiter throws operation_aborted and leaves the queue", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::event e;
      auto h = corio::spawn([](corio::event& ev) -> corio::task<void> { co_await ev.wait(); }(e));
      co_await corio::yield();
      h.cancel();
      CHECK_THROWS_AS(co_await h, corio::error);
      e.set();  // must not touch the cancelled waiter
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("semaphore bounds concurrency and hands permits out in FIFO order", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::semaphore sem(3);
      int inside = 0, peak = 0;
      std::vector<int> order;
      corio::task_group g;
      for (int i = 0; i < 20; ++i)
        g.spawn([](corio::semaphore& s, int& in, int& pk, std::vector<int>& ord, int id) -> corio::task<void> {
          auto permit = co_await s.permit();
          ord.push_back(id);
          pk = std::max(pk, ++in);
          co_await corio::sleep_for(1ms);
          --in;
        }(sem, inside, peak, order, i));
      co_await g.join();
      CHECK(peak == 3);
      CHECK(sem.available() == 3);
      REQUIRE(order.size() == 20);
      for (int i = 0; i < 20; ++i) CHECK(order[i] == i);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("a cancelled semaphore waiter does not take a permit", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::semaphore sem(0);
      auto h = corio::spawn([](corio::semaphore& s) -> corio::task<void> { co_await s.acquire(); }(sem));
      co_await corio::yield();
      h.cancel();
      CHECK_THROWS_AS(co_await h, corio::error);
      sem.release();
      CHECK(sem.available() == 1);
      CHECK(sem.try_acquire());
      CHECK_FALSE(sem.try_acquire());
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("mutex serialises critical sections that suspend", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::mutex m;
      int inside = 0, violations = 0;
      corio::task_group g;
      for (int i = 0; i < 10; ++i)
        g.spawn([](corio::mutex& mx, int& in, int& bad) -> corio::task<void> {
          auto lock = co_await mx.lock();
          if (++in != 1) ++bad;
          co_await corio::yield();
          --in;
        }(m, inside, violations));
      co_await g.join();
      CHECK(violations == 0);
      CHECK_FALSE(m.locked());
      auto l = m.try_lock();
      CHECK(static_cast<bool>(l));
      CHECK_FALSE(static_cast<bool>(m.try_lock()));
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("channel: bounded, FIFO, back-pressure, close drains then ends", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::channel<std::string> ch(2);
      std::vector<std::string> got;
      auto consumer = corio::spawn([](corio::channel<std::string>& c, std::vector<std::string>& out) -> corio::task<void> {
        while (auto v = co_await c.receive()) out.push_back(*v);
      }(ch, got));
      for (int i = 0; i < 100; ++i) {
        co_await ch.send(std::to_string(i));
        CHECK(ch.size() <= 2);
      }
      ch.close();
      co_await consumer;
      REQUIRE(got.size() == 100);
      for (int i = 0; i < 100; ++i) CHECK(got[i] == std::to_string(i));
      try {
        co_await ch.send("late");
        FAIL("send on a closed channel should throw");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::closed);
      }
      auto after_close = co_await ch.receive();
      CHECK_FALSE(after_close.has_value());
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("a rendezvous channel (capacity 0) hands values over directly", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main2 = []() -> corio::task<void> {
      corio::channel<int> ch(0);
      int v = 1;
      CHECK_FALSE(ch.try_send(v));  // nobody is receiving
      auto sender = corio::spawn([](corio::channel<int>& c) -> corio::task<void> {
        for (int i = 0; i < 5; ++i) co_await c.send(i);
        c.close();
      }(ch));
      int sum = 0;
      while (auto x = co_await ch.receive()) sum += *x;
      CHECK(sum == 10);
      co_await sender;
    };
    rt.block_on(main2());
  }

  TEST_CASE_TEMPLATE("close wakes blocked senders with errc::closed and blocked receivers with nullopt", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = []() -> corio::task<void> {
      corio::channel<int> full(1);
      co_await full.send(1);
      auto blocked_sender = corio::spawn([](corio::channel<int>& c) -> corio::task<void> { co_await c.send(2); }(full));
      corio::channel<int> empty(1);
      auto blocked_receiver = corio::spawn(
          [](corio::channel<int>& c) -> corio::task<std::optional<int>> { co_return co_await c.receive(); }(empty));
      co_await corio::yield();
      full.close();
      empty.close();
      CHECK_THROWS_AS(co_await blocked_sender, corio::error);
      auto nothing = co_await blocked_receiver;
      CHECK_FALSE(nothing.has_value());
      auto buffered = co_await full.receive();  // what was buffered is still delivered
      REQUIRE(buffered.has_value());
      CHECK(*buffered == 1);
    };
    rt.block_on(main());
  }
}
