// corio/net/stream_socket.hpp - corio::net::stream_socket: reading and writing a connected byte
// stream. The common part of tcp_stream and unix_stream.
//
// What it does:
//   read_some(buf)   waits until at least one byte is available, reads up to buf.size() bytes and
//                    returns how many; 0 means the peer closed its side (end of stream). An empty
//                    buffer returns 0 at once.
//   try_read_some(buf)  reads what has already arrived without waiting (tokio's try_read): the
//                    byte count, 0 at end of stream, or std::nullopt when nothing is there yet.
//   read_exact(buf)  reads exactly buf.size() bytes; if the stream ends first it throws
//                    corio::incomplete_read (code errc::eof) saying how many bytes arrived
//                    ("read_exact 127.0.0.1:5000: got 10 of 100 bytes: end of stream").
//   write_some(buf)  writes at least one byte, returns how many.
//   try_write_some(buf)  writes what the socket buffer takes now, without waiting: the byte
//                    count, or std::nullopt when it is full.
//   write_all(buf)   writes every byte (several sends if the kernel takes them in parts).
//   shutdown(how)    shutdown(2): stop sending (the peer reads end of stream), receiving, or both.
//   close()          closes now (also done by the destructor); operations pending on the stream in
//                    other tasks end with errc::operation_aborted.
// Failures throw corio::error naming the operation and the peer: "read 127.0.0.1:5000: Connection
// reset by peer", "write [::1]:5000: Broken pipe (after 4096 of 65536 bytes)". Writing never
// raises SIGPIPE.
//
// Which thread resumes you: the runtime's thread (the one the stream was created on). A stream
// belongs to one runtime and must be used, and destroyed, on its thread, before the runtime ends.
// Concurrency: one reader and one writer may run at once (two tasks). The stream may be moved
// while operations are pending; it may also be closed or destroyed meanwhile (they abort).
//
// Cancellation and deadlines: every operation takes an optional corio::deadline and is cancelled
// when its task is (task cancel, task_group, when_any, corio::timeout). It then throws
// errc::timed_out or errc::operation_aborted; the stream stays open and usable. A cancelled
// read_some/write_some consumed or sent nothing (io_uring: the kernel aborted the request before it
// ran; Asio: the syscall was never made), unless it had already completed, in which case its
// result is returned. A cancelled read_exact or write_all may have moved part of the data: the
// byte stream is then at an unknown position, and most protocols should close the stream.
//
// read_some and write_some are leaf operations: awaiting one costs no coroutine frame (the request
// lives in the awaiting frame). Like every corio awaitable they can be passed to corio::timeout,
// when_any, when_all and spawn; their buffers must then outlive that wait too.
//
// Buffers: must stay valid until the operation's co_await returns (it always does for buffers
// owned by the awaiting coroutine). After that, corio never touches them again, even when the
// operation was cancelled or timed out: the kernel or the reactor is done with them first.
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/io/error.hpp>
#include <corio/task.hpp>

namespace corio::detail {
// read_some / write_some: one recv / send request; co_await yields the byte count.
class transfer_some_op : public fd_op {
 public:
  transfer_some_op(fd_handle& h, op_code code, const void* data, std::size_t size, deadline d) noexcept
      : fd_op(h, code, d) {
    op().buf = const_cast<void*>(data);
    op().len = static_cast<std::uint32_t>(std::min(size, max_io_chunk));
    if (size == 0) complete_now(0);
  }
  std::size_t await_resume() { return static_cast<std::size_t>(checked(op().code == op_code::recv ? "read" : "write")); }
};

// accept on a listener: one accept4 request; co_await yields the connection as a `Stream`
// (tcp_stream or unix_stream, which befriend this type).
class accept_op_base : public fd_op {
 public:
  accept_op_base(fd_handle& listener, deadline d) noexcept : fd_op(listener, op_code::accept, d) {
    op().flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  }
  accept_op_base(const accept_op_base& o) noexcept : fd_op(o) {}
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    peer_len_ = sizeof peer_;
    op().addr = &peer_;  // set here, not in the constructor: the op may have been moved since
    op().addrlen = reinterpret_cast<std::uint32_t*>(&peer_len_);
    return fd_op::await_suspend(h);
  }

