// tcp_stream and tcp_listener (corio/net/tcp_stream.hpp, corio/net/tcp_listener.hpp).
#include <corio/net/errors.hpp>
#include <corio/net/resolver.hpp>
#include <corio/net/tcp_listener.hpp>
#include <corio/net/tcp_stream.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>

#include "net/connect.hpp"
#include "net/sockaddr.hpp"

namespace corio::net {

using detail::fd_handle;

namespace {

endpoint sock_name(const fd_handle& h, bool peer, const char* what) {
  if (!h.is_open()) detail::throw_errno_on(EBADF, what, {});
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int r = peer ? ::getpeername(h.fd(), reinterpret_cast<sockaddr*>(&ss), &len)
               : ::getsockname(h.fd(), reinterpret_cast<sockaddr*>(&ss), &len);
  if (r < 0) detail::throw_errno_on(errno, what, h.describe());
  return detail::from_sockaddr(ss, len);
}

void set_int_option(const fd_handle& h, int level, int name, int value, const char* what) {
  if (!h.is_open()) detail::throw_errno_on(EBADF, what, {});
  if (::setsockopt(h.fd(), level, name, &value, sizeof value) < 0) detail::throw_errno_on(errno, what, h.describe());
}

}  // namespace

// ---- tcp_stream ---------------------------------------------------------------------------------

task<tcp_stream> tcp_stream::connect(endpoint ep, deadline d) {
  const std::string target = ep.to_string();
  fd_handle h(detail::open_socket(ep.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM, "connect", target),
              fd_handle::kind::socket);
  h.name_len = detail::to_sockaddr(ep, h.name);
  co_await detail::connect_socket(h, h.name, h.name_len, target, d);
  co_return tcp_stream(std::move(h));
}

task<tcp_stream> tcp_stream::connect(std::string host, std::uint16_t port, deadline d) {
  std::vector<endpoint> eps = co_await resolve(host, port, {}, d);
  std::exception_ptr last;
  for (const endpoint& ep : eps) {
    try {
      co_return co_await connect(ep, d);
    } catch (const std::system_error& e) {
      // Cancellation and the deadline end the whole attempt; other failures try the next address.
      if (e.code() == errc::operation_aborted || e.code() == errc::timed_out) throw;
      last = std::current_exception();
    }
  }
  if (!last) throw error(std::error_code(EAI_NONAME, resolve_error_category()), "connect " + host);
  std::rethrow_exception(last);
}

endpoint tcp_stream::peer_endpoint() const { return sock_name(h_, true, "getpeername"); }
endpoint tcp_stream::local_endpoint() const { return sock_name(h_, false, "getsockname"); }
void tcp_stream::set_nodelay(bool on) { set_int_option(h_, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, "set_nodelay"); }
void tcp_stream::set_keepalive(bool on) { set_int_option(h_, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0, "set_keepalive"); }

// ---- tcp_listener -------------------------------------------------------------------------------

tcp_listener tcp_listener::bind(const endpoint& ep, const listen_options& opts) {
  const std::string target = ep.to_string();
  fd_handle h(detail::open_socket(ep.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM, "bind", target),
              fd_handle::kind::socket);
  if (opts.reuse_address) set_int_option(h, SOL_SOCKET, SO_REUSEADDR, 1, "bind");
  if (opts.reuse_port) set_int_option(h, SOL_SOCKET, SO_REUSEPORT, 1, "bind");
  if (ep.is_v6()) set_int_option(h, IPPROTO_IPV6, IPV6_V6ONLY, opts.v6_only ? 1 : 0, "bind");
  sockaddr_storage ss;
  socklen_t len = detail::to_sockaddr(ep, ss);
  if (::bind(h.fd(), reinterpret_cast<sockaddr*>(&ss), len) < 0) detail::throw_errno_on(errno, "bind", target);
  if (::listen(h.fd(), opts.backlog) < 0) detail::throw_errno_on(errno, "listen", target);
  h.name_len = sizeof h.name;
  if (::getsockname(h.fd(), reinterpret_cast<sockaddr*>(&h.name), &h.name_len) < 0) h.name_len = 0;
  return tcp_listener(std::move(h));
}

tcp_listener tcp_listener::bind(std::string_view ep, const listen_options& opts) {
  return bind(endpoint::parse(ep), opts);
}

endpoint tcp_listener::local_endpoint() const { return sock_name(h_, false, "getsockname"); }

}  // namespace corio::net
