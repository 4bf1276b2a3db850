// corio/net/udp_socket.hpp - corio::net::udp_socket: UDP datagrams over IPv4 or IPv6.
//
// What it does:
//   auto s = udp_socket::bind(endpoint::parse("127.0.0.1:0"));   // port 0: kernel's choice
//   co_await s.send_to(bytes, peer);                              // one datagram
//   auto d = co_await s.receive_from(buf);                        // d.size, d.from, d.truncated
// udp_socket::open(family) gives an unbound socket (the kernel binds it on the first send).
// A datagram larger than the receive buffer is truncated: d.truncated says so and the rest is
// lost. send_to never splits a datagram: it sends all of it or fails (EMSGSIZE if too large).
// Errors (corio::error): "send_to 127.0.0.1:9: Connection refused" (an ICMP error from an earlier
// datagram), "bind 127.0.0.1:53: Permission denied", "receive_from 127.0.0.1:4000: timed out".
// Which thread resumes you: the runtime's thread.
// Cancellation and deadlines: a cancelled or timed-out receive_from takes no datagram; a cancelled
// send_to sent nothing, unless it had already completed (its size is then returned). The socket
// stays usable. Several tasks may receive on one socket at once; each datagram goes to one.
// Buffers: must stay valid until the co_await returns; never touched afterwards.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/net/endpoint.hpp>
#include <corio/task.hpp>

namespace corio::net {
struct datagram {
  std::size_t size = 0;    // bytes placed in the buffer
  endpoint from;           // the sender
  bool truncated = false;  // the datagram was larger than the buffer
};
}  // namespace corio::net

namespace corio::detail {
// send_to / receive_from: one sendmsg / recvmsg request. The msghdr points into the op, so it is
// built when the op starts (the op may have been moved before).
class datagram_op : public fd_op {
 public:
  datagram_op(fd_handle& h, op_code code, const void* data, std::size_t size, deadline d) noexcept
      : fd_op(h, code, d), iov_{const_cast<void*>(data), size} {}
  datagram_op(const datagram_op& o) noexcept
      : fd_op(o), addr_(o.addr_), addr_len_(o.addr_len_), iov_(o.iov_), peer_(o.peer_) {}
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    msg_ = msghdr{};
    msg_.msg_name = &addr_;
    msg_.msg_namelen = addr_len_;
    msg_.msg_iov = &iov_;
    msg_.msg_iovlen = 1;
    op().addr = &msg_;
    return fd_op::await_suspend(h);
  }

 protected:
  sockaddr_storage addr_{};
  socklen_t addr_len_ = sizeof(sockaddr_storage);
  iovec iov_;
  msghdr msg_{};
  net::endpoint peer_;  // send_to: the destination, for error messages
};

class send_to_op final : public datagram_op {
 public:
  send_to_op(fd_handle& h, const void* data, std::size_t size, const net::endpoint& to, deadline d) noexcept;  // udp.cpp
  std::size_t await_resume();
};

class receive_from_op final : public datagram_op {
 public:
  receive_from_op(fd_handle& h, void* data, std::size_t size, deadline d) noexcept
      : datagram_op(h, op_code::recvmsg, data, std::min(size, max_io_chunk), d) {}
  net::datagram await_resume();
};
}  // namespace corio::detail

namespace corio::net {

class udp_socket {
 public:
  udp_socket() noexcept = default;

  static udp_socket bind(const endpoint& ep);
  static udp_socket bind(std::string_view ep);
  static udp_socket open(ip_family family = ip_family::v4);

  [[nodiscard]] detail::send_to_op send_to(const void* data, std::size_t size, const endpoint& to,
                                           deadline d = {}) noexcept {
    return {h_, data, size, to, d};
  }
  [[nodiscard]] detail::send_to_op send_to(std::span<const std::byte> buf, const endpoint& to,
                                           deadline d = {}) noexcept {
    return send_to(buf.data(), buf.size(), to, d);
  }
  [[nodiscard]] detail::send_to_op send_to(std::string_view s, const endpoint& to, deadline d = {}) noexcept {
    return send_to(s.data(), s.size(), to, d);
  }

  [[nodiscard]] detail::receive_from_op receive_from(void* data, std::size_t size, deadline d = {}) noexcept {
    return {h_, data, size, d};
  }
  [[nodiscard]] detail::receive_from_op receive_from(std::span<std::byte> buf, deadline d = {}) noexcept {
    return receive_from(buf.data(), buf.size(), d);
  }
  [[nodiscard]] detail::receive_from_op receive_from(std::span<char> buf, deadline d = {}) noexcept {
    return receive_from(buf.data(), buf.size(), d);
  }

  endpoint local_endpoint() const;
  bool is_open() const noexcept { return h_.is_open(); }
  int native_handle() const noexcept { return h_.fd(); }
  void close() noexcept { h_.close(); }

 private:
  explicit udp_socket(detail::fd_handle h) noexcept : h_(std::move(h)) {}
  detail::fd_handle h_;
};

}  // namespace corio::net
