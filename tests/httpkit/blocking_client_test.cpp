// corio_httpkit::blocking_client (bench/httpkit) against small blocking loopback servers: bodies,
// keep-alive reuse (counted on the server side), redirects, and misbehaving servers, each of which
// must produce the right typed error within the deadline.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/error.hpp>
#include <corio/http/error.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "httpkit/blocking_client.hpp"
#include "test_server.hpp"

using namespace std::chrono_literals;
using corio::http::client_options;
using corio::http::errc;
using corio::http::url;
using corio_http_test::connection;
using corio_http_test::make_response;
using corio_http_test::process_server;
using corio_http_test::request_head;
using corio_http_test::serve;
using corio_http_test::test_server;
using corio_httpkit::blocking_client;
using clock_type = std::chrono::steady_clock;

namespace {

// The error a request raises (checks that one is raised) and how long it took.
struct failure {
  std::error_code code;
  std::string what;
  clock_type::duration took{};
};

failure fail_request(blocking_client& c, const std::string& u, corio::http::method m = corio::http::method::get) {
  auto start = clock_type::now();
  try {
    c.request(m, url::parse(u));
  } catch (const corio::error& e) {
    return {e.code(), e.what(), clock_type::now() - start};
  }
  FAIL("request to " << u << " succeeded");
  return {};
}

client_options short_deadline(std::chrono::milliseconds d) {
  client_options o;
  o.request_timeout = d;
  o.connect_timeout = d;
  return o;
}

// Slack for a deadline to fire: generous, the debug build runs under ASan on a shared machine.
constexpr auto kSlack = 2s;

}  // namespace

