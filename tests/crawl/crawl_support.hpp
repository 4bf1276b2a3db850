// tests/crawl/crawl_support.hpp - servers for the crawler and async-client tests.
//
//   local_site      the site server (bench/crawl/site_server.hpp) on the test's own runtime, port 0;
//   scripted_server a corio server on the test's runtime whose every connection runs a handler
//                   coroutine (well-behaved or misbehaving), port 0;
//   site_process    the corio-site program in a process of its own (posix_spawn), port 0: the test
//                   reads the port from the line it prints (an event: a blocking read on a pipe),
//                   and stops it with SIGTERM. Used where the test process itself forks (process
//                   models), so that no server thread runs in the forking process.
// No sleeps: servers are stopped by cancellation or a signal, and waited for.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <corio/corio.hpp>

#include "crawl/site_server.hpp"

extern char** environ;

namespace crawl_test {

using corio::task;
using corio::net::tcp_listener;
using corio::net::tcp_stream;

inline tcp_listener loopback_listener() {
  return tcp_listener::bind(corio::net::endpoint(corio::net::ip_address::loopback(), 0));
}

inline std::string url_of(std::uint16_t port, std::string_view path) {
  return "http://127.0.0.1:" + std::to_string(port) + std::string(path);
}

// The site server on the current runtime. Construct inside a task; `co_await stop()` before the
// end of the task that made it.
class local_site {
 public:
  explicit local_site(corio_bench::site_server_config cfg)
      : cfg_(cfg), content_(cfg_.site, cfg_.cache_bytes), l_(loopback_listener()) {
    h_ = corio::spawn(corio_bench::serve_site(l_, cfg_, content_, stats_));
  }
  std::uint16_t port() const { return l_.local_endpoint().port(); }
  std::string url(std::string_view path) const { return url_of(port(), path); }
  const corio_bench::site_server_stats& stats() const { return stats_; }
  task<void> stop() {
    h_.cancel();
    try {
      co_await h_;
    } catch (const std::system_error&) {
      // operation_aborted: cancelled, as asked
    }
  }

 private:
  corio_bench::site_server_config cfg_;
  corio_bench::site_content content_;
  corio_bench::site_server_stats stats_;
  tcp_listener l_;
  corio::join_handle<void> h_;
};

// A server on the current runtime whose connections each run `handler(stream)`.
class scripted_server {
 public:
  using handler = std::function<task<void>(tcp_stream)>;
  explicit scripted_server(handler h) : h_(std::move(h)), l_(loopback_listener()) { run_ = corio::spawn(serve(l_, h_, accepted_)); }
  std::uint16_t port() const { return l_.local_endpoint().port(); }
  std::string url(std::string_view path = "/") const { return url_of(port(), path); }
  int accepted() const { return accepted_; }
  task<void> stop() {
    run_.cancel();
    try {
      co_await run_;
    } catch (const std::system_error&) {
    }
  }

 private:
  static task<void> serve(tcp_listener& l, handler& h, int& accepted) {
    corio::task_group g;
    try {
      for (;;) {
        tcp_stream s = co_await l.accept();
        ++accepted;
        g.spawn(guarded(h, std::move(s)));
      }
    } catch (const std::system_error&) {
      g.cancel();  // the server is stopping
    }
    // join() waits for every child even though this task is cancelled, then says so.
    try {
      co_await g.join();
    } catch (const std::system_error&) {
    }
  }
  // A handler's failure (the client closed on it) must not cancel the other connections.
  static task<void> guarded(handler& h, tcp_stream s) {
    try {
      co_await h(std::move(s));
    } catch (const std::system_error&) {
    }
  }
  handler h_;
  tcp_listener l_;
  int accepted_ = 0;
  corio::join_handle<void> run_;
};

// Reads one request head (through the blank line) from `s`; "" if the peer closed first.
inline task<std::string> read_head(tcp_stream& s) {
  std::string head;
  char buf[512];
  while (head.find("\r\n\r\n") == std::string::npos) {
    const std::size_t n = co_await s.read_some(buf, sizeof buf);
    if (n == 0) co_return std::string();
    head.append(buf, n);
  }
  co_return head;
}

// The corio-site program, in a process of its own, listening on a kernel-chosen port.
class site_process {
 public:
  explicit site_process(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    std::vector<std::string> all{CORIO_SITE_BIN, "--port", "0"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, CORIO_SITE_BIN, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    out_ = fds[0];
    REQUIRE(rc == 0);
    const std::string line = read_line();  // blocks until the server listens (or dies: "")
    REQUIRE_MESSAGE(line.find("\"event\":\"listening\"") != std::string::npos, "corio-site said: " << line);
    const auto at = line.find("\"port\":");
    REQUIRE(at != std::string::npos);
    port_ = static_cast<std::uint16_t>(std::strtoul(line.c_str() + at + 7, nullptr, 10));
    REQUIRE(port_ != 0);
  }
  ~site_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    if (out_ >= 0) ::close(out_);
  }
  site_process(const site_process&) = delete;
  site_process& operator=(const site_process&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url(std::string_view path) const { return url_of(port_, path); }

  // Stops it with SIGTERM and returns its last line (the "stopped" counters) and exit status.
  std::pair<std::string, int> stop() {
    ::kill(pid_, SIGTERM);
    std::string last, line;
    while (!(line = read_line()).empty()) last = line;
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return {last, st};
  }

 private:
  // One line from the server's stdout ("" at end of file).
  std::string read_line() {
    std::string line;
    char c;
    while (::read(out_, &c, 1) == 1) {
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }
  pid_t pid_ = -1;
  int out_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace crawl_test
