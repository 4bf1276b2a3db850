// corio/net/tcp_listener.hpp - corio::net::tcp_listener: accepts TCP connections.
//
// What it does: `auto l = tcp_listener::bind(endpoint::parse("127.0.0.1:0"));` creates a socket,
// sets SO_REUSEADDR (by default), binds and listens. Port 0 lets the kernel choose a free port:
// local_endpoint() tells which. accept() waits for the next connection and returns it as a
// tcp_stream. bind() is synchronous (socket, bind and listen never block) and must run inside a
// corio runtime (on its thread).
// IPv6: binding "[::]:port" accepts IPv4 connections too unless listen_options::v6_only is set.
//
// Errors (corio::error): "bind 127.0.0.1:80: Address already in use", "accept 127.0.0.1:5000: Too
// many open files". Running out of file descriptors (EMFILE/ENFILE) or memory (ENOBUFS/ENOMEM)
// fails that one accept: the listener stays open, the connection waits in the kernel's backlog,
// and the next accept() (once descriptors are free) takes it. A server loop should catch the
// error, back off briefly and go on serving the connections it has.
// Which thread resumes you: the runtime's thread.
// Cancellation and deadlines: a cancelled or timed-out accept takes no connection (io_uring aborts
// the request; Asio never calls accept4), and the listener stays usable. Several tasks may accept
// on one listener at once; close() (or destruction) makes their accepts end with
// errc::operation_aborted.
// Buffers: none.
#pragma once

#include <string_view>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/net/endpoint.hpp>
#include <corio/net/tcp_stream.hpp>
#include <corio/task.hpp>

namespace corio::net {

struct listen_options {
  int backlog = 4096;          // listen(2) backlog (the kernel caps it at net.core.somaxconn)
  bool reuse_address = true;   // SO_REUSEADDR: rebind a port whose old connections are in TIME_WAIT
  bool reuse_port = false;     // SO_REUSEPORT: several listeners share one port
  bool v6_only = false;        // IPV6_V6ONLY for IPv6 endpoints
};

class tcp_listener {
 public:
  tcp_listener() noexcept = default;

  static tcp_listener bind(const endpoint& ep, const listen_options& opts = {});
  // Parses `ep` ("127.0.0.1:0", "[::1]:8080") first.
  static tcp_listener bind(std::string_view ep, const listen_options& opts = {});

  [[nodiscard]] detail::accept_op<tcp_stream> accept(deadline d = {}) noexcept { return {h_, d}; }

  endpoint local_endpoint() const;
  bool is_open() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }
  void close() noexcept { h_.close(); }

 private:
  explicit tcp_listener(detail::fd_handle h) noexcept : h_(std::move(h)) {}
  detail::fd_handle h_;
};

}  // namespace corio::net
