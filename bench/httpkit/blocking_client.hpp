// bench/httpkit/blocking_client.hpp - a blocking HTTP/1.1 client for the thread and process models.
//
// Benchmark code (target corio_bench_http, #include "httpkit/blocking_client.hpp"), not part of
// corio::http and not installed: the baseline the thread and process models fetch with, built on
// corio::http's request bytes, parser, redirect rules, pool and options.
//
// What it does: client.get("http://127.0.0.1:8080/page/0") connects (or reuses a pooled
// keep-alive connection), sends the request built by corio/http/request.hpp, reads the response
// with corio/http/parser.hpp, follows redirects (bounded), and returns the response. It shares the
// request and parser code with corio's async client, so the execution models differ only in how
// they wait: this one blocks the calling thread in poll() on non-blocking sockets, never longer
// than the request's deadline (client_options::request_timeout, or the deadline passed in).
//   - name resolution: a numeric IPv4/IPv6 host is used directly; other names go through
//     getaddrinfo (blocking, not bounded by the deadline), every address is tried in turn;
//   - keep-alive: connections are pooled per host:port (corio/http/pool.hpp) when the response
//     allows it and nothing followed it on the wire; a pooled connection that fails before any
//     response byte (the server closed it while idle) is retried once on a new connection;
//   - redirects: 301/302/303/307/308 with Location, resolved against the request URL, at most
//     max_redirects of them (more: errc::too_many_redirects, e.g. for a loop). Location may point
//     to another host; callers that must stay on one host check response::final_url.
//
// Errors: corio::error. code() is a corio::http::errc (timeout, connection_reset, truncated,
// malformed_response, header_too_large, body_too_large, too_many_redirects, resolve_failed,
// invalid_url, unsupported_scheme) or an errno in std::system_category() (connection_refused,
// too many open files, ...). what() starts with the method and URL: "GET http://h/x: ...".
// A failed request never leaves its connection in the pool. HTTP error statuses (404, 500) are
// not errors: they are responses.
//
// Threads: request(), get() and head() may be called from many threads at once on one client
// (each call uses its own connection; the pool is locked). Processes: a client used in a process
// other than the one that pooled its idle connections (a fork() child) first closes its copies of
// them, so parent and child never share a connection; still, prefer creating clients after
// fork() (a child forked while another thread held the pool's lock would deadlock on it).
// Cancellation: a blocking call cannot be cancelled; it returns at the latest at its deadline.
// Buffers: arguments need only live for the call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include <corio/http/options.hpp>
#include <corio/http/request.hpp>
#include <corio/http/response.hpp>
#include <corio/http/stats.hpp>
#include <corio/http/url.hpp>

namespace corio_httpkit {

namespace http = corio::http;

class blocking_client {
 public:
  using clock = std::chrono::steady_clock;

  explicit blocking_client(http::client_options options = {});
  ~blocking_client();  // closes the idle connections
  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  http::response get(std::string_view u) { return request(http::method::get, http::url::parse(u)); }
  http::response get(const http::url& u) { return request(http::method::get, u); }
  http::response head(const http::url& u) { return request(http::method::head, u); }
  // One fetch with deadline now + options().request_timeout.
  http::response request(http::method m, const http::url& u);
  // One fetch that gives up at `deadline`.
  http::response request(http::method m, const http::url& u, clock::time_point deadline);

  const http::client_options& options() const noexcept { return options_; }
  http::client_stats stats() const noexcept;
  std::size_t idle_connections() const;
  void close_idle_connections();

 private:
  struct pool_type;
  http::response exchange(http::method m, const http::url& u, clock::time_point deadline);

  http::client_options options_;
  std::unique_ptr<pool_type> pool_;
  std::atomic<std::uint64_t> requests_{0}, opened_{0}, reused_{0}, retries_{0};
  std::atomic<int> owner_pid_;  // the process whose connections the pool holds
};

}  // namespace corio_httpkit
