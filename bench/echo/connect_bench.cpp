// corio-bench connect --method uring-op,syscall,library [--connections N] [--runs K]
//
// How should tcp_stream::connect work on io_uring? Each connection here is: connect to a loopback
// listener, send 1 byte at once, read the 1-byte reply, close (the server, in the same runtime,
// accepts, reads 1 byte, answers, closes). Connections are made one after another, so the wall
// time per connection is the latency a crawler pays per new connection. Methods (the rest of the
// exchange is identical raw io_uring requests):
//   uring-op  IORING_OP_CONNECT (the kernel: connect -> EINPROGRESS -> poll -> retry);
//   syscall   non-blocking connect(2) on the loop thread; when it says EINPROGRESS, a zero-timeout
//             poll(2) checks whether the handshake already finished (it has, on loopback), and
//             only otherwise a POLL_ADD request waits for writability;
//   library   corio::net::tcp_stream::connect + write_all + read_some (what users get).
// io_uring only (the question does not arise on Asio, whose connect is a reactor op either way).
// connect_step_us is the mean time from connect's start (before socket(2)) to its completion as
// the client sees it. --defer-taskrun 0 sets the ring up without IORING_SETUP_DEFER_TASKRUN.
#include <corio/corio.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

#include "common/command.hpp"
#include "micro/micro.hpp"

namespace {

using clk = std::chrono::steady_clock;
using corio::task;
using corio::detail::io_awaiter;
using corio::detail::op_code;

task<int> raw(op_code code, int fd, void* buf, std::uint32_t len, unsigned flags = 0) {
  io_awaiter aw;
  aw.op.code = code;
  aw.op.fd = fd;
  aw.op.buf = buf;
  aw.op.len = len;
  aw.op.flags = flags;
  co_return co_await aw;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clk::now().time_since_epoch()).count();
}

// Time spent inside the connect step (socket created -> connect reported done), summed.
std::int64_t g_connect_ns = 0;

task<void> raw_connect(const std::string& method, const sockaddr_in& sa) {
  const std::int64_t t0 = now_ns();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  int r;
  if (method == "uring-op") {
    io_awaiter aw;
    aw.op.code = op_code::connect;
    aw.op.fd = fd;
    aw.op.addr = const_cast<sockaddr_in*>(&sa);
    aw.op.len = sizeof sa;
    r = co_await aw;
  } else {
    r = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    if (r < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 0) == 1) {
        r = 0;
      } else {
        r = co_await raw(op_code::poll, fd, nullptr, 0, POLLOUT);
        r = r < 0 ? r : 0;
      }
    }
  }
  g_connect_ns += now_ns() - t0;
  if (r < 0) {
    ::close(fd);
    throw std::runtime_error("connect failed: " + std::to_string(r));
  }
  char b = 'x';
  if (co_await raw(op_code::send, fd, &b, 1) != 1) throw std::runtime_error("send failed");
  if (co_await raw(op_code::recv, fd, &b, 1) != 1) throw std::runtime_error("recv failed");
  ::close(fd);
}

task<void> server(corio::net::tcp_listener& l, long n) {
  for (long i = 0; i < n; ++i) {
    auto s = co_await l.accept();
    char b;
    co_await s.read_exact(&b, 1);
    co_await s.write_all(&b, 1);
  }
}

task<void> clients(const std::string& method, corio::net::endpoint ep, long n) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(ep.port());
  sa.sin_addr.s_addr = htonl(ep.address().to_v4_uint());
  for (long i = 0; i < n; ++i) {
    if (method == "library") {
      const std::int64_t t0 = now_ns();
      auto s = co_await corio::net::tcp_stream::connect(ep);
      g_connect_ns += now_ns() - t0;
      char b = 'x';
      co_await s.write_all(&b, 1);
      if (co_await s.read_some(&b, 1) != 1) throw std::runtime_error("no reply");
    } else {
      co_await raw_connect(method, sa);
    }
  }
}

int run_connect(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      std::fputs("usage: corio-bench connect [--method uring-op,syscall,library] [--connections N] [--runs K]\n"
                 "                           [--defer-taskrun 0|1]\n"
                 "  sequential loopback connect + 1-byte exchange on io_uring; see bench/echo/connect_bench.cpp\n",
                 stdout);
      return 0;
    }
  corio_bench::args a(argc - 1, argv + 1, {"method", "connections", "runs", "defer-taskrun"});
  const auto methods = a.get_list("method", {"uring-op", "syscall", "library"});
  for (auto& m : methods)
    if (m != "uring-op" && m != "syscall" && m != "library")
      throw std::invalid_argument("--method: unknown method '" + m + "' (expected uring-op, syscall or library)");
  const long n = a.get_long("connections", 20000);
  if (n < 1) throw std::invalid_argument("--connections must be at least 1");
  const int runs = static_cast<int>(a.get_long("runs", 5));
  const bool defer = a.get_long("defer-taskrun", 1) != 0;
  corio_bench::json_line params;
  params.add("connections", n).add("backend", "io_uring").add("defer_taskrun", defer);
  // run_matrix's "impl" is the connect method here.
  return corio_bench::micro::run_matrix("connect", methods, runs, params, [&](const std::string& method, corio_bench::json_line& j) {
    corio::runtime_options o;
    o.backend = corio::backend_kind::io_uring;
    o.uring_defer_taskrun = defer;
    corio::runtime rt(o);
    j.add("ring", rt.backend_reason());
    auto cpu0 = corio_bench::self_cpu();
    auto t0 = clk::now();
    rt.block_on([](const std::string& method, long n) -> task<void> {
      auto l = corio::net::tcp_listener::bind("127.0.0.1:0");
      co_await corio::when_all(server(l, n), clients(method, l.local_endpoint(), n));
    }(method, n));
    double wall = std::chrono::duration<double>(clk::now() - t0).count();
    auto cpu1 = corio_bench::self_cpu();
    const double cpu = cpu1.user_s + cpu1.sys_s - cpu0.user_s - cpu0.sys_s;
    j.add("method", method).add("connections", n).add("wall_s", wall)
        .add("us_per_connection", wall * 1e6 / static_cast<double>(n))
        .add("cpu_us_per_connection", cpu * 1e6 / static_cast<double>(n))
        .add("connect_step_us", static_cast<double>(g_connect_ns) / 1e3 / static_cast<double>(n))
        .add("io_submitted", rt.stats().io_submitted).add("loop_turns", rt.stats().loop_turns);
    return wall;
  });
}

}  // namespace

CORIO_BENCH_COMMAND(connect, "sequential loopback connections: IORING_OP_CONNECT vs connect(2) (--method M --connections N --runs K)",
                    run_connect);
