// The blocking HTTP test server (test_server.hpp).
#include "test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <new>
#include <stdexcept>
#include <system_error>

namespace corio_http_test {
namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::system_category(), what); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

}  // namespace

std::string request_head::header(std::string_view name) const {
  std::size_t pos = raw.find("\r\n");
  while (pos != std::string::npos && pos + 2 < raw.size()) {
    std::size_t start = pos + 2;
    std::size_t end = raw.find("\r\n", start);
    if (end == std::string::npos || end == start) break;
    std::string_view line(raw.data() + start, end - start);
    std::size_t colon = line.find(':');
    if (colon == name.size()) {
      bool eq = true;
      for (std::size_t i = 0; i < colon && eq; ++i) eq = lower(line[i]) == lower(name[i]);
      if (eq) {
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        return std::string(v);
      }
    }
    pos = end;
  }
  return "";
}

bool connection::wait(short events, int timeout_ms) {
  pollfd p[2] = {{fd_, events, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    int rc = ::poll(p, 2, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    if (p[1].revents) return false;
    return true;
  }
}

std::optional<request_head> connection::read_request() {
  for (;;) {
    std::size_t end = buffered_.find("\r\n\r\n");
    if (end != std::string::npos) {
      request_head h;
      h.raw = buffered_.substr(0, end + 4);
      buffered_.erase(0, end + 4);
      std::size_t sp1 = h.raw.find(' ');
      std::size_t sp2 = h.raw.find(' ', sp1 + 1);
      if (sp1 != std::string::npos && sp2 != std::string::npos) {
        h.method = h.raw.substr(0, sp1);
        h.target = h.raw.substr(sp1 + 1, sp2 - sp1 - 1);
      }
      return h;
    }
    if (!wait(POLLIN)) return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    buffered_.append(buf, static_cast<std::size_t>(n));
  }
}

bool connection::write(std::string_view data) {
  while (!data.empty()) {
    if (!wait(POLLOUT)) return false;
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool connection::trickle(std::string_view data, std::chrono::milliseconds gap) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!write(data.substr(i, 1))) return false;
    // A deliberate pause between bytes (this server is slow on purpose); stop or a peer that
    // closes ends it early.
    pollfd p[2] = {{fd_, POLLRDHUP, 0}, {stop_fd_, POLLIN, 0}};
    int rc = ::poll(p, 2, static_cast<int>(gap.count()));
    if (rc > 0) return false;
  }
  return true;
}

void connection::wait_for_close() {
  char buf[4096];
  while (wait(POLLIN)) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return;
  }
}

void connection::reset() {
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd_);
  fd_ = -1;
}

test_server::test_server(handler h) : handler_(std::move(h)) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) fail("eventfd");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) fail("bind");
  if (::listen(listen_fd_, 128) < 0) fail("listen");
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) < 0) fail("getsockname");
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

test_server::~test_server() {
  stop();
  ::close(listen_fd_);
  ::close(stop_fd_);
}

void test_server::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) std::terminate();
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

std::string test_server::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void test_server::accept_loop() {
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int rc = ::poll(p, 2, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0 || p[1].revents) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    accepted_.fetch_add(1);
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] {
      connection c(fd, stop_fd_);
      handler_(c);
      if (c.fd() >= 0) ::close(c.fd());
    });
  }
}

process_server::process_server(test_server::handler h) {
  void* shared = ::mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) fail("mmap");
  accepted_ = new (shared) std::atomic<int>(0);
  int port_pipe[2], stop_pipe[2];
  if (::pipe2(port_pipe, O_CLOEXEC) != 0 || ::pipe2(stop_pipe, O_CLOEXEC) != 0) fail("pipe2");
  pid_ = ::fork();
  if (pid_ < 0) fail("fork");
  if (pid_ == 0) {  // the server process
    ::close(port_pipe[0]);
    ::close(stop_pipe[1]);
    {
      std::atomic<int>* counter = accepted_;
      test_server server([counter, h = std::move(h)](connection& c) {
        counter->fetch_add(1);
        h(c);
      });
      std::uint16_t port = server.port();
      if (::write(port_pipe[1], &port, sizeof port) != sizeof port) ::_exit(1);
      char byte;
      while (::read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
      }
    }  // stops and joins the server's threads
    ::_exit(0);
  }
  ::close(port_pipe[1]);
  ::close(stop_pipe[0]);
  stop_fd_ = stop_pipe[1];
  ssize_t n;
  while ((n = ::read(port_pipe[0], &port_, sizeof port_)) < 0 && errno == EINTR) {
  }
  ::close(port_pipe[0]);
  if (n != sizeof port_) throw std::runtime_error("process_server: the server process did not start");
}

process_server::~process_server() {
  ::close(stop_fd_);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ::munmap(accepted_, sizeof(std::atomic<int>));
}

std::string process_server::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

int process_server::accepted() const { return accepted_->load(); }

test_server::handler serve(std::function<std::string(const request_head&)> respond) {
  return [respond = std::move(respond)](connection& c) {
    while (auto req = c.read_request()) {
      std::string out = respond(*req);
      if (out.empty()) return;  // close without answering
      if (req->method == "HEAD") out.erase(std::min(out.size(), out.find("\r\n\r\n") + 4));  // no body
      if (!c.write(out)) return;
      if (out.find("Connection: close") != std::string::npos || req->header("Connection") == "close") return;
    }
  };
}

std::string make_response(int status, std::string_view body, std::string_view extra_headers) {
  std::string r = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  r += extra_headers;
  r += "\r\n";
  r += body;
  return r;
}

}  // namespace corio_http_test
