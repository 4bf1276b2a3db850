// corio::http::client (the async HTTP/1.1 client) against the site server on the same runtime, on
// both backends: bodies of every size, HEAD, chunked, redirects, keep-alive reuse (counted on both
// sides), Connection: close, many requests at once, the stale pooled connection retry, and the
// errors that need no misbehaving server (refused, bad URLs, body limits).
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/corio.hpp>
#include <corio/http/client.hpp>
#include <corio/http/error.hpp>

#include "crawl/site.hpp"
#include "crawl_support.hpp"
#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::task;
using corio::http::client;
using corio::http::client_options;
using corio::http::errc;
using corio::http::url;
using crawl_test::local_site;
using crawl_test::scripted_server;

namespace {

corio_bench::site_server_config site_config(std::uint64_t pages, std::size_t page_bytes) {
  corio_bench::site_server_config c;
  c.site.pages = pages;
  c.site.page_bytes = page_bytes;
  c.site.links = 4;
  c.accept_tasks = 4;
  return c;
}

// The error a request raises (FAILs if none).
task<std::error_code> error_of(task<corio::http::response> t, std::string* what = nullptr) {
  try {
    co_await std::move(t);
  } catch (const corio::error& e) {
    if (what) *what = e.what();
    co_return e.code();
  }
  FAIL("the request succeeded");
  co_return std::error_code{};
}

}  // namespace

