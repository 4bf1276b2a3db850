// corio/net/unix_stream.hpp - Unix-domain stream sockets: unix_stream and unix_listener.
//
// What it does: like tcp_stream / tcp_listener, for local sockets named by a path. A path that
// starts with '@' names a socket in Linux's abstract namespace ("@corio-test-1" has no file and
// vanishes with its last descriptor). Paths must fit in sockaddr_un (107 bytes).
//   auto l = unix_listener::bind("/run/app.sock");
//   auto c = co_await unix_stream::connect("/run/app.sock");
//   auto [a, b] = unix_stream::pair();   // socketpair(2): two connected streams
// A listener bound to a filesystem path removes that path when it is closed or destroyed; bind()
// fails with EADDRINUSE if the path exists (remove a stale socket file first).
// Errors: "connect /run/app.sock: No such file or directory", "connect @name: Connection refused",
// "bind /tmp/x.sock: Address already in use", "unix socket path too long: invalid argument".
// Which thread resumes you: the runtime's thread.
// Cancellation and deadlines: as for tcp_stream / tcp_listener (see stream_socket.hpp).
// Buffers: see stream_socket.hpp.
#pragma once

#include <string>
#include <utility>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/net/stream_socket.hpp>
#include <corio/task.hpp>

namespace corio::net {

class unix_listener;

class unix_stream : public stream_socket {
 public:
  unix_stream() noexcept = default;

  static task<unix_stream> connect(std::string path, deadline d = {});
  // Two connected streams (socketpair(2)); must run inside a runtime.
  static std::pair<unix_stream, unix_stream> pair();

  // The peer's path ("" for unnamed sockets such as a client or a socketpair end).
  std::string peer_path() const;

 private:
  friend class unix_listener;
  friend class detail::accept_op<unix_stream>;
  explicit unix_stream(detail::fd_handle h) noexcept : stream_socket(std::move(h)) {}
};

class unix_listener {
 public:
  unix_listener() noexcept = default;
  unix_listener(unix_listener&& o) noexcept = default;
  unix_listener& operator=(unix_listener&& o) noexcept;
  ~unix_listener() { close(); }

  static unix_listener bind(std::string path, int backlog = 4096);

  [[nodiscard]] detail::accept_op<unix_stream> accept(deadline d = {}) noexcept { return {h_, d}; }

  const std::string& path() const noexcept { return h_.path; }
  bool is_open() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }
  // Closes the socket and removes its path (filesystem sockets only).
  void close() noexcept;

 private:
  explicit unix_listener(detail::fd_handle h) noexcept : h_(std::move(h)) {}
  detail::fd_handle h_;
};

}  // namespace corio::net
