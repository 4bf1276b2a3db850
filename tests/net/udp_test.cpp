// UDP: datagram round trips over IPv4 and IPv6, truncation, receive deadline and cancellation.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <algorithm>
#include <chrono>
#include <string>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;
using namespace std::chrono_literals;
using corio::net::datagram;
using corio::net::udp_socket;

TEST_SUITE("net udp") {
  TEST_CASE_TEMPLATE("send_to / receive_from round trips over IPv4 and IPv6", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      const bool v6 = have_ipv6_loopback();
      if (!v6) MESSAGE("no IPv6 loopback on this host: IPv4 only");
      for (const char* where : {"127.0.0.1:0", "[::1]:0"}) {
        if (where[0] == '[' && !v6) continue;
        INFO(where);
        udp_socket a = udp_socket::bind(where);
        udp_socket b = udp_socket::bind(where);
        const endpoint ea = a.local_endpoint(), eb = b.local_endpoint();
        CHECK(ea.port() != 0);
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{1200}, std::size_t{60000}}) {
          auto msg = payload(n, static_cast<std::uint32_t>(n));
          CHECK(co_await a.send_to(msg, eb) == n);
          std::vector<std::byte> buf(65536);
          datagram d = co_await b.receive_from(buf, 5s);
          CHECK(d.size == n);
          CHECK(d.from == ea);
          CHECK_FALSE(d.truncated);
          CHECK(std::equal(msg.begin(), msg.end(), buf.begin()));
        }
        // Reply to the sender's address.
        CHECK(co_await b.send_to(std::string_view("pong"), ea) == 4);
        char r[8];
        datagram d = co_await a.receive_from(r);
        CHECK(std::string_view(r, d.size) == "pong");
        CHECK(d.from == eb);
      }
    }());
  }

  TEST_CASE_TEMPLATE("a datagram larger than the buffer is truncated and says so", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      udp_socket a = udp_socket::bind("127.0.0.1:0");
      udp_socket b = udp_socket::bind("127.0.0.1:0");
      co_await a.send_to(std::string_view("0123456789"), b.local_endpoint());
      char small[4];
      datagram d = co_await b.receive_from(small);
      CHECK(d.size == 4);
      CHECK(d.truncated);
      CHECK(std::string_view(small, 4) == "0123");
      // The rest of that datagram is gone; the next datagram arrives whole.
      co_await a.send_to(std::string_view("ab"), b.local_endpoint());
      d = co_await b.receive_from(small);
      CHECK(d.size == 2);
      CHECK_FALSE(d.truncated);
    }());
  }

  TEST_CASE_TEMPLATE("receive_from: deadline, cancellation, and the socket stays usable", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      udp_socket a = udp_socket::bind("127.0.0.1:0");
      udp_socket b = udp_socket::open();
      char buf[16];
      try {
        (void)co_await a.receive_from(buf, 20ms);
        FAIL("received a datagram nobody sent");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
        CHECK(std::string(e.what()) == "receive_from " + a.local_endpoint().to_string() + ": timed out");
      }
      auto h = corio::spawn(a.receive_from(buf));
      co_await corio::yield();
      REQUIRE_FALSE(h.done());
      h.cancel();
      CHECK_THROWS_WITH_AS((void)co_await h, doctest::Contains("operation aborted"), corio::error);
      // An unbound socket is bound by its first send; the datagram reaches the next receive.
      co_await b.send_to(std::string_view("late"), a.local_endpoint());
      datagram d = co_await a.receive_from(buf, 5s);
      CHECK(std::string_view(buf, d.size) == "late");
      CHECK(d.from.port() == b.local_endpoint().port());
    }());
  }

  TEST_CASE_TEMPLATE("UDP errors are typed", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      udp_socket a = udp_socket::bind("127.0.0.1:0");
      // Binding an address this host does not have.
      CHECK_THROWS_WITH_AS((void)udp_socket::bind("192.0.2.1:0"), doctest::Contains("bind 192.0.2.1:0"), corio::error);
      // An IPv4 socket cannot send to an IPv6 address.
      CHECK_THROWS_AS((void)co_await a.send_to(std::string_view("x"), endpoint::parse("[::1]:9")), corio::error);
      // Too large for one datagram.
      std::vector<std::byte> huge(70000);
      try {
        (void)co_await a.send_to(huge, a.local_endpoint());
        FAIL("sent a 70,000-byte datagram");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::message_size);
        CHECK(std::string(e.what()).find("send_to " + a.local_endpoint().to_string() + " to ") == 0);
      }
    }());
  }
}
