// The backend contract, exercised through raw io_ops on pipes: completion, CQ overflow, polling
// while the loop is busy, cancellation, deadlines and teardown with IO in flight.
#include <doctest/doctest.h>

#include <corio/corio.hpp>
#include <corio/io/detail/op.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/driver.hpp"
#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::detail::io_awaiter;
using corio::detail::op_code;

namespace {

struct pipe_pair {
  int r = -1, w = -1;
  void* state = nullptr;
  corio::detail::io_backend* backend = nullptr;
  explicit pipe_pair(corio::runtime& rt) : backend(&rt.scheduler().io().backend()) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
    state = backend->attach_fd(r);
  }
  pipe_pair(const pipe_pair&) = delete;
  ~pipe_pair() {
    backend->detach_fd(r, state);
    ::close(r);
    ::close(w);
  }
  void put(char c) const { REQUIRE(::write(w, &c, 1) == 1); }
};

// Reads up to n bytes from the pipe through the backend; returns the op's result (or -errno).
corio::task<int> read_op(const pipe_pair& p, char* buf, unsigned n, std::int64_t deadline_ns = 0,
                         bool* timed_out = nullptr) {
  io_awaiter a;
  a.op.code = op_code::read;
  a.op.fd = p.r;
  a.op.fd_state = p.state;
  a.op.buf = buf;
  a.op.len = n;
  a.op.deadline_ns = deadline_ns;
  int r = co_await a;
  if (timed_out) *timed_out = a.op.timed_out;
  co_return r;
}

// Starts n reads on n empty pipes, waits until every reader is suspended in its read, then makes
// all n readable at once (one byte each, in one task turn) and checks that each read delivered its
// own byte exactly once.
void read_burst(corio::runtime& rt, int n) {
  std::vector<std::unique_ptr<pipe_pair>> pipes;
  for (int i = 0; i < n; ++i) pipes.push_back(std::make_unique<pipe_pair>(rt));
  std::vector<char> got(n, 0);
  std::vector<int> results(n, 0);
  int started = 0;
  auto main = [&]() -> corio::task<void> {
    corio::task_group g;
    for (int i = 0; i < n; ++i)
      g.spawn([](const pipe_pair& p, char& out, int& res, int& s) -> corio::task<void> {
        ++s;
        char c = 0;
        res = co_await read_op(p, &c, 1);
        out = c;
      }(*pipes[i], got[i], results[i], started));
    // Every reader is suspended in its read once the group's children have all run once.
    while (started < n) co_await corio::yield();
    co_await corio::yield();
    REQUIRE(rt.scheduler().io().in_flight() == static_cast<std::size_t>(n));  // all pending
    const auto completed_before = rt.stats().io_completed;
    for (int i = 0; i < n; ++i) pipes[i]->put(static_cast<char>('a' + i % 26));
    co_await g.join();
    CHECK(rt.stats().io_completed - completed_before == static_cast<std::uint64_t>(n));
  };
  rt.block_on(main());
  int wrong = 0;
  for (int i = 0; i < n; ++i)
    if (results[i] != 1 || got[i] != static_cast<char>('a' + i % 26)) ++wrong;
  CHECK(wrong == 0);
}

corio::task<int> nop_op() {
  io_awaiter a;
  a.op.code = op_code::nop;
  co_return co_await a;
}

}  // namespace

