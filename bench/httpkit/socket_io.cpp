// Blocking socket IO with deadlines (httpkit/socket_io.hpp).
#include "httpkit/socket_io.hpp"

#include <corio/error.hpp>
#include <corio/http/error.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace corio_httpkit::detail {

using corio::http::errc;
using corio::http::throw_error;
using corio::http::url;

namespace {

struct address {
  sockaddr_storage storage{};
  socklen_t len = 0;
};

std::string describe(const address& a) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (a.storage.ss_family == AF_INET) {
    auto* s = reinterpret_cast<const sockaddr_in*>(&a.storage);
    inet_ntop(AF_INET, &s->sin_addr, host, sizeof host);
    port = ntohs(s->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  auto* s = reinterpret_cast<const sockaddr_in6*>(&a.storage);
  inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof host);
  port = ntohs(s->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

std::vector<address> resolve(const url& u) {
  std::string host(u.host());
  std::vector<address> out(1);
  auto& a = out[0];
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {  // numeric fast path
    v4->sin_family = AF_INET;
    v4->sin_port = htons(u.port());
    a.len = sizeof(sockaddr_in);
    return out;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(u.port());
    a.len = sizeof(sockaddr_in6);
    return out;
  }
  out.clear();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  std::string port = std::to_string(u.port());
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  if (rc == EAI_SYSTEM) throw corio::error(std::error_code(errno, std::system_category()), "resolve " + host);
  if (rc == EAI_MEMORY) throw std::bad_alloc();
  if (rc != 0) throw_error(errc::resolve_failed, "resolve " + host + " (" + gai_strerror(rc) + ")");
  for (auto* ai = list; ai; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    address x;
    std::memcpy(&x.storage, ai->ai_addr, ai->ai_addrlen);
    x.len = ai->ai_addrlen;
    out.push_back(x);
  }
  freeaddrinfo(list);
  if (out.empty()) throw_error(errc::resolve_failed, "resolve " + host + " (no usable address)");
  return out;
}

// Waits for `events` on fd until `deadline`. Returns false on timeout.
bool wait_for(int fd, short events, clock::time_point deadline) {
  for (;;) {
    auto left = deadline - clock::now();
    if (left <= clock::duration::zero()) return false;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    pollfd p{fd, events, 0};
    int rc = ppoll(&p, 1, &ts, nullptr);
    if (rc > 0) return true;  // ready, or POLLERR/POLLHUP: the next call reports it
    if (rc < 0 && errno != EINTR) throw corio::error(std::error_code(errno, std::system_category()), "poll");
  }
}

[[noreturn]] void throw_io(int err, const char* what) {
  if (err == ECONNRESET || err == EPIPE) throw_error(errc::connection_reset, what);
  throw corio::error(std::error_code(err, std::system_category()), what);
}

}  // namespace

void socket_fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

socket_fd connect_to(const url& u, clock::time_point connect_deadline) {
  std::vector<address> addrs = resolve(u);
  std::error_code last;
  std::string last_addr;
  for (const auto& a : addrs) {
    socket_fd s(::socket(a.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s) throw corio::error(std::error_code(errno, std::system_category()), "socket");
    int one = 1;
    ::setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc;
    do {
      rc = ::connect(s.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.len);
    } while (rc < 0 && errno == EINTR);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      if (!wait_for(s.get(), POLLOUT, connect_deadline)) {
        throw_error(errc::timeout, "connect to " + describe(a) + " timed out");
      }
      socklen_t len = sizeof err;
      if (::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    }
    if (err == 0) return s;
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      throw corio::error(std::error_code(err, std::system_category()), "connect to " + describe(a));
    }
    last = std::error_code(err, std::system_category());
    last_addr = describe(a);
  }
  throw corio::error(last, "connect to " + last_addr);
}

void send_all(const socket_fd& s, std::string_view data, clock::time_point deadline) {
  while (!data.empty()) {
    ssize_t n = ::send(s.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(s.get(), POLLOUT, deadline)) throw_error(errc::timeout, "sending the request");
      continue;
    }
    throw_io(errno, "send");
  }
}

std::size_t recv_some(const socket_fd& s, char* buf, std::size_t len, clock::time_point deadline, bool wait_first) {
  if (wait_first && !wait_for(s.get(), POLLIN, deadline)) throw_error(errc::timeout, "waiting for the response");
  for (;;) {
    ssize_t n = ::recv(s.get(), buf, len, 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(s.get(), POLLIN, deadline)) throw_error(errc::timeout, "waiting for the response");
      continue;
    }
    throw_io(errno, "recv");
  }
}

}  // namespace corio_httpkit::detail
