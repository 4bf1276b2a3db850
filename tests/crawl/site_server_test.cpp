// The site server (bench/crawl/site_server.hpp) on both backends, spoken to with raw bytes: HEAD,
// 404/405/400, pipelining, Connection: close, the response delay; and the corio-site program: port
// 0 printed, pages served, counters printed on SIGTERM.
#include <doctest/doctest.h>

#include <ostream>

#include <corio/corio.hpp>
#include <corio/http/client.hpp>
#include <corio/http/parser.hpp>

#include "crawl/site.hpp"
#include "crawl_support.hpp"
#include "httpkit/blocking_client.hpp"
#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::task;
using crawl_test::local_site;
using crawl_test::tcp_stream;

namespace {

corio_bench::site_server_config small_site() {
  corio_bench::site_server_config c;
  c.site.pages = 10;
  c.site.page_bytes = 600;
  c.site.links = 2;
  c.accept_tasks = 2;
  return c;
}

// Sends `bytes` and reads responses to `methods` (in order) with corio's response parser; the
// last element is whether the server then closed the connection.
task<std::pair<std::vector<corio::http::response>, bool>> exchange(std::uint16_t port, std::string_view bytes,
                                                                   std::vector<corio::http::method> methods) {
  auto s = co_await tcp_stream::connect(corio::net::endpoint(corio::net::ip_address::loopback(), port));
  co_await s.write_all(bytes);
  std::vector<corio::http::response> out;
  corio::http::response_parser p;
  std::string pending;
  char buf[4096];
  for (auto m : methods) {
    p.reset(m);
    if (!pending.empty()) pending.erase(0, p.feed(pending));
    while (!p.complete()) {
      const std::size_t n = co_await s.read_some(buf, sizeof buf);
      if (n == 0) {
        p.finish();
        break;
      }
      const std::size_t used = p.feed({buf, n});
      pending.append(buf + used, n - used);
    }
    out.push_back(p.take());
  }
  bool closed = false;
  if (pending.empty()) closed = (co_await s.read_some(buf, sizeof buf, corio::deadline(5s))) == 0;
  co_return std::pair{std::move(out), closed};
}

}  // namespace

TEST_SUITE("crawl.site_server") {
  TEST_CASE_TEMPLATE("pipelined GET, HEAD and 404 are answered in order - Connection: close closes", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      const auto cfg = small_site();
      corio_bench::site expected(cfg.site);
      local_site srv(cfg);
      using corio::http::method;
      const std::string wire =
          "GET /page/2 HTTP/1.1\r\nHost: x\r\n\r\n"
          "HEAD /page/3 HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /page/4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      const std::vector<method> methods{method::get, method::head, method::get, method::get};
      auto got = co_await exchange(srv.port(), wire, methods);
      auto& rs = got.first;
      const bool closed = got.second;
      REQUIRE(rs.size() == 4);
      CHECK(rs[0].status == 200);
      CHECK(rs[0].body == expected.page(2));
      CHECK(rs[0].keep_alive);
      CHECK(rs[1].status == 200);
      CHECK(rs[1].body.empty());
      CHECK(rs[1].header_value("content-length") == std::to_string(expected.page(3).size()));
      CHECK(rs[2].status == 404);
      CHECK(rs[3].status == 200);
      CHECK(rs[3].body == expected.page(4));
      CHECK_FALSE(rs[3].keep_alive);
      CHECK(closed);  // the server closed after the Connection: close response
      CHECK(srv.stats().requests == 4);
      CHECK(srv.stats().responses_200 == 3);
      CHECK(srv.stats().responses_other == 1);
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("other methods get 405 - a malformed request gets 400 and the connection is closed", B,
                     CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      local_site srv(small_site());
      using corio::http::method;
      const std::vector<method> one{method::get};
      const std::string del = "DELETE /page/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      auto r405 = co_await exchange(srv.port(), del, one);
      CHECK(r405.first.at(0).status == 405);
      const std::string bad = "GET /page/1 HTTP/1.1\r\nBad Header\r\n\r\n";
      auto r400 = co_await exchange(srv.port(), bad, one);
      CHECK(r400.first.at(0).status == 400);
      CHECK(r400.second);
      CHECK(srv.stats().connection_errors == 1);
      co_await srv.stop();
    }());
  }

  TEST_CASE_TEMPLATE("every response waits for the configured delay", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      auto cfg = small_site();
      cfg.delay = 150ms;
      local_site srv(cfg);
      corio::http::client c;
      const auto t0 = corio::now();
      auto r = co_await c.get(srv.url("/page/1"));
      CHECK(r.status == 200);
      CHECK(corio::now() - t0 >= 150ms);
      co_await srv.stop();
    }());
  }

  TEST_CASE("corio-site: port 0 is printed, pages are served, SIGTERM prints the counters") {
    crawl_test::site_process site({"--pages", "5", "--page-bytes", "300", "--links", "2", "--delay-ms", "1"});
    corio_bench::site_params sp;
    sp.pages = 5;
    sp.page_bytes = 300;
    sp.links = 2;
    corio_bench::site expected(sp);
    {
      corio_httpkit::blocking_client c;
      for (int i = 0; i < 5; ++i) {
        auto r = c.get(site.url("/page/" + std::to_string(i)));
        CHECK(r.status == 200);
        CHECK(r.body == expected.page(static_cast<std::uint64_t>(i)));
      }
      CHECK(c.get(site.url("/page/5")).status == 404);
    }
    auto [last, status] = site.stop();
    CHECK(last.find("\"event\":\"stopped\"") != std::string::npos);
    CHECK(last.find("\"requests\":6") != std::string::npos);
    CHECK(last.find("\"responses_200\":5") != std::string::npos);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  TEST_CASE("corio-site refuses bad arguments with exit status 2") {
    for (std::vector<std::string> bad : {std::vector<std::string>{"--pages", "0"}, {"--links", "x"}, {"--port", "70000"},
                                         {"--bogus"}, {"--host", "localhost"}}) {
      CAPTURE(bad[0]);
      std::vector<std::string> all{CORIO_SITE_BIN};
      all.insert(all.end(), bad.begin(), bad.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
      pid_t pid = -1;
      REQUIRE(posix_spawn(&pid, CORIO_SITE_BIN, &fa, nullptr, argv.data(), environ) == 0);
      posix_spawn_file_actions_destroy(&fa);
      int st = 0;
      REQUIRE(::waitpid(pid, &st, 0) == pid);
      CHECK(WIFEXITED(st));
      CHECK(WEXITSTATUS(st) == 2);
    }
  }
}