TEST_SUITE("httpkit.blocking_client") {
  TEST_CASE("GET: status, headers, body, and 404 is a response, not an error") {
    test_server server(serve([](const request_head& req) {
      if (req.target == "/hello") return make_response(200, "hello, world", "Content-Type: text/plain\r\n");
      return make_response(404, "no such page");
    }));
    blocking_client client;
    auto r = client.get(server.url("/hello"));
    CHECK(r.status == 200);
    CHECK(r.body == "hello, world");
    CHECK(r.header_value("content-type") == "text/plain");
    CHECK(r.final_url.str() == server.url("/hello"));
    CHECK(r.redirects == 0);
    auto nf = client.get(server.url("/missing"));
    CHECK(nf.status == 404);
    CHECK(nf.body == "no such page");
  }

  TEST_CASE("the request on the wire: method, target, Host, User-Agent, Connection") {
    std::vector<std::string> seen;
    std::mutex mu;
    test_server server(serve([&](const request_head& req) {
      std::lock_guard lock(mu);
      seen.push_back(req.raw);
      return make_response(200, "x");
    }));
    client_options o;
    o.user_agent = "corio-test/1";
    blocking_client client(o);
    client.get(server.url("/a/../b?q=1#frag"));
    client.head(url::parse(server.url("/h")));
    std::lock_guard lock(mu);
    REQUIRE(seen.size() == 2);
    std::string host = "127.0.0.1:" + std::to_string(server.port());
    CHECK(seen[0] == "GET /b?q=1 HTTP/1.1\r\nHost: " + host +
                         "\r\nUser-Agent: corio-test/1\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n");
    CHECK(seen[1].rfind("HEAD /h HTTP/1.1\r\n", 0) == 0);
  }

  TEST_CASE("chunked, read-until-close and large bodies") {
    std::string big(300 * 1024, 'b');
    for (std::size_t i = 0; i < big.size(); i += 1000) big[i] = static_cast<char>('a' + (i / 1000) % 26);
    test_server server([&](connection& c) {
      while (auto req = c.read_request()) {
        if (req->target == "/chunked") {
          c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
          for (std::size_t off = 0; off < big.size(); off += 7000) {
            std::size_t n = std::min<std::size_t>(7000, big.size() - off);
            char size[32];
            std::snprintf(size, sizeof size, "%zx\r\n", n);
            c.write(size);
            c.write(std::string_view(big).substr(off, n));
            c.write("\r\n");
          }
          c.write("0\r\n\r\n");
        } else if (req->target == "/close") {
          c.write("HTTP/1.0 200 OK\r\n\r\n");
          c.write(big);
          return;  // the end of the connection ends the body
        } else {
          c.write(make_response(200, big));
        }
      }
    });
    blocking_client client;
    auto a = client.get(server.url("/chunked"));
    CHECK(a.chunked);
    CHECK(a.body == big);
    auto b = client.get(server.url("/close"));
    CHECK(!b.keep_alive);
    CHECK(b.body == big);
    auto c = client.get(server.url("/length"));
    CHECK(c.body == big);
    // /chunked's connection was reused for /close, which closed it: /length needed a new one.
    CHECK(server.accepted() == 2);
  }

  TEST_CASE("keep-alive: one connection for many requests, counted by the server") {
    test_server server(serve([](const request_head& req) { return make_response(200, req.target); }));
    blocking_client client;
    for (int i = 0; i < 20; ++i) {
      auto r = client.get(server.url("/n/" + std::to_string(i)));
      CHECK(r.body == "/n/" + std::to_string(i));
      CHECK(r.keep_alive);
    }
    auto h = client.head(url::parse(server.url("/head")));  // HEAD reuses it too
    CHECK(h.body.empty());
    CHECK(server.accepted() == 1);
    auto st = client.stats();
    CHECK(st.connections_opened == 1);
    CHECK(st.connections_reused == 20);
    CHECK(st.requests == 21);
    CHECK(client.idle_connections() == 1);
    client.close_idle_connections();
    CHECK(client.idle_connections() == 0);
    client.get(server.url("/again"));
    CHECK(server.accepted() == 2);
  }

  TEST_CASE("keep_alive off, or Connection: close from the server: a connection per request") {
    std::atomic<int> close_requests{0};
    test_server server(serve([&](const request_head& req) {
      if (req.header("Connection") == "close") ++close_requests;
      return make_response(200, "x");
    }));
    client_options o;
    o.keep_alive = false;
    blocking_client no_keepalive(o);
    for (int i = 0; i < 5; ++i) CHECK(no_keepalive.get(server.url("/")).status == 200);
    CHECK(server.accepted() == 5);
    CHECK(close_requests == 5);
    CHECK(no_keepalive.idle_connections() == 0);

    test_server closing(serve([](const request_head&) { return make_response(200, "x", "Connection: close\r\n"); }));
    blocking_client client;
    for (int i = 0; i < 5; ++i) CHECK(!client.get(closing.url("/")).keep_alive);
    CHECK(closing.accepted() == 5);
    CHECK(client.idle_connections() == 0);
  }

  TEST_CASE("a pooled connection the server closed meanwhile is retried once on a new one") {
    // Serves one request per connection and closes it, without saying Connection: close.
    test_server server([](connection& c) {
      if (auto req = c.read_request()) c.write(make_response(200, req->target));
    });
    blocking_client client;
    for (int i = 0; i < 4; ++i) CHECK(client.get(server.url("/r" + std::to_string(i))).body == "/r" + std::to_string(i));
    CHECK(server.accepted() == 4);
    auto st = client.stats();
    CHECK(st.stale_retries == 3);
    CHECK(st.connections_opened == 4);
  }

  TEST_CASE("several threads share one client, with at most one connection per thread") {
    test_server server(serve([](const request_head& req) { return make_response(200, req.target); }));
    blocking_client client;
    constexpr int kThreads = 4, kEach = 25;
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
          if (client.get(server.url(path)).body == path) ++ok;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(ok == kThreads * kEach);
    CHECK(server.accepted() >= 1);
    CHECK(server.accepted() <= kThreads);
    CHECK(client.stats().requests == kThreads * kEach);
  }

  TEST_CASE("redirects: every status, relative and absolute Location, bounded") {
    std::atomic<int> hits{0};
    std::string base;
    test_server server(serve([&](const request_head& req) -> std::string {
      ++hits;
      const std::string& t = req.target;
      if (t == "/start") return make_response(301, "", "Location: /r/302\r\n");
      if (t == "/r/302") return make_response(302, "", "Location: 303\r\n");  // relative to /r/
      if (t == "/r/303") return make_response(303, "", "Location: ../s/307?x=1\r\n");
      if (t == "/s/307?x=1") return make_response(307, "moved", "Location: " + base + "/s/308#frag\r\n");
      if (t == "/s/308") return make_response(308, "", "Location: //127.0.0.1:" + base.substr(base.rfind(':') + 1) + "/done\r\n");
      if (t == "/done") return make_response(200, "arrived");
      if (t == "/loop") return make_response(302, "", "Location: /loop\r\n");
      if (t == "/https") return make_response(302, "", "Location: https://127.0.0.1/\r\n");
      if (t == "/nolocation") return make_response(302, "no location");
      return make_response(404, "");
    }));
    base = server.url("");
    blocking_client client;
    auto r = client.get(server.url("/start"));
    CHECK(r.status == 200);
    CHECK(r.body == "arrived");
    CHECK(r.redirects == 5);
    CHECK(r.final_url.str() == server.url("/done"));
    CHECK(server.accepted() == 1);  // all on one keep-alive connection

    hits = 0;
    client_options o;
    o.max_redirects = 4;
    blocking_client bounded(o);
    auto f = fail_request(bounded, server.url("/start"));
    CHECK(f.code == errc::too_many_redirects);
    CHECK(hits == 5);  // the first request and 4 redirects followed

    hits = 0;
    auto loop = fail_request(client, server.url("/loop"));
    CHECK(loop.code == errc::too_many_redirects);
    CHECK(loop.what.find("GET " + server.url("/loop")) == 0);
    CHECK(loop.what.find("more than 10 redirects") != std::string::npos);
    CHECK(hits == 11);

    auto https = fail_request(client, server.url("/https"));
    CHECK(https.code == errc::unsupported_scheme);
    CHECK(https.what.find("https is not supported") != std::string::npos);

    auto nl = client.get(server.url("/nolocation"));
    CHECK(nl.status == 302);
    CHECK(nl.body == "no location");

    client_options no_follow;
    no_follow.follow_redirects = false;
    blocking_client manual(no_follow);
    auto m = manual.get(server.url("/start"));
    CHECK(m.status == 301);
    CHECK(m.header_value("Location") == "/r/302");
  }

  TEST_CASE("garbage status line: malformed_response, and the connection is not reused") {
    test_server server(serve([](const request_head&) { return std::string("GARBAGE\r\n\r\n"); }));
    blocking_client client;
    auto f = fail_request(client, server.url("/"));
    CHECK(f.code == errc::malformed_response);
    CHECK(f.what.find("GET " + server.url("/") + ": HTTP response: ") == 0);
    CHECK(client.idle_connections() == 0);
    fail_request(client, server.url("/"));
    CHECK(server.accepted() == 2);
  }

  TEST_CASE("truncated bodies and silent closes: truncated") {
    test_server server([](connection& c) {
      auto req = c.read_request();
      if (!req) return;
      if (req->target == "/length") c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly fifty bytes............................!");
      if (req->target == "/chunked") c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
      if (req->target == "/headers") c.write("HTTP/1.1 200 OK\r\nContent-");
      // "/nothing": close without a byte
    });
    blocking_client client;
    for (const char* path : {"/length", "/chunked", "/headers", "/nothing"}) {
      CAPTURE(path);
      auto f = fail_request(client, server.url(path));
      CHECK(f.code == errc::truncated);
    }
    CHECK(client.stats().stale_retries == 0);  // fresh connections are never retried
  }

  TEST_CASE("a reset connection: connection_reset") {
    test_server server([](connection& c) {
      if (c.read_request()) c.reset();
    });
    blocking_client client;
    auto f = fail_request(client, server.url("/"));
    CHECK(f.code == errc::connection_reset);
    CHECK(f.code == std::errc::connection_reset);
  }

  TEST_CASE("header flood: header_too_large, long before the deadline") {
    test_server server([](connection& c) {
      if (!c.read_request()) return;
      c.write("HTTP/1.1 200 OK\r\n");
      std::string line = "X-Flood: " + std::string(100, 'f') + "\r\n";
      while (c.write(line)) {
      }  // until the client gives up and closes
    });
    client_options o = short_deadline(30s);
    o.limits.max_header_bytes = 8 * 1024;
    blocking_client client(o);
    auto f = fail_request(client, server.url("/"));
    CHECK(f.code == errc::header_too_large);
    CHECK(f.took < 30s);
  }

  TEST_CASE("bodies over the limit: body_too_large") {
    test_server server([](connection& c) {
      while (auto req = c.read_request()) {
        if (req->target == "/declared") {
          if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")) return;
          c.wait_for_close();  // never sends the body: the header alone must fail the request
          return;
        }
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        std::string chunk = "1000\r\n" + std::string(0x1000, 'c') + "\r\n";
        while (c.write(chunk)) {
        }
        return;
      }
    });
    client_options o = short_deadline(30s);
    o.limits.max_body_bytes = 64 * 1024;
    blocking_client client(o);
    CHECK(fail_request(client, server.url("/declared")).code == errc::body_too_large);
    CHECK(fail_request(client, server.url("/endless")).code == errc::body_too_large);
  }

  TEST_CASE("a server that never answers: timeout at the deadline") {
    test_server server([](connection& c) {
      if (c.read_request()) c.wait_for_close();
    });
    blocking_client client(short_deadline(300ms));
    auto f = fail_request(client, server.url("/"));
    CHECK(f.code == errc::timeout);
    CHECK(f.code == std::errc::timed_out);
    CHECK(f.took >= 300ms);
    CHECK(f.took < 300ms + kSlack);
    // An explicit deadline overrides request_timeout.
    blocking_client patient;
    auto start = clock_type::now();
    try {
      patient.request(corio::http::method::get, url::parse(server.url("/")), start + 200ms);
      FAIL("answered");
    } catch (const corio::error& e) {
      CHECK(e.code() == errc::timeout);
    }
    CHECK(clock_type::now() - start >= 200ms);
    CHECK(clock_type::now() - start < 200ms + kSlack);
  }

  TEST_CASE("a server trickling one byte at a time: timeout at the deadline, not per byte") {
    test_server server([](connection& c) {
      if (c.read_request()) c.trickle(make_response(200, std::string(200, 't')), 20ms);
    });
    blocking_client client(short_deadline(400ms));
    auto f = fail_request(client, server.url("/"));
    CHECK(f.code == errc::timeout);
    CHECK(f.took >= 400ms);
    CHECK(f.took < 400ms + kSlack);
  }

  TEST_CASE("connection refused: the errno, typed") {
    // A bound socket that does not listen holds the port: connecting to it is refused.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    blocking_client client;
    auto f = fail_request(client, "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/");
    ::close(fd);
    CHECK(f.code == std::errc::connection_refused);
    CHECK(f.what.find("connect to 127.0.0.1:") != std::string::npos);
  }

  TEST_CASE("connect timeout: a listener whose accept queue is full") {
    // Linux drops SYNs to a listener whose accept queue is full, so a connect hangs until our
    // timeout. Fill a backlog-0 queue with connections nobody accepts.
    int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(lfd, 0) == 0);
    REQUIRE(::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    // One blocking connect fills the queue; waiting for the listener to become readable makes
    // sure the connection is in the accept queue, not still half-way through its handshake.
    int filler = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(filler >= 0);
    REQUIRE(::connect(filler, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    pollfd p{lfd, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10'000) == 1);
    client_options o;
    o.connect_timeout = 300ms;
    o.request_timeout = 10s;
    blocking_client client(o);
    auto f = fail_request(client, "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/");
    ::close(filler);
    ::close(lfd);
    CHECK(f.code == errc::timeout);
    CHECK(f.what.find("connect to") != std::string::npos);
    CHECK(f.took >= 300ms);
    CHECK(f.took < 300ms + kSlack);
  }

  TEST_CASE("out of file descriptors: EMFILE as a typed error, nothing leaked or crashed") {
    // No server: socket() fails before any connection. And no thread may run while we fork.
    std::string target = "http://127.0.0.1:1/";
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // the child: only async-signal-safe-ish work, and _exit (no doctest here)
      // UBSan checks a polymorphic access with a pipe the first time it meets each type (then it
      // caches the result): meet the error types while descriptors remain, through the same code.
      try {
        blocking_client warm;
        warm.get(url{});  // fails inside request(), through its catch and rethrow
      } catch (const std::system_error& e) {
        if (e.code() == std::errc::too_many_files_open) ::_exit(14);
      }
      std::error_code errno_code(EMFILE, std::system_category());  // the category EMFILE comes in
      if (errno_code.message().empty() || errno_code != std::errc::too_many_files_open) ::_exit(15);
      rlimit lim{64, 64};
      if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) ::_exit(10);
      while (::dup(0) >= 0) {
      }
      int code = 11;
      try {
        blocking_client client;
        client.get(target);
        code = 12;  // succeeded without a descriptor?
      } catch (const std::system_error& e) {
        code = e.code() == std::errc::too_many_files_open ? 0 : 13;
      }
      ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  TEST_CASE("a forked child does not reuse its parent's pooled connection") {
    process_server server(serve([](const request_head&) { return make_response(200, "x"); }));
    blocking_client client;
    REQUIRE(client.get(server.url("/")).status == 200);
    REQUIRE(client.idle_connections() == 1);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 1;
      try {
        auto r = client.get(server.url("/"));
        auto st = client.stats();
        // The child opened its own connection and did not touch the parent's.
        code = (r.status == 200 && st.connections_opened == 2 && st.connections_reused == 0) ? 0 : 2;
      } catch (...) {
        code = 3;
      }
      ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(server.accepted() == 2);
    // The parent's connection is intact and still reused.
    CHECK(client.get(server.url("/")).status == 200);
    CHECK(client.stats().connections_reused == 1);
    CHECK(server.accepted() == 2);
  }

  TEST_CASE("huge timeouts saturate instead of overflowing") {
    test_server server(serve([](const request_head&) { return make_response(200, "x"); }));
    client_options o;
    o.request_timeout = std::chrono::milliseconds::max();
    o.connect_timeout = std::chrono::milliseconds::max();
    blocking_client client(o);
    CHECK(client.get(server.url("/")).status == 200);
    // A deadline already past: a timeout, without a request.
    client_options past;
    past.request_timeout = std::chrono::milliseconds(-1);
    blocking_client hasty(past);
    CHECK(fail_request(hasty, server.url("/")).code == errc::timeout);
  }

  TEST_CASE("bad URLs fail before any IO") {
    blocking_client client;
    try {
      client.get("https://127.0.0.1/");
      FAIL("https accepted");
    } catch (const corio::error& e) {
      CHECK(e.code() == errc::unsupported_scheme);
    }
    try {
      client.get(url{});
      FAIL("empty url accepted");
    } catch (const corio::error& e) {
      CHECK(e.code() == errc::invalid_url);
    }
    CHECK(client.stats().requests == 0);
  }

  TEST_CASE("a host name goes through getaddrinfo (localhost from /etc/hosts)") {
    test_server server(serve([](const request_head& req) { return make_response(200, req.header("Host")); }));
    blocking_client client;
    // localhost may resolve to ::1 first, where nothing listens: the client tries the next address.
    auto r = client.get("http://LocalHost:" + std::to_string(server.port()) + "/");
    CHECK(r.status == 200);
    CHECK(r.body == "localhost:" + std::to_string(server.port()));
  }
}
