// Hard errors of TCP streams, typed and named: connection refused, end of stream in the middle of
// read_exact (with the byte count), connection reset by the peer, writing to a reset connection.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;

namespace {

// A port on 127.0.0.1 that is bound but not listening: connecting to it is refused, and no other
// process can start listening on it while the socket lives.
struct refused_port {
  int fd = -1;
  std::uint16_t port = 0;
  refused_port() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
  ~refused_port() { ::close(fd); }
};

// Makes close() send a RST instead of a FIN.
void set_linger_zero(int fd) {
  linger lg{1, 0};
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
}

}  // namespace

TEST_SUITE("net errors") {
  TEST_CASE_TEMPLATE("connect to a closed port: connection refused, with the endpoint in the message", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    refused_port p;
    rt.block_on([](std::uint16_t port) -> task<void> {
      const endpoint ep = endpoint::parse("127.0.0.1:" + std::to_string(port));
      try {
        (void)co_await tcp_stream::connect(ep);
        FAIL("connected to a port nobody listens on");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::connection_refused);
        CHECK(e.code().category() == std::system_category());
        CHECK(std::string(e.what()) == "connect 127.0.0.1:" + std::to_string(port) + ": Connection refused");
      }
      // The same through connect(host, port): every address is tried, the last error is thrown.
      CHECK_THROWS_WITH_AS((void)co_await tcp_stream::connect("localhost", port), doctest::Contains("Connection refused"),
                           corio::error);
    }(p.port));
  }

  TEST_CASE_TEMPLATE("peer closes in the middle of read_exact: end of stream with the byte count", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      co_await server.write_all(payload(10));
      server.close();
      std::vector<std::byte> buf(100);
      try {
        co_await client.read_exact(buf);
        FAIL("read_exact returned 100 bytes out of 10");
      } catch (const corio::incomplete_read& e) {
        CHECK(e.code() == corio::errc::eof);
        CHECK(e.bytes_read() == 10);
        CHECK(e.bytes_expected() == 100);
        CHECK(std::string(e.what()) ==
              "read_exact " + client.peer_endpoint().to_string() + ": got 10 of 100 bytes: end of stream");
      }
      CHECK(std::equal(buf.begin(), buf.begin() + 10, payload(10).begin()));
      // Further reads see end of stream (0), not an error.
      CHECK(co_await client.read_some(buf) == 0);
    }());
  }

  TEST_CASE_TEMPLATE("peer resets the connection: reads and writes fail with typed errors", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      {
        // A read pending when the RST arrives.
        auto [client, server] = co_await connected_pair(l);
        char buf[16];
        auto reader = corio::spawn(client.read_some(buf));
        co_await corio::yield();
        set_linger_zero(server.native_handle());
        server.close();
        try {
          (void)co_await reader;
          FAIL("read survived a reset");
        } catch (const corio::error& e) {
          CHECK(e.code() == std::errc::connection_reset);
          CHECK(std::string(e.what()).find("read 127.0.0.1:") == 0);
          CHECK(std::string(e.what()).find("Connection reset by peer") != std::string::npos);
        }
      }
      {
        // A write after the RST: EPIPE or ECONNRESET (the kernel reports either), never SIGPIPE.
        auto [client, server] = co_await connected_pair(l);
        set_linger_zero(server.native_handle());
        server.close();
        std::error_code ec;
        auto big = payload(1 << 20);
        for (int i = 0; i < 4 && !ec; ++i) {
          try {
            co_await client.write_all(big);
          } catch (const corio::error& e) {
            ec = e.code();
            CHECK(std::string(e.what()).find("write 127.0.0.1:") == 0);
          }
        }
        CHECK((ec == std::errc::broken_pipe || ec == std::errc::connection_reset));
      }
    }());
  }

  TEST_CASE_TEMPLATE("read_some returns 0 at end of stream and after shutdown(send) of the peer", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      tcp_listener l = loopback_listener();
      auto [client, server] = co_await connected_pair(l);
      server.shutdown(corio::net::shutdown_how::send);
      char b[4];
      CHECK(co_await client.read_some(b) == 0);
      // The other direction still works.
      co_await client.write_all(std::string_view("abcd"));
      co_await server.read_exact(b);
      CHECK(std::string_view(b, 4) == "abcd");
      client.close();
      CHECK_THROWS_WITH_AS(client.shutdown(), doctest::Contains("Bad file descriptor"), corio::error);
      CHECK_THROWS_AS((void)client.peer_endpoint(), corio::error);
    }());
  }
}
