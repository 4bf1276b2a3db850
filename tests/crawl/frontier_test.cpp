// The crawl frontier (bench/crawl/frontier.hpp): de-duplication, capacity, the end of a crawl, and
// blocking waiters in other threads and in a forked process woken for their own slot.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include <corio/http/url.hpp>

#include "crawl/frontier.hpp"

using corio::http::url;
using corio_crawl::frontier;
using namespace std::chrono_literals;

namespace {
std::vector<url> urls(std::initializer_list<const char*> l) {
  std::vector<url> v;
  for (const char* s : l) v.push_back(url::parse(s));
  return v;
}
}  // namespace

TEST_SUITE("crawl.frontier") {
  TEST_CASE("slots are filled in discovery order, each URL once - a full frontier drops the rest") {
    frontier f(4, 60s);
    CHECK(f.seed(url::parse("http://h/0")));
    CHECK_FALSE(f.seed(url::parse("http://h/0")));
    bool ended = false;
    CHECK(f.try_get(0, ended) == "http://h/0");
    CHECK_FALSE(f.try_get(1, ended));
    CHECK_FALSE(ended);

    auto r = f.complete(0, urls({"http://h/1", "http://h/0", "http://h/2", "http://h/1"}));
    CHECK(r.first == 1);
    CHECK(r.last == 3);
    CHECK_FALSE(r.ended);
    CHECK(f.url_of(1) == "http://h/1");
    CHECK(f.url_of(2) == "http://h/2");
    CHECK(f.parent_of(1) == 0);
    CHECK(f.parent_of(0) == SIZE_MAX);
    CHECK(f.counters().links_new == 2);

    r = f.complete(1, urls({"http://h/3", "http://h/4", "http://h/5"}));
    CHECK(r.last == 4);  // capacity 4: /4 and /5 are dropped
    CHECK(f.counters().links_dropped == 2);
    CHECK(f.filled() == 4);
    f.complete(2, {});
    f.complete(3, {});
    CHECK_FALSE(f.ended());  // full: nothing left to end
    CHECK(f.completed() == 4);
  }

  TEST_CASE("the crawl ends when every filled slot is done - unfilled slots then say so") {
    frontier f(10, 60s);
    f.seed(url::parse("http://h/a"));
    auto r = f.complete(0, urls({"http://h/b"}));
    CHECK_FALSE(r.ended);
    r = f.complete(1, {});
    CHECK(r.ended);
    CHECK(f.ended());
    bool ended = false;
    CHECK_FALSE(f.try_get(5, ended));
    CHECK(ended);
    CHECK_FALSE(f.wait_blocking(9).has_value());  // returns at once
    CHECK(f.wait_blocking(1) == "http://h/b");
  }

  TEST_CASE("blocking waiters in other threads wake for their own slot, and at the end") {
    frontier f(6, 60s);
    f.seed(url::parse("http://h/0"));
    std::vector<std::string> got(6);
    std::vector<std::thread> ts;
    for (std::size_t i = 1; i < 6; ++i) {
      ts.emplace_back([&, i] {
        auto u = f.wait_blocking(i);
        got[i] = u ? std::string(*u) : "none";
      });
    }
    f.complete(0, urls({"http://h/1", "http://h/2"}));
    f.complete(1, urls({"http://h/3"}));
    f.complete(2, {});
    f.complete(3, {});  // every filled slot done: 4 and 5 will never come
    for (auto& t : ts) t.join();
    CHECK(got[1] == "http://h/1");
    CHECK(got[2] == "http://h/2");
    CHECK(got[3] == "http://h/3");
    CHECK(got[4] == "none");
    CHECK(got[5] == "none");
  }

  TEST_CASE("a forked child sees the parent's slots and its discoveries reach the parent") {
    frontier f(4, 60s);
    f.seed(url::parse("http://h/0"));
    const pid_t p = ::fork();
    REQUIRE(p >= 0);
    if (p == 0) {
      // The child waits for slot 1 (filled by the parent), then discovers slot 2.
      auto u = f.wait_blocking(1);
      if (!u || *u != "http://h/1") _exit(1);
      f.complete(1, urls({"http://h/2"}));
      _exit(0);
    }
    f.complete(0, urls({"http://h/1"}));
    auto u2 = f.wait_blocking(2);  // filled by the child
    CHECK(u2 == "http://h/2");
    int st = 0;
    REQUIRE(::waitpid(p, &st, 0) == p);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    CHECK(f.parent_of(2) == 1);
  }

  TEST_CASE("a stalled crawl (a task died mid-fetch) ends at the stall limit instead of hanging") {
    frontier f(3, 200ms);
    f.seed(url::parse("http://h/0"));
    // Nobody ever completes slot 0: a waiter for slot 1 gives up after the stall limit.
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(f.wait_blocking(1).has_value());
    CHECK(std::chrono::steady_clock::now() - t0 >= 200ms);
    CHECK(f.stalled());
    CHECK(f.ended());
  }
}
