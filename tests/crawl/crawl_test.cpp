// The crawler on every execution model: against corio-site serving a small synthetic site with a
// known link graph (decoy links included: https, mailto, javascript, another host, #top), each
// model must find exactly the reachable pages, each once, and nothing else; a crawl of fewer pages
// must find that many distinct pages; a crawl of more must end with "no page" for the rest. Errors
// (404s, refused connections) are counted, never fatal. The server runs in its own process
// (site_process), since process models fork the test process.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ostream>

#include "crawl/crawl_models.hpp"
#include "crawl/crawl_workload.hpp"
#include "crawl/site_check.hpp"
#include "crawl_support.hpp"
#include "models/runner.hpp"
#include "support/backends.hpp"

using corio_crawl::crawl_options;
using corio_crawl::crawl_workload;

namespace {

constexpr std::uint64_t kPages = 60;

corio_bench::site_params site_params() {
  corio_bench::site_params p;
  p.pages = kPages;
  p.page_bytes = 700;
  p.links = 3;
  p.seed = 7;
  return p;
}

crawl_test::site_process& shared_site() {
  // One server process for the whole test case (each CTest case runs in its own process).
  static crawl_test::site_process site({"--pages", "60", "--page-bytes", "700", "--links", "3", "--seed", "7"});
  return site;
}

std::unique_ptr<corio_models::model> model_named(const std::string& name) { return corio_crawl::make_crawl_model(name); }

struct crawl_run {
  corio_models::run_result r;
  corio_crawl::site_check_result check;
  std::uint64_t pages = 0, offsite = 0, no_page = 0, errors = 0, http_errors = 0, refused = 0;
  bool ended = false;
};

crawl_run crawl(const std::string& model, const std::string& start, std::size_t n, std::size_t c, bool list = false) {
  crawl_options o;
  o.url = start;
  o.concurrency = c;
  o.list = list;
  o.http.request_timeout = std::chrono::seconds(20);
  crawl_workload wl(o);
  corio_models::run_options ro;
  ro.n = n;
  ro.workers = static_cast<unsigned>(c);
  ro.sample_interval_s = 0.01;
  auto m = model_named(model);
  crawl_run out;
  out.r = corio_models::run_model(*m, wl, ro);
  if (out.r.stopped_by == corio_models::stop_kind::error && out.r.stop_detail.find("unavailable") != std::string::npos) {
    std::fprintf(stderr, "SKIP: %s\n", out.r.stop_detail.c_str());
    std::exit(77);
  }
  corio_bench::site s(site_params());
  out.check = corio_crawl::check_crawl(wl.front(), s, n);
  auto& k = wl.front().counters();
  out.pages = k.pages;
  out.offsite = k.links_offsite;
  out.no_page = k.no_page;
  out.http_errors = k.http_errors;
  out.refused = k.err_refused;
  out.errors = k.err_timeout + k.err_reset + k.err_refused + k.err_truncated + k.err_malformed + k.err_redirects +
               k.err_no_fds + k.err_other;
  out.ended = wl.front().ended();
  return out;
}

void check_exact_crawl(const std::string& model) {
  const std::string start = shared_site().url("/page/0");
  SUBCASE("N = the site's size: exactly the reachable pages") {
    auto x = crawl(model, start, kPages, 4);
    CHECK(x.r.complete);
    CHECK(x.r.done == kPages);
    CHECK(x.r.failed == 0);
    CHECK(x.check.verdict() == "exact");
    CHECK(x.pages == kPages);
    CHECK(x.errors == 0);
    CHECK(x.offsite >= kPages);  // every page links to http://elsewhere.invalid/...: not followed
    CHECK(x.no_page == 0);
  }
  SUBCASE("N below the site's size: N distinct pages") {
    auto x = crawl(model, start, 25, 3);
    CHECK(x.r.complete);
    CHECK(x.check.ok);
    CHECK(x.check.found == 25);
    CHECK(x.pages == 25);
    CHECK_FALSE(x.ended);
  }
  SUBCASE("N above the site's size: the crawl ends, the extra tasks find no page") {
    auto x = crawl(model, start, kPages + 15, 8);
    CHECK(x.r.complete);
    CHECK(x.check.verdict() == "exact");
    CHECK(x.pages == kPages);
    CHECK(x.no_page == 15);
    CHECK(x.ended);
  }
}

}  // namespace

TEST_SUITE("crawl.models") {
  TEST_CASE_TEMPLATE("coroutines find exactly the site's pages", B, CORIO_BACKENDS) {
    check_exact_crawl(B::kind == corio::backend_kind::io_uring ? "coroutine-uring" : "coroutine-asio");
  }
  TEST_CASE("thread per task finds exactly the site's pages") { check_exact_crawl("threads"); }
  TEST_CASE("process per task finds exactly the site's pages") { check_exact_crawl("processes"); }
  TEST_CASE("a thread pool finds exactly the site's pages") { check_exact_crawl("thread-pool"); }
  TEST_CASE("a process pool finds exactly the site's pages") { check_exact_crawl("process-pool"); }
  TEST_CASE("the asio-awaitable reference finds exactly the site's pages") { check_exact_crawl("asio-awaitable"); }
  TEST_CASE_TEMPLATE("corio worker tasks find exactly the site's pages", B, CORIO_BACKENDS) {
    check_exact_crawl(B::kind == corio::backend_kind::io_uring ? "coroutine-workers-uring" : "coroutine-workers-asio");
  }

  TEST_CASE("list mode fetches the numbered URLs - 404s are pages with errors, not failures") {
    for (const char* model : {"coroutine", "threads", "processes", "asio-awaitable", "epoll-floor"}) {
      CAPTURE(model);
      auto x = crawl(model, shared_site().url("/page/0"), kPages + 5, 6, /*list=*/true);
      CHECK(x.r.complete);
      CHECK(x.pages == kPages + 5);
      CHECK(x.http_errors == 5);
      CHECK(x.errors == 0);
    }
    // The floor runs list mode only, and says so.
    auto floor_crawl = crawl("epoll-floor", shared_site().url("/page/0"), 3, 1);
    CHECK(floor_crawl.r.stopped_by == corio_models::stop_kind::error);
    CHECK_THROWS_AS(corio_crawl::make_crawl_model("no-such-model"), std::invalid_argument);
    CHECK(corio_crawl::list_url(corio::http::url::parse("http://h:81/x/page/0?q=1"), 7).str() == "http://h:81/x/page/7?q=1");
  }

  TEST_CASE("fetch errors are counted and never stop the run") {
    std::uint16_t port;  // a port nothing listens on
    {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
      socklen_t len = sizeof a;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      port = ntohs(a.sin_port);
      ::close(fd);
    }
    for (const char* model : {"coroutine", "thread-pool", "process-pool", "asio-awaitable", "epoll-floor"}) {
      CAPTURE(model);
      auto x = crawl(model, crawl_test::url_of(port, "/page/0"), 8, 3, /*list=*/true);
      CHECK(x.r.started == 8);
      CHECK(x.r.failed == 8);  // every fetch failed, every task ran
      CHECK(x.refused == 8);
      CHECK(x.r.stopped_by == corio_models::stop_kind::none);
    }
    // A crawl whose start page fails ends at once: the other tasks find no page.
    auto x = crawl("threads", crawl_test::url_of(port, "/page/0"), 5, 2);
    CHECK(x.r.failed == 1);
    CHECK(x.no_page == 4);
    CHECK(x.ended);
  }
}
