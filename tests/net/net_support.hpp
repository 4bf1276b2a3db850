// tests/net/net_support.hpp - helpers for the networking tests: connected pairs, an echo session,
// deterministic payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <corio/corio.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net_test {

using corio::task;
using corio::net::endpoint;
using corio::net::tcp_listener;
using corio::net::tcp_stream;

// n bytes of a pattern that differs at every offset and between seeds.
inline std::vector<std::byte> payload(std::size_t n, std::uint32_t seed = 1) {
  std::vector<std::byte> v(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v[i] = static_cast<std::byte>(x);
  }
  return v;
}

// Whether this host has an IPv6 loopback (containers often run with IPv6 disabled). Tests skip
// their IPv6 parts, saying so, when it does not.
inline bool have_ipv6_loopback() {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A listener on the loopback address of `family`, port 0.
inline tcp_listener loopback_listener(corio::net::ip_family f = corio::net::ip_family::v4) {
  return tcp_listener::bind(endpoint(corio::net::ip_address::loopback(f), 0));
}

// Connects to `l` and accepts the connection: {client side, server side}.
inline task<std::pair<tcp_stream, tcp_stream>> connected_pair(tcp_listener& l) {
  auto [client, server] = co_await corio::when_all(tcp_stream::connect(l.local_endpoint()), l.accept());
  co_return std::pair<tcp_stream, tcp_stream>{std::move(client), std::move(server)};
}

// Echoes everything it reads until the peer closes its side; then closes. Returns bytes echoed.
inline task<std::size_t> echo_session(tcp_stream s) {
  std::vector<std::byte> buf(64 * 1024);
  std::size_t total = 0;
  for (;;) {
    std::size_t n = co_await s.read_some(buf);
    if (n == 0) break;
    co_await s.write_all(std::span<const std::byte>(buf.data(), n));
    total += n;
  }
  s.close();  // now, not when the frame is freed (a joined task's frame lives until it is awaited)
  co_return total;
}

}  // namespace net_test
