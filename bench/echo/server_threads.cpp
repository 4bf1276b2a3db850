// The thread-per-connection echo server: blocking accept in the main thread, one thread per
// connection doing blocking read/write. Threads get a 64 KiB stack (the echo loop needs little),
// so memory reflects what the model costs rather than glibc's 8 MiB default reservation.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "echo/echo.hpp"

namespace echo_bench {
namespace {

struct conn {
  int fd;
  std::size_t buffer_bytes;
};

void* session(void* arg) {
  conn c = *static_cast<conn*>(arg);
  delete static_cast<conn*>(arg);
  int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::vector<char> buf(c.buffer_bytes);
  for (;;) {
    ssize_t n = ::read(c.fd, buf.data(), buf.size());
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::send(c.fd, buf.data() + off, static_cast<std::size_t>(n - off), MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        ::close(c.fd);
        return nullptr;
      }
      off += w;
    }
  }
  ::close(c.fd);
  return nullptr;
}

}  // namespace

void run_thread_server(const server_config& cfg, const std::function<void(std::uint16_t)>& ready) {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 || ::listen(lfd, cfg.backlog) < 0)
    throw std::runtime_error(std::string("bind/listen: ") + std::strerror(errno));
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  ready(ntohs(a.sin_port));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  for (;;) {
    int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      ::usleep(10000);  // EMFILE and friends: back off, keep serving existing connections
      continue;
    }
    auto* c = new conn{fd, cfg.buffer_bytes};
    pthread_t t;
    if (::pthread_create(&t, &attr, session, c) != 0) {
      delete c;
      ::close(fd);
    }
  }
}

}  // namespace echo_bench
