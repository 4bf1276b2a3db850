// corio/http/client.hpp - corio's asynchronous HTTP/1.1 client (GET and HEAD) on corio::net.
//
// What it does: `response r = co_await c.get("http://127.0.0.1:8080/page/0");` connects (or takes a
// pooled keep-alive connection), sends the bytes of corio/http/request.hpp, reads the answer with
// corio/http/parser.hpp, follows redirects (bounded) and returns the response. It is the same
// fetch as the thread and process models' blocking client (benchmark code, bench/httpkit), with the
// same options, request bytes, parser, redirect rules, pool and errors: the execution models differ
// only in how they wait (this one suspends the task; the loop thread serves other tasks meanwhile).
//   - name resolution: a numeric IPv4/IPv6 host is used directly; names go through
//     corio::net::resolve (getaddrinfo on the runtime's blocking pool), each address tried in turn;
//   - keep-alive: connections are pooled per host:port when the response allows it and nothing
//     followed it on the wire; a pooled connection that fails before any byte of the response (the
//     server closed it while idle) is retried once on a new connection;
//   - redirects: 301/302/303/307/308 with Location, at most client_options::max_redirects;
//     response::final_url says where the answer came from (it may be another host);
//   - deadline: one deadline bounds the whole fetch (every connect, write, read, redirect and the
//     retry): now + client_options::request_timeout, or the one passed in. It is ONE timer in the
//     runtime's timer heap per request, not a kernel timeout per read (cheaper on io_uring, where
//     a per-operation deadline costs a linked timeout request). Each connection attempt is also
//     bounded by client_options::connect_timeout.
//   - memory: the read buffer is sized from the last response this client received (at least
//     4 KiB, at most 64 KiB), so that a page usually arrives in one read; buffers are reused (up
//     to 64 spares per client). While the requests waiting for an answer hold more than 1 MiB of
//     such buffers in total (thousands of connections at once), further ones wait with a 64-byte
//     buffer in their frame and make their parser only once the answer has begun. Once an answer
//     has begun, what has already arrived is read at once with a non-blocking recv(2) into one
//     64 KiB scratch buffer per client, so the rest of a page needs neither a buffer of its own
//     nor another trip through the loop. A waiting request then holds about 2 KB in all (frames
//     included) instead of 9 KB: memory that the kernel must also fault in, which costs CPU.
//
// Errors: corio::error, with the codes of the error table (see docs/api-http.md): a
// corio::http::errc (timeout, connection_reset, truncated, malformed_response, header_too_large,
// body_too_large, too_many_redirects, resolve_failed, invalid_url, unsupported_scheme) or an errno
// in std::system_category() (connection refused, too many open files, ...). what() starts with the
// method and URL: "GET http://127.0.0.1:8080/x: ...". A timeout says what the request was doing
// ("... waiting for the response: HTTP request timed out"). A connection on which an exchange
// failed is closed, never pooled (a redirect loop's connections carried whole responses and stay
// reusable). HTTP error statuses (404, 500) are responses, not errors.
//
// Which thread resumes you: the runtime's thread. A client belongs to the runtime whose tasks use
// it (its pooled connections do): use it from that runtime's tasks only, and destroy it (or call
// close_idle_connections()) before the runtime ends. Any number of requests may run at once on one
// client (each uses its own connection). The client must outlive its requests.
// Cancellation: cancelling the task (task cancel, task_group, when_any, corio::timeout around the
// call) aborts the request at its current operation with corio::errc::operation_aborted; the
// connection it was using is closed, never pooled.
// Buffers: arguments are copied; the response owns its data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <corio/http/options.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/request.hpp>
#include <corio/http/response.hpp>
#include <corio/http/stats.hpp>
#include <corio/http/url.hpp>
#include <corio/io/deadline.hpp>
#include <corio/net/tcp_stream.hpp>
#include <corio/task.hpp>

namespace corio::http {

class client {
 public:
  explicit client(client_options options = {});
  ~client();  // closes the idle connections
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // GET of a URL given as text (parse errors are thrown when the task runs: invalid_url, ...).
  task<response> get(std::string_view u);
  task<response> get(url u) { return request(method::get, std::move(u)); }
  task<response> head(url u) { return request(method::head, std::move(u)); }
  // One fetch with the deadline now + options().request_timeout.
  task<response> request(method m, url u);
  // One fetch that gives up at `d` (an unset deadline: none at all, connect_timeout still applies).
  task<response> request(method m, url u, deadline d);

  const client_options& options() const noexcept { return options_; }
  client_stats stats() const noexcept { return stats_; }
  std::size_t idle_connections() const;
  void close_idle_connections();

 private:
  struct pool_type;
  struct exchange_state;
  class read_buffer;
  struct read_progress {
    std::size_t received = 0;  // bytes of the response read so far
    bool leftover = false;     // bytes followed the response (the connection must not be reused)
  };
  static bool consume(response_parser& p, const char* data, std::size_t n, read_progress& rp);
  bool drain(net::tcp_stream& conn, response_parser& p, read_progress& rp);
  std::unique_ptr<char[]> take_spare(std::size_t n);
  void recycle(std::unique_ptr<char[]> p, std::size_t n) noexcept;
  task<response> run(method m, url u, deadline d, bool relative);
  task<void> fetch(method m, deadline d, exchange_state& st);
  bool take_pooled(const std::string& origin, net::tcp_stream& into);
  void start_hop(method m, exchange_state& st) const;
  bool finish_hop(response_parser& p, net::tcp_stream& conn, std::size_t received, bool leftover, exchange_state& st);
  [[noreturn]] static void rethrow_failure(const std::exception_ptr& failure, method m, const url& u,
                                           const exchange_state& st);

  client_options options_;
  std::unique_ptr<pool_type> pool_;
  client_stats stats_;
  std::size_t read_size_ = 4096;  // the next read buffer's size (see the header comment)
  std::size_t waiting_ = 0;       // requests between their write and their last read
  std::vector<std::unique_ptr<char[]>> spares_;  // read buffers of spare_size_ bytes, for reuse
  std::size_t spare_size_ = 0;
  std::unique_ptr<char[]> scratch_;  // synchronous reads of what has already arrived (64 KiB)
};

}  // namespace corio::http
