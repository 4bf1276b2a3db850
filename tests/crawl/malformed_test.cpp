// corio::http::client against misbehaving servers, on both backends: each must produce the right
// typed error, and within the deadline (a server that never answers or trickles bytes ends at the
// deadline, not later; a broken one fails at once). The servers are corio tasks on the test's own
// runtime; pacing a trickle is the server's behaviour, not a synchronisation.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <ostream>

#include <corio/corio.hpp>
#include <corio/http/client.hpp>
#include <corio/http/error.hpp>

#include "crawl_support.hpp"
#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::task;
using corio::http::client;
using corio::http::client_options;
using corio::http::errc;
using crawl_test::read_head;
using crawl_test::scripted_server;
using crawl_test::tcp_stream;

namespace {

using steady = std::chrono::steady_clock;

struct outcome {
  std::error_code code;
  std::string what;
  steady::duration took{};
};

// Runs one GET against a server whose connections all run `h`, with a request deadline `d`.
template <class H>
task<outcome> fetch_from(H h, std::chrono::milliseconds d, client_options o = {}, bool connection_broken = true) {
  scripted_server srv(std::move(h));
  o.request_timeout = d;
  client c(o);
  outcome out;
  const auto t0 = steady::now();
  try {
    auto r = co_await c.get(srv.url("/x"));
    FAIL("got a response, status " << r.status);
  } catch (const corio::error& e) {
    out.code = e.code();
    out.what = e.what();
  }
  out.took = steady::now() - t0;
  if (connection_broken) CHECK(c.idle_connections() == 0);  // a broken connection is never pooled
  co_await srv.stop();
  co_return out;
}

// Generous: the debug build runs under ASan on a shared machine.
constexpr auto kSlack = 2s;

}  // namespace

// `o.took < 5s` below: each fetch has a 5 s deadline, and the check is that the error came from
// the response itself, not from that deadline. A loopback exchange takes milliseconds, so the bound
// is hundreds of times the expected time; only a machine stalled for seconds could trip it.
TEST_SUITE("crawl.malformed") {
  TEST_CASE_TEMPLATE("a garbage status line is a malformed response", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          co_await read_head(s);
          co_await s.write_all(std::string_view("HTXP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        },
        5s));
    CHECK(o.code == errc::malformed_response);
    CHECK(o.what.find("GET http://127.0.0.1:") == 0);
    CHECK(o.took < 5s);
  }

  TEST_CASE_TEMPLATE("a body cut short by the server closing is truncated", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          co_await read_head(s);
          co_await s.write_all(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly ten b"));
        },
        5s));
    CHECK(o.code == errc::truncated);
    CHECK(o.what.find("after 10 body bytes") != std::string::npos);
    CHECK(o.took < 5s);
  }

  TEST_CASE_TEMPLATE("a header flood is header_too_large", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          co_await read_head(s);
          co_await s.write_all(std::string_view("HTTP/1.1 200 OK\r\n"));
          const std::string line = "X-Flood: " + std::string(1000, 'a') + "\r\n";
          for (int k = 0; k < 200; ++k) co_await s.write_all(line);  // 200 KB of headers
        },
        5s));
    CHECK(o.code == errc::header_too_large);
    CHECK(o.took < 5s);
  }

  TEST_CASE_TEMPLATE("a server that never answers times out at the deadline", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          co_await read_head(s);
          corio::event never;
          co_await never.wait();  // until the server is stopped
        },
        300ms));
    CHECK(o.code == errc::timeout);
    CHECK(o.code == std::errc::timed_out);
    CHECK(o.what.find("waiting for the response") != std::string::npos);
    CHECK(o.took >= 300ms);  // corio's timers never fire early
    CHECK(o.took < 300ms + kSlack);
  }

  TEST_CASE_TEMPLATE("a server that trickles a byte at a time cannot stretch the deadline", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          co_await read_head(s);
          const std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x');
          for (char ch : resp) {
            co_await s.write_all(std::string_view(&ch, 1));
            co_await corio::sleep_for(20ms);  // the server's pace: one byte every 20 ms
          }
        },
        400ms));
    CHECK(o.code == errc::timeout);
    CHECK(o.what.find("reading the response") != std::string::npos);
    CHECK(o.took >= 400ms);
    CHECK(o.took < 400ms + kSlack);
  }

  TEST_CASE_TEMPLATE("a reset connection is connection_reset", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          co_await read_head(s);
          linger l{1, 0};  // close with RST instead of FIN
          ::setsockopt(s.native_handle(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
          s.close();
        },
        5s));
    CHECK(o.code == errc::connection_reset);
    CHECK(o.code == std::errc::connection_reset);
    CHECK(o.took < 5s);
  }

  TEST_CASE_TEMPLATE("a redirect loop is too_many_redirects", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    client_options opts;
    opts.max_redirects = 3;
    auto o = rt.block_on(fetch_from(
        [](tcp_stream s) -> task<void> {
          for (;;) {
            const std::string head = co_await read_head(s);
            if (head.empty()) break;
            co_await s.write_all(std::string_view("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"));
          }
        },
        5s, opts, /*connection_broken=*/false));  // each redirect was a whole response
    CHECK(o.code == errc::too_many_redirects);
    CHECK(o.took < 5s);
  }

  TEST_CASE_TEMPLATE("a connect that cannot finish is bounded by connect_timeout", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      // A listener with a full backlog that never accepts: further handshakes are not completed.
      auto l = corio::net::tcp_listener::bind(corio::net::endpoint(corio::net::ip_address::loopback(), 0),
                                              corio::net::listen_options{.backlog = 1});
      std::vector<corio::net::tcp_stream> fill;
      client_options o;
      o.connect_timeout = 300ms;
      o.request_timeout = 10s;
      client c(o);
      const std::string u = crawl_test::url_of(l.local_endpoint().port(), "/");
      // Fill the accept queue (a few connections complete before the kernel starts dropping SYNs).
      std::error_code ec;
      auto t0 = steady::now();
      for (int k = 0; k < 16 && !ec; ++k) {
        t0 = steady::now();
        try {
          fill.push_back(co_await corio::net::tcp_stream::connect(l.local_endpoint(), corio::deadline(300ms)));
        } catch (const corio::error& e) {
          ec = e.code();
        }
      }
      REQUIRE_MESSAGE(ec == corio::errc::timed_out, "the backlog never filled: " << ec.message());
      t0 = steady::now();
      std::error_code got;
      try {
        co_await c.get(u);
      } catch (const corio::error& e) {
        got = e.code();
      }
      const auto took = steady::now() - t0;
      CHECK(got == errc::timeout);
      CHECK(took >= 300ms);
      CHECK(took < 300ms + kSlack);
    }());
  }
}
