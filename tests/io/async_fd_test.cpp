// corio::async_fd: readiness waits on descriptors corio does not own (the caller keeps them).
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::task;

namespace {
struct fd_pair {
  int a = -1, b = -1;
  explicit fd_pair(bool socket) {
    int fds[2];
    if (socket) {
      REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    } else {
      REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
    }
    a = fds[0];
    b = fds[1];
  }
  fd_pair(const fd_pair&) = delete;
  ~fd_pair() {
    if (a >= 0) ::close(a);
    if (b >= 0) ::close(b);
  }
};
bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }
}  // namespace

TEST_SUITE("async_fd") {
  TEST_CASE_TEMPLATE("readable waits for data on a pipe the caller owns, and never closes it", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    fd_pair p(false);
    rt.block_on([](fd_pair& p) -> task<void> {
      {
        corio::async_fd w(p.a);
        auto reader = corio::spawn(w.readable());
        co_await corio::yield();
        CHECK_FALSE(reader.done());  // nothing written yet
        REQUIRE(::write(p.b, "x", 1) == 1);
        corio::readiness r = co_await reader;
        CHECK(r.readable());
        CHECK_FALSE(r.hangup());
        // Level-triggered: still readable until the caller reads.
        corio::readiness again = co_await w.readable();
        CHECK(again.readable());
        char c = 0;
        CHECK(::read(p.a, &c, 1) == 1);
        CHECK(c == 'x');
      }
      CHECK(is_open(p.a));  // the async_fd is gone, the descriptor is still the caller's
    }(p));
  }

  TEST_CASE_TEMPLATE("writable, hang-up and the error bits are reported", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    fd_pair p(true);
    rt.block_on([](fd_pair& p) -> task<void> {
      corio::async_fd w(p.a);
      corio::readiness wr = co_await w.writable();
      CHECK(wr.writable());
      ::close(p.b);
      p.b = -1;
      corio::readiness r = co_await w.readable();
      CHECK(r.hangup());
      CHECK(r.readable());  // end of stream reads as readable (read returns 0)
    }(p));
  }

  TEST_CASE_TEMPLATE("a wait's deadline, cancellation by when_any, and the async_fd stays usable", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    fd_pair p(false);
    rt.block_on([](fd_pair& p) -> task<void> {
      corio::async_fd w(p.a);
      try {
        co_await w.readable(10ms);
        FAIL("nothing was written");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
      }
      auto r = co_await corio::when_any(w.readable(), corio::sleep_for(5ms));
      CHECK(r.index == 1);  // the wait lost and was cancelled
      REQUIRE(::write(p.b, "y", 1) == 1);
      corio::readiness rd = co_await w.readable(5s);
      CHECK(rd.readable());
    }(p));
  }

  TEST_CASE_TEMPLATE("resetting the async_fd ends pending waits with operation_aborted", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    fd_pair p(false);
    rt.block_on([](fd_pair& p) -> task<void> {
      corio::async_fd w(p.a);
      auto h = corio::spawn(w.readable());
      co_await corio::yield();
      CHECK(w.release() == p.a);
      CHECK_FALSE(w.is_watching());
      try {
        co_await h;
        FAIL("the wait cannot succeed: nothing was written");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::operation_aborted);
      }
      CHECK(is_open(p.a));
    }(p));
  }

  TEST_CASE_TEMPLATE("bad descriptors are typed errors and nothing is closed", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      CHECK_THROWS_WITH_AS(corio::async_fd{-1}, doctest::Contains("Bad file descriptor"), corio::error);
      int fds[2];
      REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
      const int closed = fds[0];
      ::close(closed);
      CHECK_THROWS_AS(corio::async_fd{closed}, corio::error);
      ::close(fds[1]);
      co_return;
    }());
  }

  TEST_CASE("outside a runtime: not_in_runtime, and the descriptor is left open") {
    fd_pair p(false);
    try {
      corio::async_fd w(p.a);
      FAIL("no runtime");
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::not_in_runtime);
    }
    CHECK(is_open(p.a));
  }

  // The pattern of docs/api-io.md: a C library owns a non-blocking socket and does its own reads;
  // corio only says when to call it again. Here the "library" is plain read(2) until EAGAIN.
  TEST_CASE_TEMPLATE("driving a non-blocking descriptor the library reads itself, until EAGAIN", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    fd_pair p(true);
    std::string got;
    rt.block_on([](fd_pair& p, std::string& got) -> task<void> {
      corio::async_fd w(p.a);
      auto writer = corio::spawn([](int fd) -> task<void> {
        for (int i = 0; i < 5; ++i) {
          REQUIRE(::write(fd, "abcd", 4) == 4);
          co_await corio::yield();
        }
        ::shutdown(fd, SHUT_WR);
      }(p.b));
      for (;;) {
        corio::readiness r = co_await w.readable(10s);
        (void)r;
        char buf[64];
        ssize_t n;
        while ((n = ::read(p.a, buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
        if (n == 0) break;  // end of stream
        REQUIRE(errno == EAGAIN);
      }
      co_await writer;
    }(p, got));
    CHECK(got == "abcdabcdabcdabcdabcd");
  }
}
