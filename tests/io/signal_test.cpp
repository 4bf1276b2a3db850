// corio::signal_set: signals read through a signalfd on the runtime's backend. CTest runs every
// case in its own process; signals here are process-directed (kill) and blocked by the set, so they
// never reach their default action.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::task;

namespace {
bool blocked(int sig) {
  sigset_t cur;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &cur);
  return sigismember(&cur, sig) == 1;
}
}  // namespace

TEST_SUITE("signals") {
  TEST_CASE_TEMPLATE("a signal sent to the process is read by wait(), and the mask is restored", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    REQUIRE_FALSE(blocked(SIGUSR1));
    {
      corio::signal_set sigs{SIGUSR1};
      CHECK(blocked(SIGUSR1));
      const int got = rt.block_on([](corio::signal_set& s) -> task<int> {
        auto h = corio::spawn(s.wait(5s));
        co_await corio::yield();
        CHECK_FALSE(h.done());
        REQUIRE(::kill(::getpid(), SIGUSR1) == 0);
        co_return co_await h;
      }(sigs));
      CHECK(got == SIGUSR1);
    }
    CHECK_FALSE(blocked(SIGUSR1));
  }

  TEST_CASE_TEMPLATE("a signal sent before wait() is not lost, and two waiters get one signal each", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    corio::signal_set sigs{SIGUSR1, SIGUSR2};
    REQUIRE(::kill(::getpid(), SIGUSR2) == 0);
    rt.block_on([](corio::signal_set& s) -> task<void> {
      CHECK(co_await s.wait(5s) == SIGUSR2);
      auto a = corio::spawn(s.wait(5s));
      auto b = corio::spawn(s.wait(5s));
      co_await corio::yield();
      REQUIRE(::kill(::getpid(), SIGUSR1) == 0);
      REQUIRE(::kill(::getpid(), SIGUSR2) == 0);
      const int x = co_await a;
      const int y = co_await b;
      CHECK(x != y);
      CHECK((x == SIGUSR1 || x == SIGUSR2));
      CHECK((y == SIGUSR1 || y == SIGUSR2));
    }(sigs));
  }

  TEST_CASE_TEMPLATE("deadline and cancellation consume no signal", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    corio::signal_set sigs{SIGUSR1};
    rt.block_on([](corio::signal_set& s) -> task<void> {
      try {
        co_await s.wait(10ms);
        FAIL("no signal was sent");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
      }
      auto r = co_await corio::when_any(s.wait(), corio::sleep_for(5ms));
      CHECK(r.index == 1);
      REQUIRE(::kill(::getpid(), SIGUSR1) == 0);
      CHECK(co_await s.wait(5s) == SIGUSR1);
    }(sigs));
  }

  TEST_CASE_TEMPLATE("a real child process signals its parent", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    corio::signal_set sigs{SIGTERM};
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::kill(::getppid(), SIGTERM);
      ::_exit(0);
    }
    CHECK(rt.block_on([](corio::signal_set& s) -> task<int> { co_return co_await s.wait(10s); }(sigs)) == SIGTERM);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
  }

  TEST_CASE_TEMPLATE("invalid signals are typed errors, and a closed set fails with EBADF", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      CHECK_THROWS_WITH_AS(corio::signal_set({SIGKILL}), doctest::Contains("SIGKILL"), corio::error);
      CHECK_THROWS_AS(corio::signal_set({0}), corio::error);
      CHECK_THROWS_AS(corio::signal_set({NSIG + 5}), corio::error);
      CHECK_THROWS_AS(corio::signal_set({}), corio::error);
      CHECK_FALSE(blocked(SIGHUP));  // a refused set blocked nothing
      corio::signal_set s{SIGHUP};
      s.close();
      CHECK_FALSE(blocked(SIGHUP));
      CHECK_THROWS_WITH_AS(co_await s.wait(), doctest::Contains("Bad file descriptor"), corio::error);
    }());
  }

  TEST_CASE("corio's blocking pool threads take no signal meant for a signal_set") {
    corio::runtime rt;
    corio::signal_set sigs{SIGUSR1};
    const bool pool_blocked = rt.block_on([]() -> task<bool> {
      co_return co_await corio::spawn_blocking([] { return blocked(SIGUSR1) && blocked(SIGINT); });
    }());
    CHECK(pool_blocked);  // every signal, not only the set's
  }

  TEST_CASE("a set made before any runtime serves one runtime after another") {
    corio::signal_set sigs{SIGUSR2};  // e.g. first thing in main(), before threads start
    {
      corio::runtime rt;
      REQUIRE(::kill(::getpid(), SIGUSR2) == 0);
      CHECK(rt.block_on([](corio::signal_set& s) -> task<int> { co_return co_await s.wait(5s); }(sigs)) == SIGUSR2);
    }
    corio::runtime rt2;  // the first runtime is gone; the set is still open and usable
    REQUIRE(::kill(::getpid(), SIGUSR2) == 0);
    CHECK(rt2.block_on([](corio::signal_set& s) -> task<int> { co_return co_await s.wait(5s); }(sigs)) == SIGUSR2);
  }
}
