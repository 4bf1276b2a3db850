// Cancellation and deadlines of pending network operations: accept, connect and read cancelled
// while pending, read and connect deadlines, corio::timeout around a read, closing a stream under a
// pending read. After each, the object is still usable (or clearly closed) and the cancelled
// operation's buffer was never written.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;
using namespace std::chrono_literals;

namespace {

template <class T>
task<std::error_code> outcome(corio::join_handle<T>& h) {
  try {
    co_await h;
  } catch (const std::system_error& e) {
    co_return e.code();
  }
  co_return std::error_code{};
}

// A listener whose accept queue is full (backlog 1 holds two connections; it never accepts):
// another connect(2) gets no SYN-ACK, so its connect stays in progress.
struct full_listener {
  tcp_listener l;
  std::vector<tcp_stream> queued;
};

task<full_listener> make_full_listener() {
  full_listener f;
  corio::net::listen_options o;
  o.backlog = 1;
  f.l = tcp_listener::bind(endpoint::parse("127.0.0.1:0"), o);
  // Fill the queue: connects complete while there is room (the kernel finishes the handshake).
  for (int i = 0; i < 8; ++i) {
    auto h = corio::spawn(tcp_stream::connect(f.l.local_endpoint()));
    co_await corio::yield();
    if (!h.done()) {  // no SYN-ACK: the queue is full; this connect waits for a retransmit
      h.cancel();
      (void)co_await outcome(h);
      co_return f;
    }
    f.queued.push_back(co_await h);
  }
  FAIL("the accept queue never filled");
  co_return f;
}

}  // namespace

TEST_SUITE("net cancellation") {
  TEST_CASE_TEMPLATE("accept cancelled while pending: aborted, and the listener still accepts", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto h = corio::spawn(l.accept());
      co_await corio::yield();
      CHECK_FALSE(h.done());
      h.cancel();
      std::error_code ec = co_await outcome(h);
      CHECK(ec == corio::errc::operation_aborted);
      // The cancelled accept took no connection: the next one gets the next client.
      auto [c, s] = co_await connected_pair(l);
      CHECK(s.peer_endpoint() == c.local_endpoint());
    }());
  }

  TEST_CASE_TEMPLATE("accept with a deadline times out and so does corio::timeout", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      try {
        (void)co_await l.accept(20ms);
        FAIL("accept returned without a client");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
        CHECK(std::string(e.what()).find("accept " + l.local_endpoint().to_string()) == 0);
      }
      CHECK_THROWS_WITH_AS((void)co_await corio::timeout(20ms, l.accept()), doctest::Contains("timed out"), corio::error);
      auto [c, s] = co_await connected_pair(l);
      CHECK(s.is_open());
    }());
  }

  TEST_CASE_TEMPLATE("connect cancelled while pending, and a connect deadline", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      full_listener f = co_await make_full_listener();
      const endpoint ep = f.l.local_endpoint();
      auto h = corio::spawn(tcp_stream::connect(ep));
      co_await corio::yield();
      REQUIRE_FALSE(h.done());
      h.cancel();
      CHECK(co_await outcome(h) == corio::errc::operation_aborted);
      try {
        (void)co_await tcp_stream::connect(ep, 30ms);
        FAIL("connected to a full accept queue");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
        CHECK(std::string(e.what()) == "connect " + ep.to_string() + ": timed out");
      }
      // Accepting makes room again: the listener and the queued clients are fine.
      tcp_stream s = co_await f.l.accept();
      co_await s.write_all(std::string_view("ok"));
      char b[2];
      co_await f.queued[0].read_exact(b);
      CHECK(std::string_view(b, 2) == "ok");
    }());
  }

  TEST_CASE_TEMPLATE("read cancelled while pending consumes nothing and never writes its buffer", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      std::vector<std::byte> cancelled_buf(64, std::byte{0x5a});
      auto h = corio::spawn(client.read_some(cancelled_buf));
      co_await corio::yield();
      REQUIRE_FALSE(h.done());
      h.cancel();
      CHECK(co_await outcome(h) == corio::errc::operation_aborted);
      // Data sent now goes to the next read, not to the cancelled one.
      co_await server.write_all(std::string_view("after"));
      char buf[5];
      co_await client.read_exact(buf);
      CHECK(std::string_view(buf, 5) == "after");
      CHECK(std::all_of(cancelled_buf.begin(), cancelled_buf.end(), [](std::byte b) { return b == std::byte{0x5a}; }));
    }());
  }

  TEST_CASE_TEMPLATE("read deadline expires with timed_out and the stream stays usable", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      char buf[8];
      const auto t0 = corio::now();
      try {
        (void)co_await client.read_some(buf, 30ms);
        FAIL("read returned without data");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
        CHECK(e.code() == std::errc::timed_out);
        CHECK(std::string(e.what()) == "read " + client.peer_endpoint().to_string() + ": timed out");
      }
      CHECK(corio::now() - t0 >= 30ms);
      // A deadline as an absolute time, and corio::timeout, behave the same.
      CHECK_THROWS_AS((void)co_await client.read_some(buf, corio::now() + 10ms), corio::error);
      CHECK_THROWS_WITH_AS((void)co_await corio::timeout(10ms, client.read_some(buf)), doctest::Contains("timed out"),
                           corio::error);
      co_await server.write_all(std::string_view("12345678"));
      co_await client.read_exact(buf, 5s);
      CHECK(std::string_view(buf, 8) == "12345678");
      // read_exact: the deadline covers the whole read; part of the data may have arrived.
      co_await server.write_all(std::string_view("1234"));
      try {
        co_await client.read_exact(buf, 30ms);
        FAIL("read_exact got 8 bytes out of 4");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
        CHECK(std::string(e.what()).find("(after 4 of 8 bytes)") != std::string::npos);
      }
    }());
  }

  TEST_CASE_TEMPLATE("closing a stream under a pending read aborts the read", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      std::optional<tcp_stream> owner(std::move(client));
      char buf[4];
      auto h = corio::spawn(owner->read_some(buf));
      co_await corio::yield();
      REQUIRE_FALSE(h.done());
      owner.reset();  // destroys the stream while its read is pending
      std::error_code ec = co_await outcome(h);
      CHECK(ec == corio::errc::operation_aborted);
      // The peer sees the close.
      CHECK(co_await server.read_some(buf) == 0);
      // A closed listener aborts its pending accepts the same way.
      auto a = corio::spawn(l.accept());
      co_await corio::yield();
      l.close();
      CHECK(co_await outcome(a) == corio::errc::operation_aborted);
      CHECK_FALSE(l.is_open());
      // Using a closed object is an error, not a crash.
      CHECK_THROWS_WITH_AS((void)co_await l.accept(), doctest::Contains("Bad file descriptor"), corio::error);
    }());
  }

  TEST_CASE_TEMPLATE("a task cancelled before it reads never suspends in the backend", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      co_await server.write_all(std::string_view("x"));
      char b;
      auto h = corio::spawn(client.read_some(&b, 1));
      h.cancel();  // before it ever ran
      CHECK(co_await outcome(h) == corio::errc::operation_aborted);
      CHECK(co_await client.read_some(&b, 1) == 1);  // the byte is still there
      CHECK(b == 'x');
    }());
  }
}
