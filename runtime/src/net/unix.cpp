// unix_stream and unix_listener (corio/net/unix_stream.hpp).
#include <corio/net/unix_stream.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

#include "net/connect.hpp"
#include "net/sockaddr.hpp"

namespace corio::net {

using detail::fd_handle;

task<unix_stream> unix_stream::connect(std::string path, deadline d) {
  sockaddr_storage ss;
  const socklen_t len = detail::to_sockaddr_un(path, ss);
  fd_handle h(detail::open_socket(AF_UNIX, SOCK_STREAM, "connect", path), fd_handle::kind::socket);
  h.name = ss;
  h.name_len = len;
  co_await detail::connect_socket(h, h.name, h.name_len, path, d);
  co_return unix_stream(std::move(h));
}

std::pair<unix_stream, unix_stream> unix_stream::pair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
    detail::throw_errno_on(errno, "socketpair", {});
  int second = sv[1];
  fd_handle a;
  try {
    a = fd_handle(sv[0], fd_handle::kind::socket);
  } catch (...) {
    ::close(second);
    throw;
  }
  fd_handle b(second, fd_handle::kind::socket);
  a.path = "socketpair fd " + std::to_string(sv[0]);
  b.path = "socketpair fd " + std::to_string(second);
  return {unix_stream(std::move(a)), unix_stream(std::move(b))};
}

std::string unix_stream::peer_path() const {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "getpeername", {});
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(h_.fd(), reinterpret_cast<sockaddr*>(&ss), &len) < 0)
    detail::throw_errno_on(errno, "getpeername", h_.describe());
  if (len <= offsetof(sockaddr_un, sun_path)) return {};
  return detail::describe_sockaddr(ss, len);
}

unix_listener unix_listener::bind(std::string path, int backlog) {
  sockaddr_storage ss;
  const socklen_t len = detail::to_sockaddr_un(path, ss);
  fd_handle h(detail::open_socket(AF_UNIX, SOCK_STREAM, "bind", path), fd_handle::kind::socket);
  if (::bind(h.fd(), reinterpret_cast<sockaddr*>(&ss), len) < 0) detail::throw_errno_on(errno, "bind", path);
  // From here on the path is ours: remove it if listen fails, and when the listener closes.
  h.path = path;
  if (::listen(h.fd(), backlog) < 0) {
    const int err = errno;
    if (path[0] != '@') ::unlink(path.c_str());
    detail::throw_errno_on(err, "listen", path);
  }
  return unix_listener(std::move(h));
}

unix_listener& unix_listener::operator=(unix_listener&& o) noexcept {
  if (this != &o) {
    close();
    h_ = std::move(o.h_);
  }
  return *this;
}

void unix_listener::close() noexcept {
  if (!h_.is_open()) return;
  std::string p = h_.path;
  h_.close();
  if (!p.empty() && p[0] != '@') ::unlink(p.c_str());
}

}  // namespace corio::net
