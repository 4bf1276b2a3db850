// The fixed load generator of corio-bench echo: one thread, one epoll set, non-blocking sockets.
// It is the same for every server implementation, so it is written with nothing but syscalls.
//
// Per connection: exactly one message in flight. The message carries the connection number and a
// sequence number in its first bytes, so every echo is checked byte for byte against what was sent.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/proc.hpp"
#include "echo/echo.hpp"

namespace echo_bench {
namespace {

using clk = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

struct connection {
  int fd = -1;
  bool connected = false;
  std::uint64_t seq = 0;
  std::size_t sent = 0;      // bytes of the current message sent
  std::size_t received = 0;  // bytes of its echo received
  std::int64_t t_send = 0;
  bool want_out = false;  // EPOLLOUT armed: the socket buffer was full
  std::vector<unsigned char> out, in;
};

class load {
 public:
  explicit load(const client_config& cfg) : cfg_(cfg), conns_(static_cast<std::size_t>(cfg.connections)) {
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) fail("epoll_create1");
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(cfg.port);
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~load() {
    for (auto& c : conns_)
      if (c.fd >= 0) {
        linger lg{1, 0};  // RST: the server's sessions end at once
        ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        ::close(c.fd);
      }
    ::close(ep_);
  }

  client_result run() {
    client_result r;
    const std::int64_t t0 = now_ns();
    open_all();
    r.connect_s = static_cast<double>(now_ns() - t0) / 1e9;
    // Warm-up: traffic flows, nothing is recorded.
    recording_ = false;
    run_for(cfg_.warmup_s);
    if (cfg_.on_measure_start) cfg_.on_measure_start();
    const auto cpu0 = corio_bench::self_cpu();
    recording_ = true;
    rtt_.reserve(1 << 20);
    const std::int64_t w0 = now_ns();
    run_for(cfg_.seconds);
    const std::int64_t w1 = now_ns();
    recording_ = false;
    if (cfg_.on_measure_stop) cfg_.on_measure_stop();
    const auto cpu1 = corio_bench::self_cpu();
    r.messages = rtt_.size();
    r.window_s = static_cast<double>(w1 - w0) / 1e9;
    r.rtt_ns = std::move(rtt_);
    r.cpu_s = cpu1.user_s + cpu1.sys_s - cpu0.user_s - cpu0.sys_s;
    r.errors = errors_;
    return r;
  }

 private:
  // Opens every connection (at most max_pending_connects handshakes at a time) and completes one
  // echo on each, so that the server has accepted them all before anything is measured.
  void open_all() {
    std::size_t next = 0, established = 0, echoed = 0;
    int pending = 0;
    std::vector<epoll_event> evs(1024);
    while (echoed < conns_.size()) {
      while (next < conns_.size() && pending < cfg_.max_pending_connects) {
        connection& c = conns_[next];
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c.fd < 0) fail("socket (raise RLIMIT_NOFILE?)");
        int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c.out.resize(cfg_.message_bytes);
        c.in.resize(cfg_.message_bytes);
        epoll_event ev{};
        ev.events = EPOLLOUT | EPOLLIN;
        ev.data.u64 = next;
        if (::epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev) < 0) fail("epoll_ctl");
        if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) < 0 && errno != EINPROGRESS)
          fail("connect");
        ++pending;
        ++next;
      }
      int n = ::epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 10000);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("connecting: no progress for 10 s (" + std::to_string(echoed) + " echoed)");
      for (int i = 0; i < n; ++i) {
        connection& c = conns_[evs[static_cast<std::size_t>(i)].data.u64];
        if (!c.connected) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err) {
            errno = err;
            fail("connect");
          }
          c.connected = true;
          --pending;
          ++established;
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = evs[static_cast<std::size_t>(i)].data.u64;
          ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
          start_message(c, evs[static_cast<std::size_t>(i)].data.u64);
          continue;
        }
        if (on_readable(c, evs[static_cast<std::size_t>(i)].data.u64, /*next=*/false)) ++echoed;
      }
    }
    (void)established;
  }

  void run_for(double seconds) {
    // Every connection has a message in flight (open_all left none outstanding: start them).
    if (!started_) {
      started_ = true;
      for (std::size_t i = 0; i < conns_.size(); ++i) start_message(conns_[i], i);
    }
    std::vector<epoll_event> evs(1024);
    const std::int64_t end = now_ns() + static_cast<std::int64_t>(seconds * 1e9);
    for (;;) {
      const std::int64_t now = now_ns();
      if (now >= end) break;
      int timeout_ms = static_cast<int>(std::min<std::int64_t>((end - now) / 1000000 + 1, 100));
      int n = ::epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), timeout_ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("epoll_wait");
      for (int i = 0; i < n; ++i) {
        const std::uint64_t idx = evs[static_cast<std::size_t>(i)].data.u64;
        connection& c = conns_[idx];
        if (evs[static_cast<std::size_t>(i)].events & EPOLLOUT) continue_send(c, idx);
        if (evs[static_cast<std::size_t>(i)].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c, idx, true);
      }
    }
  }

  void start_message(connection& c, std::uint64_t idx) {
    ++c.seq;
    // Content: connection index and sequence number, then a pattern derived from both.
    std::uint64_t hdr[2] = {idx, c.seq};
    std::size_t n = std::min(sizeof hdr, c.out.size());
    std::memcpy(c.out.data(), hdr, n);
    for (std::size_t i = n; i < c.out.size(); ++i) c.out[i] = static_cast<unsigned char>(idx * 31 + c.seq * 7 + i);
    c.sent = c.received = 0;
    c.t_send = now_ns();
    continue_send(c, idx);
  }

  void continue_send(connection& c, std::uint64_t idx) {
    while (c.sent < c.out.size()) {
      ssize_t w = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLOUT;
          ev.data.u64 = idx;
          ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
          c.want_out = true;
          return;
        }
        ++errors_;
        return;
      }
      c.sent += static_cast<std::size_t>(w);
    }
    if (c.want_out) {
      c.want_out = false;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = idx;
      ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
    }
  }

  // Reads what is available; when the whole echo is in, checks it, records it and (if `next`)
  // starts the next message. Returns true when a message completed.
  bool on_readable(connection& c, std::uint64_t idx, bool next) {
    bool completed = false;
    for (;;) {
      if (c.received == c.in.size()) break;
      ssize_t r = ::recv(c.fd, c.in.data() + c.received, c.in.size() - c.received, 0);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        ++errors_;
        return false;
      }
      if (r == 0) {
        ++errors_;
        throw std::runtime_error("the server closed a connection");
      }
      c.received += static_cast<std::size_t>(r);
    }
    if (c.received == c.in.size() && c.sent == c.out.size()) {
      if (std::memcmp(c.in.data(), c.out.data(), c.in.size()) != 0) {
        ++errors_;
        throw std::runtime_error("the server echoed wrong bytes");
      }
      if (recording_) {
        const std::int64_t rtt = now_ns() - c.t_send;
        rtt_.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(rtt, 0xffffffffll)));
      }
      completed = true;
      if (next) start_message(c, idx);
    }
    return completed;
  }

  client_config cfg_;
  std::vector<connection> conns_;
  sockaddr_in addr_{};
  int ep_ = -1;
  bool recording_ = false;
  bool started_ = false;
  std::vector<std::uint32_t> rtt_;
  std::uint64_t errors_ = 0;
};

}  // namespace

client_result run_load(const client_config& cfg) {
  load l(cfg);
  return l.run();
}

}  // namespace echo_bench
