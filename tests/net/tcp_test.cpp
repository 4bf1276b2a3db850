// TCP: loopback round trips of 0 B .. 8 MiB over IPv4 and IPv6, 1,000 concurrent connections to an
// in-process echo server, endpoints and options, moving a stream while another task reads it.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;
using corio::net::ip_family;

namespace {

// Sends `data` through an echo session and reads it back concurrently (a large payload would
// otherwise fill both socket buffers and stall), then half-closes and expects end of stream.
task<std::vector<std::byte>> round_trip(ip_family f, std::vector<std::byte> data) {
  tcp_listener l = loopback_listener(f);
  auto [client, server] = co_await connected_pair(l);
  auto echo = corio::spawn(echo_session(std::move(server)));
  std::vector<std::byte> back(data.size());
  auto writer = [&]() -> task<void> {
    co_await client.write_all(data);
    client.shutdown(corio::net::shutdown_how::send);
  };
  auto reader = [&]() -> task<void> {
    co_await client.read_exact(back);
    std::byte extra[16];
    std::size_t n = co_await client.read_some(extra);  // the echo closed: end of stream
    CHECK(n == 0);
  };
  co_await corio::when_all(writer(), reader());
  CHECK(co_await echo == data.size());
  co_return back;
}

}  // namespace

TEST_SUITE("net tcp") {
  TEST_CASE_TEMPLATE("loopback round trips of 0, 1, 64 KiB and 8 MiB over IPv4 and IPv6", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    const bool v6 = have_ipv6_loopback();
    if (!v6) MESSAGE("no IPv6 loopback on this host: IPv4 only");
    for (ip_family f : {ip_family::v4, ip_family::v6}) {
      if (f == ip_family::v6 && !v6) continue;
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{64} * 1024, std::size_t{8} << 20}) {
        INFO("bytes " << n << (f == ip_family::v6 ? " IPv6" : " IPv4"));
        auto data = payload(n, static_cast<std::uint32_t>(n + 7));
        auto back = rt.block_on(round_trip(f, data));
        CHECK(back.size() == data.size());
        CHECK(back == data);
      }
    }
  }

  TEST_CASE_TEMPLATE("1,000 concurrent connections to an echo server in the same process", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    constexpr int kClients = 1000;
    auto test = [&]() -> task<void> {
      tcp_listener l = loopback_listener();
      const endpoint ep = l.local_endpoint();
      std::size_t echoed = 0;
      auto server = [&]() -> task<void> {
        corio::task_group sessions;
        for (int i = 0; i < kClients; ++i) {
          tcp_stream s = co_await l.accept();
          sessions.spawn([](tcp_stream s, std::size_t& total) -> task<void> {
            total += co_await echo_session(std::move(s));
          }(std::move(s), echoed));
        }
        co_await sessions.join();
      };
      auto client = [&](int id) -> task<int> {
        tcp_stream s = co_await tcp_stream::connect(ep);
        auto msg = payload(100 + static_cast<std::size_t>(id % 50), static_cast<std::uint32_t>(id));
        co_await s.write_all(msg);
        std::vector<std::byte> back(msg.size());
        co_await s.read_exact(back);
        co_return back == msg ? 1 : 0;
      };
      std::vector<task<int>> clients;
      for (int i = 0; i < kClients; ++i) clients.push_back(client(i));
      auto [ok, unit] = co_await corio::when_all(corio::when_all(std::move(clients)), server());
      (void)unit;
      int good = 0;
      for (int v : ok) good += v;
      CHECK(good == kClients);
      std::size_t expected = 0;
      for (int i = 0; i < kClients; ++i) expected += 100 + static_cast<std::size_t>(i % 50);
      CHECK(echoed == expected);
    };
    rt.block_on(test());
  }

  TEST_CASE_TEMPLATE("endpoints, port 0, options, and connect by name", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = tcp_listener::bind("127.0.0.1:0");
      const endpoint le = l.local_endpoint();
      CHECK(le.address() == corio::net::ip_address::loopback());
      CHECK(le.port() != 0);
      auto [client, server] = co_await connected_pair(l);
      CHECK(client.peer_endpoint() == le);
      CHECK(server.local_endpoint() == le);
      CHECK(server.peer_endpoint() == client.local_endpoint());
      client.set_nodelay(true);
      client.set_keepalive(true);
      // connect(host, port) resolves first: "localhost" comes from /etc/hosts.
      auto [byname, accepted] = co_await corio::when_all(tcp_stream::connect("localhost", le.port()), l.accept());
      CHECK(byname.peer_endpoint().port() == le.port());
      co_await byname.write_all(std::string_view("hi"));
      char buf[2];
      co_await accepted.read_exact(buf);
      CHECK(std::string_view(buf, 2) == "hi");
      // A second listener on the same port fails with a clear error.
      try {
        (void)tcp_listener::bind(le);
        FAIL("bound the same port twice");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::address_in_use);
        CHECK(std::string(e.what()).find("bind " + le.to_string()) == 0);
      }
    }());
  }

  TEST_CASE_TEMPLATE("IPv6 listener on [::] accepts IPv4 unless v6_only", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    if (!have_ipv6_loopback()) {
      MESSAGE("no IPv6 on this host: skipped");
      std::exit(77);
    }
    rt.block_on([]() -> task<void> {
      tcp_listener dual = tcp_listener::bind("[::]:0");
      const auto port = dual.local_endpoint().port();
      auto [c, s] = co_await corio::when_all(tcp_stream::connect(endpoint::parse("127.0.0.1:" + std::to_string(port))),
                                             dual.accept());
      CHECK(s.peer_endpoint().is_v6());  // ::ffff:127.0.0.1
      CHECK(s.peer_endpoint().address().to_string() == "::ffff:127.0.0.1");
      corio::net::listen_options o;
      o.v6_only = true;
      tcp_listener only6 = tcp_listener::bind(endpoint(corio::net::ip_address::unspecified(ip_family::v6), 0), o);
      const auto port6 = only6.local_endpoint().port();
      CHECK_THROWS_WITH_AS(co_await tcp_stream::connect(endpoint::parse("127.0.0.1:" + std::to_string(port6))),
                           doctest::Contains("Connection refused"), corio::error);
    }());
  }

  TEST_CASE_TEMPLATE("a stream moved while another task reads it keeps working", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      std::vector<tcp_stream> streams;
      streams.push_back(std::move(client));
      char buf[5] = {};
      auto reader = corio::spawn([](tcp_stream& s, char* b) -> task<void> { co_await s.read_exact(b, 5); }(streams[0], buf));
      co_await corio::yield();  // the read is now pending in the backend
      // Reallocate: the stream object moves while its read is pending.
      tcp_stream moved = std::move(streams[0]);
      streams.clear();
      co_await server.write_all(std::string_view("hello"));
      co_await reader;
      CHECK(std::string_view(buf, 5) == "hello");
      co_await moved.write_all(std::string_view("back"));
      char b2[4];
      co_await server.read_exact(b2);
      CHECK(std::string_view(b2, 4) == "back");
    }());
  }

  TEST_CASE_TEMPLATE("empty reads and writes complete at once", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      CHECK(co_await client.read_some(nullptr, 0) == 0);
      CHECK(co_await client.write_some(nullptr, 0) == 0);
      co_await client.read_exact(nullptr, 0);
      co_await client.write_all(nullptr, 0);
    }());
  }
}
