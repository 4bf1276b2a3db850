// Leaf IO operations as plain awaitables (issue 9): they compose with when_any / when_all /
// spawn / task_group / timeout like tasks do, losers are cancelled without touching their
// buffers, and try_read_some / try_write_some never wait.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "net/net_support.hpp"
#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::task;
using corio::net::tcp_stream;
using corio::net::unix_stream;

TEST_SUITE("leaf operations") {
  TEST_CASE_TEMPLATE("when_any(sleep_for, read_some): the sleep wins, the read is cancelled unread", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      std::array<char, 8> buf{};
      buf.fill('.');
      auto r = co_await corio::when_any(corio::sleep_for(20ms), a.read_some(buf));
      CHECK(r.index == 0);
      CHECK(buf[0] == '.');  // the cancelled read never wrote its buffer
      // The stream is still usable, and the byte sent now was not consumed by the loser.
      co_await b.write_all(std::string_view("x"));
      CHECK(co_await a.read_some(buf) == 1);
      CHECK(buf[0] == 'x');
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("when_any(sleep_for, read_some): data wins, the sleep is cancelled", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      co_await b.write_all(std::string_view("hello"));
      std::array<char, 8> buf{};
      auto r = co_await corio::when_any(corio::sleep_for(1h), a.read_some(buf));
      REQUIRE(r.index == 1);
      CHECK(std::get<1>(r.value) == 5);
      CHECK(std::string(buf.data(), 5) == "hello");
    };
    rt.block_on(main());
    CHECK(rt.stats().timers_fired == 0);  // the hour-long sleep was cancelled, not waited for
  }

  TEST_CASE_TEMPLATE("when_all, spawn and task_group take leaf operations", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto l = net_test::loopback_listener();
      // accept() and write_some() are awaitables, not tasks.
      auto [client, server] = co_await corio::when_all(tcp_stream::connect(l.local_endpoint()), l.accept());
      std::array<char, 4> in{};
      auto reader = corio::spawn(server.read_some(in));
      auto [n] = co_await corio::when_all(client.write_some(std::string_view("ping")));
      CHECK(n == 4);
      std::size_t got = co_await reader;
      CHECK(got >= 1);
      CHECK(std::string_view(in.data(), got) == std::string_view("ping").substr(0, got));
      corio::task_group g;
      g.spawn(client.write_some(std::string_view("!")));
      g.spawn(corio::sleep_for(1ms));
      co_await g.join();
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("timeout around a leaf read: timed_out, and the stream stays usable", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      std::array<char, 4> buf{};
      try {
        co_await corio::timeout(10ms, a.read_some(buf));
        FAIL("nothing was written: the read cannot complete");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
      }
      co_await b.write_all(std::string_view("ok"));
      CHECK(co_await a.read_some(buf) == 2);
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("a leaf read's own deadline throws timed_out naming the peer", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto l = net_test::loopback_listener();
      auto [client, server] = co_await net_test::connected_pair(l);
      std::array<char, 4> buf{};
      try {
        co_await server.read_some(buf, 10ms);
        FAIL("nothing was written");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
        CHECK(std::string(e.what()).find("read 127.0.0.1:") == 0);
      }
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("try_read_some and try_write_some never wait", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      std::array<char, 16> buf{};
      CHECK_FALSE(a.try_read_some(buf).has_value());  // nothing has arrived
      std::optional<std::size_t> w = b.try_write_some(std::string_view("abc"));
      REQUIRE(w.has_value());
      CHECK(*w == 3);
      std::optional<std::size_t> r = a.try_read_some(buf);
      REQUIRE(r.has_value());
      CHECK(*r == 3);
      CHECK(std::string_view(buf.data(), 3) == "abc");
      // Fill b's send buffer: try_write_some reports "full" instead of waiting.
      std::string chunk(64 * 1024, 'z');
      std::size_t total = 0;
      bool full = false;
      for (int i = 0; i < 10'000 && !full; ++i) {
        auto n = b.try_write_some(chunk);
        if (!n) full = true; else total += *n;
      }
      CHECK(full);
      CHECK(total > 0);
      // End of stream is 0, not "nothing yet".
      auto [c, d] = unix_stream::pair();
      d.close();
      r = c.try_read_some(buf);
      REQUIRE(r.has_value());
      CHECK(*r == 0);
      // A closed stream is a typed error.
      c.close();
      CHECK_THROWS_AS(c.try_read_some(buf), corio::error);
      co_return;
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("try_write_some to a reset peer throws, without SIGPIPE", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      b.close();
      try {
        (void)a.try_write_some(std::string_view("lost"));
        FAIL("writing to a closed peer must fail");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::broken_pipe);
      }
      co_return;
    };
    rt.block_on(main());
  }

  TEST_CASE_TEMPLATE("a zero-byte leaf read or write completes at once without a request", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      const auto before = rt.stats().io_submitted;
      char c = 0;
      CHECK(co_await a.read_some(&c, 0) == 0);
      CHECK(co_await b.write_some(&c, 0) == 0);
      CHECK(rt.stats().io_submitted == before);
    };
    rt.block_on(main());
  }

  // Closing a stream from a task polls the backend to hand the cancellation to the kernel; on
  // io_uring the cancelled read may complete inside that poll. Its reader must be resumed before
  // the loop next blocks, not when some unrelated timer fires. The wall-clock bound cannot flake:
  // the reader resumes within microseconds; without the fix it waited for the 30 s sleep.
  TEST_CASE_TEMPLATE("a read cancelled by close() inside a task resumes before the loop blocks", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto main = [&]() -> task<void> {
      auto [a, b] = unix_stream::pair();
      std::array<char, 4> buf{};
      auto reader = corio::spawn([](unix_stream& s, std::array<char, 4>& buf) -> task<bool> {
        try {
          co_await s.read_some(buf);
        } catch (const corio::error& e) {
          co_return e.code() == corio::errc::operation_aborted;
        }
        co_return false;
      }(a, buf));
      co_await corio::yield();  // the reader is suspended in its read
      const auto t0 = std::chrono::steady_clock::now();
      // The closer closes the stream, then sleeps: nothing else is ready when it suspends.
      auto closer = corio::spawn([](unix_stream& s) -> task<void> {
        s.close();
        co_await corio::sleep_for(30s);
      }(a));
      CHECK(co_await reader);
      CHECK(std::chrono::steady_clock::now() - t0 < 10s);
      closer.cancel();
      CHECK_THROWS_AS(co_await closer, corio::error);
    };
    rt.block_on(main());
  }
}
