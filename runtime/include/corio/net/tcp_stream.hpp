// corio/net/tcp_stream.hpp - corio::net::tcp_stream: a TCP connection (IPv4 or IPv6).
//
// What it does: `auto s = co_await tcp_stream::connect(endpoint::parse("127.0.0.1:8080"));` opens a
// connection; tcp_listener::accept() returns the server side. Reading and writing are those of
// stream_socket (read_some, read_exact, write_some, write_all, shutdown, close).
// connect(host, port) resolves a name first (corio::net::resolve, off the loop thread) and tries
// each address in turn until one accepts.
//
// How connect works (both backends): a non-blocking connect(2) on the loop thread. On loopback and
// on fast paths the handshake is done by the time connect(2) returns, so the stream is ready with no
// further wait and the first write follows at once; only a connection really in progress waits for
// writability through the backend (then SO_ERROR says how it ended). This beats io_uring's own
// IORING_OP_CONNECT, which goes through an in-progress / poll / retry round trip (see
// docs/api-net.md and `corio-bench connect` for the measurement).
//
// Errors (corio::error, errno codes): "connect 127.0.0.1:1: Connection refused", "connect
// 10.255.255.1:80: timed out" (deadline), "connect 127.0.0.1:80: Too many open files" (EMFILE: no
// socket could be created; nothing leaks and the runtime goes on).
// Which thread resumes you: the runtime's thread.
// Cancellation and deadlines: a cancelled or timed-out connect closes the half-open socket; nothing
// is returned. For the stream's own operations see stream_socket.hpp.
// Buffers: see stream_socket.hpp.
#pragma once

#include <cstdint>
#include <string>

#include <corio/io/deadline.hpp>
#include <corio/net/endpoint.hpp>
#include <corio/net/stream_socket.hpp>
#include <corio/task.hpp>

namespace corio::net {

class tcp_listener;

class tcp_stream : public stream_socket {
 public:
  tcp_stream() noexcept = default;

  static task<tcp_stream> connect(endpoint ep, deadline d = {});
  // Resolves `host` (a name or an address literal) and connects to the first address that accepts.
  // The deadline covers resolution and every attempt. If every address fails, the last error is
  // thrown.
  static task<tcp_stream> connect(std::string host, std::uint16_t port, deadline d = {});

  // The addresses of the connection (getpeername/getsockname). Throw corio::error if closed.
  endpoint peer_endpoint() const;
  endpoint local_endpoint() const;

  // TCP_NODELAY: send small writes at once instead of coalescing them (Nagle's algorithm).
  void set_nodelay(bool on = true);
  // SO_KEEPALIVE.
  void set_keepalive(bool on = true);

 private:
  friend class tcp_listener;
  friend class detail::accept_op<tcp_stream>;
  explicit tcp_stream(detail::fd_handle h) noexcept : stream_socket(std::move(h)) {}
};

}  // namespace corio::net