TEST_SUITE("backend") {
  TEST_CASE_TEMPLATE("10,000 concurrent no-op operations all complete", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    int ok = 0;
    auto main = [&]() -> corio::task<void> {
      corio::task_group g;
      for (int i = 0; i < 10'000; ++i)
        g.spawn([](int& k) -> corio::task<void> {
          if (co_await nop_op() == 0) ++k;
        }(ok));
      co_await g.join();
    };
    rt.block_on(main());
    CHECK(ok == 10'000);
    CHECK(rt.stats().io_completed >= 10'000);
  }

  // io_uring only: Asio has no completion queue to overflow (its counterpart is below).
  TEST_CASE("io_uring: more completions in flight than the completion queue holds: none is lost") {
    corio::runtime_options o;
    o.sq_entries = 8;  // an 8-entry SQ and a 16-entry CQ for 2,000 completions
    o.cq_entries = 16;
    CORIO_RUNTIME(rt, corio_test::uring, o);
    // The kernel took the sizes as given (it may round them up to powers of two).
    REQUIRE(rt.backend_reason().find("sq=8 cq=16") != std::string::npos);
    // All 2,000 reads become complete during one task turn, with no reaping in between, so the
    // kernel holds 1,984 of them on its overflow list (IORING_FEAT_NODROP) for corio to flush.
    read_burst(rt, 2000);
  }

  // Asio's counterpart: its epoll reactor takes at most 128 events per epoll_wait
  // (asio/detail/impl/epoll_reactor.ipp), so 1,000 fds made readable at once need several
  // batches, and every read must still complete once with its byte.
  TEST_CASE("asio: more reads made ready at once than one epoll_wait returns: none is lost") {
    CORIO_RUNTIME(rt, corio_test::asio);
    read_burst(rt, 1000);
  }

  TEST_CASE_TEMPLATE("IO completes while other tasks keep the loop busy", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    pipe_pair p(rt);
    auto main = [&]() -> corio::task<void> {
      bool done = false;
      auto reader = corio::spawn([](pipe_pair& pp, bool& d) -> corio::task<void> {
        char c;
        CHECK(co_await read_op(pp, &c, 1) == 1);
        d = true;
      }(p, done));
      co_await corio::yield();
      p.put('x');
      // This task never lets the ready queue empty; the read must still be reaped.
      long spins = 0;
      while (!done && spins < 50'000'000) {
        co_await corio::yield();
        ++spins;
      }
      CHECK(done);
      co_await reader;
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("cancelling a pending read completes it with ECANCELED and the fd stays usable", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    pipe_pair p(rt);
    auto main = [&]() -> corio::task<void> {
      char c = 0;
      auto h = corio::spawn(read_op(p, &c, 1));
      co_await corio::yield();
      h.cancel();
      CHECK(co_await h == -ECANCELED);
      p.put('y');
      char d = 0;
      CHECK(co_await read_op(p, &d, 1) == 1);
      CHECK(d == 'y');
      CHECK(c == 0);  // the cancelled read's buffer was never written
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("an operation's deadline expires with ECANCELED and timed_out", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    pipe_pair p(rt);
    auto main = [&]() -> corio::task<void> {
      char c = 0;
      bool timed_out = false;
      auto start = std::chrono::steady_clock::now();
      auto deadline = corio::detail::to_ns(corio::now() + 20ms);
      CHECK(co_await read_op(p, &c, 1, deadline, &timed_out) == -ECANCELED);
      CHECK(timed_out);
      CHECK(std::chrono::steady_clock::now() - start >= 20ms);
      // With data available the deadline does not fire.
      p.put('z');
      timed_out = false;
      CHECK(co_await read_op(p, &c, 1, corio::detail::to_ns(corio::now() + 1s), &timed_out) == 1);
      CHECK_FALSE(timed_out);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("destroying a runtime with reads in flight cancels them first", B, CORIO_BACKENDS) {
    std::vector<int> writers;
    {
      CORIO_RUNTIME(rt, B);
      // Each task owns its pipe: teardown drains the reads, then destroys the frames, whose
      // pipe_pair destructors detach and close the fds while the backend still exists.
      auto reader = [](corio::runtime& r, std::vector<int>& w) -> corio::task<void> {
        pipe_pair p(r);
        w.push_back(::dup(p.w));
        char c = 0;
        co_await read_op(p, &c, 1);
        FAIL("the read must not complete: nothing is written before teardown");
      };
      auto main = [&]() -> corio::task<void> {
        for (int i = 0; i < 100; ++i) corio::spawn(reader(rt, writers)).detach();
        co_await corio::yield();
        co_await corio::yield();
      };
      rt.block_on(main());
      CHECK(rt.scheduler().io().in_flight() == 100);
    }
    for (int w : writers) ::close(w);
    CHECK(writers.size() == 100);
  }
}
