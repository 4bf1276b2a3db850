// Name resolution: literals answered on the loop, names through getaddrinfo on the blocking pool,
// typed errors, and a lookup that blocks is cancelled or timed out without stalling the loop.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <netdb.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <string>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;
using namespace std::chrono_literals;
using corio::net::resolve;
using corio::net::resolve_options;
using corio::net::resolver;

namespace {
bool contains(const std::vector<endpoint>& v, const endpoint& e) { return std::find(v.begin(), v.end(), e) != v.end(); }
}  // namespace

TEST_SUITE("net resolver") {
  TEST_CASE_TEMPLATE("literals, localhost, and family filters", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      auto v4 = co_await resolve("127.0.0.1", 80);
      CHECK(v4 == std::vector<endpoint>{endpoint::parse("127.0.0.1:80")});
      auto v6 = co_await resolve("::1", 443);
      CHECK(v6 == std::vector<endpoint>{endpoint::parse("[::1]:443")});
      auto br = co_await resolve("[::1]", 443);
      CHECK(br == v6);
      // /etc/hosts names localhost; getaddrinfo runs on a pool thread.
      auto lh = co_await resolve("localhost", 8080);
      CHECK(contains(lh, endpoint::parse("127.0.0.1:8080")));
      resolve_options only4;
      only4.family = corio::net::ip_family::v4;
      auto lh4 = co_await resolve("localhost", 1, only4);
      CHECK(std::all_of(lh4.begin(), lh4.end(), [](const endpoint& e) { return !e.is_v6(); }));
      CHECK_FALSE(lh4.empty());
    }());
  }

  TEST_CASE_TEMPLATE("resolution failures are typed errors naming the host", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      resolve_options numeric;
      numeric.numeric_host = true;
      try {
        (void)co_await resolve("not-an-address.invalid", 80, numeric);
        FAIL("a name resolved with numeric_host");
      } catch (const corio::error& e) {
        CHECK(e.code().category() == corio::net::resolve_error_category());
        CHECK(e.code().value() == EAI_NONAME);
        CHECK(std::string(e.what()).find("resolve not-an-address.invalid:80: ") == 0);
      }
      CHECK_THROWS_AS((void)co_await resolve("", 80), corio::error);
      resolve_options only6;
      only6.family = corio::net::ip_family::v6;
      CHECK_THROWS_WITH_AS((void)co_await resolve("127.0.0.1", 80, only6), doctest::Contains("resolve 127.0.0.1:80"),
                           corio::error);
      // A lookup function's own error reaches the caller unchanged.
      resolver failing([](const std::string&, std::uint16_t, const resolve_options&) -> std::vector<endpoint> {
        throw corio::error(std::error_code(EAI_AGAIN, corio::net::resolve_error_category()), "resolve custom");
      });
      CHECK_THROWS_WITH_AS((void)co_await failing.resolve("example", 1), doctest::Contains("resolve custom"), corio::error);
    }());
  }

  TEST_CASE_TEMPLATE("a blocked lookup: the loop keeps running, and cancel or a deadline end the wait", B,
                     CORIO_BACKENDS) {
    // Declared before the runtime, so they outlive its pool threads.
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    std::atomic<int> calls{0};
    CORIO_RUNTIME(rt, B);
    resolver slow([open, &calls](const std::string&, std::uint16_t port, const resolve_options&) {
      ++calls;
      open.wait();
      return std::vector<endpoint>{endpoint(corio::net::ip_address::loopback(), port)};
    });
    rt.block_on([](resolver& slow) -> task<void> {
      // Cancelled while the pool thread is blocked.
      auto h = corio::spawn(slow.resolve("slow.example", 80));
      co_await corio::yield();
      REQUIRE_FALSE(h.done());
      // Other tasks (here: IO) run while it waits.
      tcp_listener l = loopback_listener();
      auto [c, s] = co_await connected_pair(l);
      co_await c.write_all(std::string_view("x"));
      char b;
      CHECK(co_await s.read_some(&b, 1) == 1);
      CHECK_FALSE(h.done());
      h.cancel();
      try {
        (void)co_await h;
        FAIL("the blocked lookup returned");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::operation_aborted);
        CHECK(std::string(e.what()) == "resolve slow.example:80: operation aborted");
      }
      // A deadline, and corio::timeout.
      CHECK_THROWS_WITH_AS((void)co_await slow.resolve("slow.example", 81, {}, 20ms),
                           doctest::Contains("resolve slow.example:81: timed out"), corio::error);
      CHECK_THROWS_WITH_AS((void)co_await corio::timeout(20ms, slow.resolve("slow.example", 82)),
                           doctest::Contains("timed out"), corio::error);
    }(slow));
    // Unblock the pool threads; the runtime's destructor waits for them and frees the abandoned
    // lookups (ASan checks that nothing leaks).
    gate.set_value();
    CHECK(calls.load() >= 1);
  }
}
