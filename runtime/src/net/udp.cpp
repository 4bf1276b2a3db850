// udp_socket (corio/net/udp_socket.hpp): datagrams through sendmsg / recvmsg requests (the leaf
// operations send_to_op and receive_from_op).
#include <corio/net/udp_socket.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "net/sockaddr.hpp"

namespace corio::net {

using detail::fd_handle;

udp_socket udp_socket::bind(const endpoint& ep) {
  const std::string target = ep.to_string();
  fd_handle h(detail::open_socket(ep.is_v6() ? AF_INET6 : AF_INET, SOCK_DGRAM, "bind", target),
              fd_handle::kind::socket);
  sockaddr_storage ss;
  socklen_t len = detail::to_sockaddr(ep, ss);
  if (::bind(h.fd(), reinterpret_cast<sockaddr*>(&ss), len) < 0) detail::throw_errno_on(errno, "bind", target);
  h.name_len = sizeof h.name;
  if (::getsockname(h.fd(), reinterpret_cast<sockaddr*>(&h.name), &h.name_len) < 0) h.name_len = 0;
  return udp_socket(std::move(h));
}

udp_socket udp_socket::bind(std::string_view ep) { return bind(endpoint::parse(ep)); }

udp_socket udp_socket::open(ip_family family) {
  fd_handle h(detail::open_socket(family == ip_family::v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, "socket", "udp"),
              fd_handle::kind::socket);
  return udp_socket(std::move(h));
}

endpoint udp_socket::local_endpoint() const {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "getsockname", {});
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(h_.fd(), reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    detail::throw_errno_on(errno, "getsockname", h_.describe());
  return detail::from_sockaddr(ss, len);
}

}  // namespace corio::net

namespace corio::detail {

send_to_op::send_to_op(fd_handle& h, const void* data, std::size_t size, const net::endpoint& to, deadline d) noexcept
    : datagram_op(h, op_code::sendmsg, data, size, d) {
  peer_ = to;
  addr_len_ = to_sockaddr(to, addr_);
}

std::size_t send_to_op::await_resume() {
  const std::int32_t r = finish();
  if (r < 0 || closed()) throw_op_error(*this, r < 0 ? r : -ECANCELED, "send_to", " to " + peer_.to_string());
  return static_cast<std::size_t>(r);
}

net::datagram receive_from_op::await_resume() {
  const std::int32_t r = checked("receive_from");
  net::datagram out;
  out.size = static_cast<std::size_t>(r);
  out.from = from_sockaddr(addr_, msg_.msg_namelen);
  out.truncated = (msg_.msg_flags & MSG_TRUNC) != 0;
  return out;
}

}  // namespace corio::detail
