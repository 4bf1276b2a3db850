// Socket address conversions and socket creation (net/sockaddr.hpp).
#include "net/sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include <corio/error.hpp>

namespace corio::detail {

socklen_t to_sockaddr(const net::endpoint& ep, sockaddr_storage& ss) noexcept {
  std::memset(&ss, 0, sizeof ss);
  const auto& b = ep.address().bytes();
  if (ep.is_v6()) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(ep.port());
    std::memcpy(&s6->sin6_addr, b.data(), 16);
    s6->sin6_scope_id = ep.address().scope_id();
    return sizeof(sockaddr_in6);
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(ep.port());
  std::memcpy(&s4->sin_addr, b.data(), 4);
  return sizeof(sockaddr_in);
}

net::endpoint from_sockaddr(const sockaddr_storage& ss, socklen_t len) noexcept {
  if (ss.ss_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &s6->sin6_addr, 16);
    return {net::ip_address::v6(b, s6->sin6_scope_id), ntohs(s6->sin6_port)};
  }
  if (ss.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&ss);
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), &s4->sin_addr, 4);
    return {net::ip_address::v4(b), ntohs(s4->sin_port)};
  }
  return {};
}

socklen_t to_sockaddr_un(std::string_view path, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  auto* un = reinterpret_cast<sockaddr_un*>(&ss);
  un->sun_family = AF_UNIX;
  const bool abstract = !path.empty() && path[0] == '@';
  if (path.empty() || path.size() >= sizeof un->sun_path || (abstract && path.size() < 2))
    throw_error(errc::invalid_argument, "unix socket path \"" + std::string(path) +
                                            "\": empty or longer than 107 bytes");
  if (path.find('\0') != std::string_view::npos)
    throw_error(errc::invalid_argument, "unix socket path contains a NUL byte");
  std::memcpy(un->sun_path, path.data(), path.size());
  if (abstract) {
    un->sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

int open_socket(int family, int type, const char* what, const std::string& target) {
  int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno_on(errno, what, target);
  return fd;
}

}  // namespace corio::detail