TEST_SUITE("crawl.client") {
  TEST_CASE_TEMPLATE("GET of small, page-sized and large pages returns the site's exact bytes", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    for (std::size_t bytes : {200u, 4096u, 300u * 1024u}) {
      CAPTURE(bytes);
      rt.block_on([](std::size_t page_bytes) -> task<void> {
        const auto cfg = site_config(20, page_bytes);
        corio_bench::site expected(cfg.site);
        local_site srv(cfg);
        client c;
        for (std::uint64_t i : {0u, 7u, 19u}) {
          auto r = co_await c.get(srv.url("/page/" + std::to_string(i)));
          CHECK(r.status == 200);
          CHECK(r.body == expected.page(i));
          CHECK(r.header_value("content-type") == "text/html; charset=utf-8");
          CHECK(r.final_url.str() == srv.url("/page/" + std::to_string(i)));
          CHECK(r.redirects == 0);
          CHECK_FALSE(r.chunked);
        }
        auto nf = co_await c.get(srv.url("/page/20"));  // one past the last page
        CHECK(nf.status == 404);
        co_await srv.stop();
      }(bytes));
    }
  }

  TEST_CASE_TEMPLATE("keep-alive: one connection serves sequential requests - Connection: close opens one per request", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      local_site srv(site_config(10, 1000));
      {
        client c;
        for (int k = 0; k < 5; ++k) {
          auto r = co_await c.get(srv.url("/page/" + std::to_string(k)));
          CHECK(r.status == 200);
        }
        CHECK(c.stats().requests == 5);
        CHECK(c.stats().connections_opened == 1);
        CHECK(c.stats().connections_reused == 4);
        CHECK(c.idle_connections() == 1);
        CHECK(srv.stats().connections == 1);
        c.close_idle_connections();
        CHECK(c.idle_connections() == 0);
      }
      client_options o;
      o.keep_alive = false;
      client c2(o);
      for (int k = 0; k < 3; ++k) {
        auto r = co_await c2.get(srv.url("/page/1"));
        CHECK(r.status == 200);
        CHECK_FALSE(r.keep_alive);  // the server answered Connection: close
      }
      CHECK(c2.stats().connections_opened == 3);
      CHECK(c2.idle_connections() == 0);
      CHECK(srv.stats().connections == 4);
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("HEAD, chunked bodies and redirects", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      const auto cfg = site_config(10, 5000);
      corio_bench::site expected(cfg.site);
      local_site srv(cfg);
      client c;
      auto h = co_await c.head(url::parse(srv.url("/page/3")));
      CHECK(h.status == 200);
      CHECK(h.body.empty());
      CHECK(h.header_value("content-length") == std::to_string(expected.page(3).size()));

      auto ch = co_await c.get(srv.url("/chunked/4"));
      CHECK(ch.status == 200);
      CHECK(ch.chunked);
      CHECK(ch.body == expected.page(4));

      auto rd = co_await c.get(srv.url("/redirect/5"));
      CHECK(rd.status == 200);
      CHECK(rd.redirects == 1);
      CHECK(rd.final_url.str() == srv.url("/page/5"));
      CHECK(rd.body == expected.page(5));
      // All of it on the one keep-alive connection.
      CHECK(c.stats().connections_opened == 1);
      CHECK(c.stats().requests == 4);

      client_options o;
      o.follow_redirects = false;
      client nofollow(o);
      auto raw = co_await nofollow.get(srv.url("/redirect/5"));
      CHECK(raw.status == 302);
      CHECK(raw.header_value("location") == "/page/5");
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("many requests at once on one client, each on its own connection", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      const auto cfg = site_config(64, 2048);
      corio_bench::site expected(cfg.site);
      local_site srv(cfg);
      client_options o;
      o.max_idle_per_host = 64;  // keep them all: the server sees all 64 open together
      client c(o);
      std::vector<task<corio::http::response>> reqs;
      for (int i = 0; i < 64; ++i) reqs.push_back(c.get(srv.url("/page/" + std::to_string(i))));
      auto rs = co_await corio::when_all(std::move(reqs));
      REQUIRE(rs.size() == 64);
      int right = 0;
      for (std::size_t i = 0; i < rs.size(); ++i) right += rs[i].status == 200 && rs[i].body == expected.page(i);
      CHECK(right == 64);
      CHECK(c.stats().connections_opened == 64);
      CHECK(srv.stats().peak_connections == 64);  // they really were in flight together
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("a pooled connection the server closed is retried once on a new one", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      // Answers one request with keep-alive, then closes the connection anyway.
      scripted_server srv([](crawl_test::tcp_stream s) -> task<void> {
        const std::string head = co_await crawl_test::read_head(s);
        if (head.empty()) co_return;
        co_await s.write_all(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
      });
      client c;
      auto first = co_await c.get(srv.url("/a"));
      CHECK(first.body == "ok");
      CHECK(c.idle_connections() == 1);
      auto r = co_await c.get(srv.url("/b"));  // the pooled connection is closed: retried
      CHECK(r.body == "ok");
      CHECK(c.stats().stale_retries == 1);
      CHECK(c.stats().connections_opened == 2);
      CHECK(srv.accepted() == 2);
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("errors without IO: bad URLs, https, refused connections, body limit", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      client c;
      std::string what;
      CHECK(co_await error_of(c.get("not a url"), &what) == errc::invalid_url);
      CHECK(what.rfind("GET not a url: ", 0) == 0);
      CHECK(co_await error_of(c.get("https://127.0.0.1/")) == errc::unsupported_scheme);
      CHECK(co_await error_of(c.request(corio::http::method::get, url{})) == errc::invalid_url);

      // A port nothing listens on: bind one, note it, close it.
      std::uint16_t port;
      {
        auto l = crawl_test::loopback_listener();
        port = l.local_endpoint().port();
      }
      CHECK(co_await error_of(c.get(crawl_test::url_of(port, "/x")), &what) == std::errc::connection_refused);
      CHECK(what.find("GET http://127.0.0.1:" + std::to_string(port) + "/x: connect") == 0);

      local_site srv(site_config(4, 10000));
      client_options o;
      o.limits.max_body_bytes = 5000;
      client small(o);
      CHECK(co_await error_of(small.get(srv.url("/page/1"))) == errc::body_too_large);
      CHECK(co_await error_of(small.get(srv.url("/chunked/1"))) == errc::body_too_large);
      CHECK(small.idle_connections() == 0);  // a failed request never pools its connection
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("cancelling a request aborts it and closes its connection", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      auto cfg = site_config(4, 1000);
      cfg.delay = std::chrono::hours(1);  // never answers in time
      local_site srv(cfg);
      client c;
      auto h = corio::spawn(c.get(srv.url("/page/0")));
      co_await corio::yield();
      h.cancel();
      std::error_code ec;
      try {
        co_await h;
      } catch (const corio::error& e) {
        ec = e.code();
      }
      CHECK(ec == corio::errc::operation_aborted);
      CHECK(c.idle_connections() == 0);
      co_await srv.stop();
    }());
  }
}
