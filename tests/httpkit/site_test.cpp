// The synthetic site (bench/crawl/site.hpp): its link graph, its HTML (read back through
// extract_links), its paths; and a small crawl of it over HTTP with the blocking client.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/http/url.hpp>

#include <algorithm>
#include <deque>
#include <set>
#include <stdexcept>
#include <unordered_set>

#include "crawl/site.hpp"
#include "httpkit/blocking_client.hpp"
#include "httpkit/links.hpp"
#include "test_server.hpp"

using corio::http::url;
using corio_bench::site;
using corio_bench::site_params;

namespace {
site_params params(std::uint64_t n, unsigned k, std::size_t bytes = 2048, std::uint64_t seed = 0) {
  site_params p;
  p.pages = n;
  p.links = k;
  p.page_bytes = bytes;
  p.seed = seed;
  return p;
}
}  // namespace

TEST_SUITE("crawl.site") {
  TEST_CASE("links: K hashed targets then i+1, deterministic, seed-dependent") {
    site s(params(1000, 5));
    site again(params(1000, 5));
    site other(params(1000, 5, 2048, 7));
    bool differs = false;
    for (std::uint64_t i = 0; i < 1000; ++i) {
      auto l = s.links_of(i);
      REQUIRE(l.size() == (i + 1 < 1000 ? 6u : 5u));
      for (auto j : l) CHECK(j < 1000);
      if (i + 1 < 1000) CHECK(l.back() == i + 1);
      CHECK(l == again.links_of(i));
      CHECK(s.page(i) == again.page(i));
      differs = differs || l != other.links_of(i);
    }
    CHECK(differs);
    // The targets spread over the site rather than clustering.
    std::set<std::uint64_t> targets;
    for (std::uint64_t i = 0; i < 1000; ++i) {
      for (unsigned k = 0; k < 5; ++k) targets.insert(s.links_of(i)[k]);
    }
    CHECK(targets.size() > 900);
  }

  TEST_CASE("every page is reachable from page 0, and depths and BFS order agree with the links") {
    for (auto nk : {std::pair<std::uint64_t, unsigned>{1, 0}, {2, 0}, {2, 3}, {100, 0}, {100, 2}, {5000, 4}}) {
      std::uint64_t n = nk.first;
      unsigned k = nk.second;
      CAPTURE(n);
      CAPTURE(k);
      site s(params(n, k, 256));
      auto all = s.reachable_from_zero();
      REQUIRE(all.size() == n);
      for (std::uint64_t i = 0; i < n; ++i) CHECK(all[i] == i);
      auto d = s.depths();
      CHECK(d[0] == 0);
      for (std::uint64_t i = 0; i < n; ++i) {
        REQUIRE(d[i] != UINT32_MAX);
        if (i > 0) CHECK(d[i] > 0);
        for (auto j : s.links_of(i)) CHECK(d[j] <= d[i] + 1);
      }
      auto order = s.bfs_order();
      CHECK(order.size() == n);
      CHECK(order[0] == 0);
      for (std::size_t x = 1; x < order.size(); ++x) CHECK(d[order[x - 1]] <= d[order[x]]);
      std::vector<std::uint64_t> sorted = order;
      std::sort(sorted.begin(), sorted.end());
      CHECK(sorted == all);
      // Within a depth: exactly the pages at most that many links away.
      for (std::uint32_t depth : {0u, 1u, 2u}) {
        auto within = s.reachable_from_zero(depth);
        std::vector<std::uint64_t> expect;
        for (std::uint64_t i = 0; i < n; ++i) {
          if (d[i] <= depth) expect.push_back(i);
        }
        CHECK(within == expect);
      }
    }
    // A chain (K = 0): page i is i links away.
    site chain(params(10, 0));
    CHECK(chain.reachable_from_zero(3) == std::vector<std::uint64_t>{0, 1, 2, 3});
    CHECK(chain.depths()[9] == 9);
  }

  TEST_CASE("the HTML holds exactly the links of links_of(), in its several spellings") {
    site s(params(300, 6, 3000));
    for (std::uint64_t i : {0ULL, 1ULL, 17ULL, 150ULL, 299ULL}) {
      CAPTURE(i);
      url page = url::parse("http://127.0.0.1:8080" + site::path_of(i));
      corio_httpkit::link_stats st;
      corio_httpkit::link_options o;
      o.deduplicate = false;
      auto links = corio_httpkit::extract_links(s.page(i), page, o, &st);
      std::vector<std::uint64_t> on_site;
      int off_site = 0, self = 0;
      for (const auto& u : links) {
        if (!same_host(u, page)) {
          ++off_site;
          continue;
        }
        auto j = s.page_of(u.target());
        REQUIRE_MESSAGE(j, u.str());
        if (u == page && on_site.size() == s.links_of(i).size()) {
          ++self;  // the decoy "#top", after the listed links
          continue;
        }
        on_site.push_back(*j);
      }
      CHECK(on_site == s.links_of(i));
      CHECK(self == 1);
      CHECK(off_site == 1);       // http://elsewhere.invalid/...
      CHECK(st.unsupported == 3);  // https, mailto, javascript
      CHECK(st.invalid == 0);
    }
  }

  TEST_CASE("page sizes and bad parameters") {
    site s(params(50, 4, 10000));
    for (std::uint64_t i = 0; i < 50; ++i) CHECK(s.page(i).size() == 10000);
    site tiny(params(50, 40, 100));
    CHECK(tiny.page(3).size() > 100);  // the links need more room than asked for
    site_params no_decoys = params(50, 4, 100);
    no_decoys.decoys = false;
    CHECK(site(no_decoys).page(1).find("elsewhere") == std::string::npos);
    CHECK_THROWS_AS(s.page(50), std::out_of_range);
    CHECK_THROWS_AS(site(params(0, 1)), std::invalid_argument);
    CHECK_THROWS_AS(site(params(10, 10001)), std::invalid_argument);
    CHECK_THROWS_AS(site(params(10, 1, std::size_t{65} << 20)), std::invalid_argument);
    CHECK_THROWS_AS(site(params((std::uint64_t{1} << 32) + 1, 1)), std::invalid_argument);
  }

  TEST_CASE("paths") {
    site s(params(100, 1));
    CHECK(site::path_of(42) == "/page/42");
    CHECK(s.page_of("/page/0") == 0u);
    CHECK(s.page_of("/page/99") == 99u);
    CHECK(s.page_of("/page/7?x=1") == 7u);
    for (const char* bad : {"/page/100", "/page/", "/page/07", "/page/-1", "/page/+1", "/page/1x", "/page/1/",
                            "/pages/1", "/", "", "page/1", "/page/99999999999999999999999"}) {
      CAPTURE(bad);
      CHECK(!s.page_of(bad));
    }
  }

  TEST_CASE("a breadth-first crawl over HTTP finds exactly the reachable pages, each fetched once") {
    site s(params(150, 3, 1500, 3));
    std::atomic<int> served{0}, not_found{0};
    corio_http_test::test_server server(corio_http_test::serve([&](const corio_http_test::request_head& req) {
      ++served;
      if (auto i = s.page_of(req.target)) return corio_http_test::make_response(200, s.page(*i));
      ++not_found;
      return corio_http_test::make_response(404, "");
    }));
    corio_httpkit::blocking_client client;
    url start = url::parse(server.url(site::path_of(0)));
    std::unordered_set<url> seen{start};
    std::deque<url> queue{start};
    std::set<std::uint64_t> found;
    while (!queue.empty()) {
      url u = queue.front();
      queue.pop_front();
      auto r = client.get(u);
      REQUIRE(r.status == 200);
      found.insert(*s.page_of(u.target()));
      for (auto& link : corio_httpkit::extract_links(r.body, u)) {
        if (same_host(link, start) && seen.insert(link).second) queue.push_back(link);
      }
    }
    auto expect = s.reachable_from_zero();
    CHECK(std::vector<std::uint64_t>(found.begin(), found.end()) == expect);
    CHECK(served == 150);
    CHECK(not_found == 0);
    CHECK(server.accepted() == 1);
  }
}
