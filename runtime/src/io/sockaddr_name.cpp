// Naming socket addresses in error messages (io/sockaddr_name.hpp).
#include "io/sockaddr_name.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

namespace corio::detail {

std::string describe_sockaddr(const sockaddr_storage& ss, socklen_t len) {
  if (len == 0) return {};
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(s4->sin_port));
  }
  if (ss.ss_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
    std::string out = "[" + std::string(host);
    if (s6->sin6_scope_id) out += "%" + std::to_string(s6->sin6_scope_id);
    return out + "]:" + std::to_string(ntohs(s6->sin6_port));
  }
  if (ss.ss_family == AF_UNIX) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(&ss);
    const std::size_t off = offsetof(sockaddr_un, sun_path);
    if (len <= off) return "(unnamed unix socket)";
    std::size_t n = len - off;
    if (un->sun_path[0] == '\0') return "@" + std::string(un->sun_path + 1, n - 1);
    return std::string(un->sun_path, strnlen(un->sun_path, n));
  }
  return "(unknown address family)";
}

}  // namespace corio::detail