 protected:
  // The accepted descriptor as a handle named after its peer (or the Unix listener's path).
  // Throws the accept's error; a connection accepted just as the listener closed is closed.
  fd_handle take();  // stream_socket.cpp

 private:
  sockaddr_storage peer_{};
  socklen_t peer_len_ = 0;
};

template <class Stream>
class accept_op final : public accept_op_base {
 public:
  using accept_op_base::accept_op_base;
  Stream await_resume() { return Stream(take()); }
};
}  // namespace corio::detail

namespace corio::net {

enum class shutdown_how : int { receive = 0, send = 1, both = 2 };  // SHUT_RD, SHUT_WR, SHUT_RDWR


class stream_socket {
 public:
  stream_socket() noexcept = default;
  stream_socket(stream_socket&&) noexcept = default;
  stream_socket& operator=(stream_socket&&) noexcept = default;

  bool is_open() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }

  [[nodiscard]] detail::transfer_some_op read_some(void* data, std::size_t size, deadline d = {}) noexcept {
    return {h_, detail::op_code::recv, data, size, d};
  }
  [[nodiscard]] detail::transfer_some_op read_some(std::span<std::byte> buf, deadline d = {}) noexcept {
    return read_some(buf.data(), buf.size(), d);
  }
  [[nodiscard]] detail::transfer_some_op read_some(std::span<char> buf, deadline d = {}) noexcept {
    return read_some(buf.data(), buf.size(), d);
  }
  // Never waits. Throws corio::error for a failed recv (e.g. connection reset).
  std::optional<std::size_t> try_read_some(void* data, std::size_t size);
  std::optional<std::size_t> try_read_some(std::span<char> buf) { return try_read_some(buf.data(), buf.size()); }

  task<void> read_exact(void* data, std::size_t size, deadline d = {});
  task<void> read_exact(std::span<std::byte> buf, deadline d = {}) { return read_exact(buf.data(), buf.size(), d); }
  task<void> read_exact(std::span<char> buf, deadline d = {}) { return read_exact(buf.data(), buf.size(), d); }

  [[nodiscard]] detail::transfer_some_op write_some(const void* data, std::size_t size, deadline d = {}) noexcept {
    return {h_, detail::op_code::send, data, size, d};
  }
  [[nodiscard]] detail::transfer_some_op write_some(std::span<const std::byte> buf, deadline d = {}) noexcept {
    return write_some(buf.data(), buf.size(), d);
  }
  [[nodiscard]] detail::transfer_some_op write_some(std::string_view s, deadline d = {}) noexcept {
    return write_some(s.data(), s.size(), d);
  }
  // Never waits; never raises SIGPIPE. Throws corio::error for a failed send (e.g. EPIPE).
  std::optional<std::size_t> try_write_some(const void* data, std::size_t size);
  std::optional<std::size_t> try_write_some(std::string_view s) { return try_write_some(s.data(), s.size()); }

  task<void> write_all(const void* data, std::size_t size, deadline d = {});
  task<void> write_all(std::span<const std::byte> buf, deadline d = {}) { return write_all(buf.data(), buf.size(), d); }
  task<void> write_all(std::string_view s, deadline d = {}) { return write_all(s.data(), s.size(), d); }

  // shutdown(2). Never blocks. Throws corio::error (e.g. ENOTCONN).
  void shutdown(shutdown_how how = shutdown_how::send);
  void close() noexcept { h_.close(); }

 protected:
  explicit stream_socket(detail::fd_handle h) noexcept : h_(std::move(h)) {}
  detail::fd_handle h_;
};

}  // namespace corio::net
