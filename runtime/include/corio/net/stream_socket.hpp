// corio/net/stream_socket.hpp - corio::net::stream_socket: reading and writing a connected byte
// stream. The common part of tcp_stream and unix_stream.
//
// What it does:
//   read_some(buf)   waits until at least one byte is available, reads up to buf.size() bytes and
//                    returns how many; 0 means the peer closed its side (end of stream). An empty
//                    buffer returns 0 at once.
//   read_exact(buf)  reads exactly buf.size() bytes; if the stream ends first it throws
//                    corio::incomplete_read (code errc::eof) saying how many bytes arrived
//                    ("read_exact 127.0.0.1:5000: got 10 of 100 bytes: end of stream").
//   write_some(buf)  writes at least one byte, returns how many.
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
// Buffers: must stay valid until the operation's co_await returns (it always does for buffers
// owned by the awaiting coroutine). After that, corio never touches them again, even when the
// operation was cancelled or timed out: the kernel or the reactor is done with them first.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include <corio/net/deadline.hpp>
#include <corio/net/detail/fd_handle.hpp>
#include <corio/net/errors.hpp>
#include <corio/task.hpp>

namespace corio::net {

enum class shutdown_how : int { receive = 0, send = 1, both = 2 };  // SHUT_RD, SHUT_WR, SHUT_RDWR

class stream_socket {
 public:
  stream_socket() noexcept = default;
  stream_socket(stream_socket&&) noexcept = default;
  stream_socket& operator=(stream_socket&&) noexcept = default;

  bool is_open() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }

  task<std::size_t> read_some(void* data, std::size_t size, deadline d = {});
  task<std::size_t> read_some(std::span<std::byte> buf, deadline d = {}) { return read_some(buf.data(), buf.size(), d); }
  task<std::size_t> read_some(std::span<char> buf, deadline d = {}) { return read_some(buf.data(), buf.size(), d); }

  task<void> read_exact(void* data, std::size_t size, deadline d = {});
  task<void> read_exact(std::span<std::byte> buf, deadline d = {}) { return read_exact(buf.data(), buf.size(), d); }
  task<void> read_exact(std::span<char> buf, deadline d = {}) { return read_exact(buf.data(), buf.size(), d); }

  task<std::size_t> write_some(const void* data, std::size_t size, deadline d = {});
  task<std::size_t> write_some(std::span<const std::byte> buf, deadline d = {}) {
    return write_some(buf.data(), buf.size(), d);
  }
  task<std::size_t> write_some(std::string_view s, deadline d = {}) { return write_some(s.data(), s.size(), d); }

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
