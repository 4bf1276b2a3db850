// corio-bench echo --impl I[,I...] --connections C --message-bytes B --seconds S [--runs R]
//                  [--warmup-seconds W] [--buffer-bytes N]
//
// The server under test (--impl: corio-uring, corio-asio, asio-awaitable, thread-per-connection)
// runs in a forked child; the parent is the fixed epoll load generator (see echo.hpp for the
// design). Runs are interleaved (impl A run 1, impl B run 1, ..., A run 2, ...) so machine noise hits
// every impl alike; each run prints one JSON line, then each impl one summary line with medians.
//
// Control: the server child has a control thread blocked on a pipe. "s" from the parent snapshots
// the server's CPU time (getrusage RUSAGE_SELF: all its threads) at the start of the measured
// window; "e" at its end, and the child answers with its CPU, peak RSS (VmHWM) and thread count.
// Closing the pipe ends the child.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/args.hpp"
#include "common/command.hpp"
#include "common/json.hpp"
#include "common/proc.hpp"
#include "common/stats.hpp"
#include "echo/echo.hpp"

namespace echo_bench {
namespace {

void write_all_fd(int fd, const std::string& s) {
  for (std::size_t off = 0; off < s.size();) {
    ssize_t w = ::write(fd, s.data() + off, s.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    off += static_cast<std::size_t>(w);
  }
}

// Reads one '\n'-terminated line (without it); "" on EOF.
std::string read_line(int fd) {
  std::string out;
  char c;
  for (;;) {
    ssize_t r = ::read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 || c == '\n') return out;
    out += c;
  }
}

long threads_of_self() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("Threads:", 0) == 0) return std::atol(line.c_str() + 8);
  return -1;
}

// Threads running on the whole machine (the 4th field of /proc/loadavg is running/total).
long machine_threads() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c, rt;
  f >> a >> b >> c >> rt;
  auto slash = rt.find('/');
  return slash == std::string::npos ? -1 : std::atol(rt.c_str() + slash + 1);
}

long pid_max() {
  std::ifstream f("/proc/sys/kernel/pid_max");
  long v = 32768;
  f >> v;
  return v;
}

void raise_nofile() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// The server child: never returns.
[[noreturn]] void server_child(const server_config& cfg, int ctl_fd, int report_fd) {
  try {
    std::thread control([ctl_fd, report_fd] {
      corio_bench::cpu_times start{};
      for (;;) {
        std::string cmd = read_line(ctl_fd);
        if (cmd == "s") {
          start = corio_bench::self_cpu();
        } else if (cmd == "e") {
          auto end = corio_bench::self_cpu();
          char buf[256];
          std::snprintf(buf, sizeof buf, "%.6f %.6f %ld %ld %ld %ld\n", end.user_s - start.user_s, end.sys_s - start.sys_s,
                        corio_bench::peak_rss_kb(), threads_of_self(), end.voluntary_cs - start.voluntary_cs,
                        end.involuntary_cs - start.involuntary_cs);
          write_all_fd(report_fd, buf);
        } else {
          ::_exit(0);  // pipe closed (or garbage): the bench is over
        }
      }
    });
    control.detach();
    auto ready = [report_fd](std::uint16_t port) { write_all_fd(report_fd, std::to_string(port) + "\n"); };
    if (cfg.impl == "corio-uring" || cfg.impl == "corio-asio") {
      run_corio_server(cfg, ready);
    } else if (cfg.impl == "asio-awaitable") {
      run_asio_server(cfg, ready);
    } else {
      run_thread_server(cfg, ready);
    }
  } catch (const std::exception& e) {
    write_all_fd(report_fd, std::string("error ") + e.what() + "\n");
  }
  ::_exit(1);
}

struct run_result {
  double msgs_per_s = 0, p50_us = 0, p99_us = 0, cpu_s = 0, cpu_us_per_msg = 0;
  long peak_rss_kb = 0;
};

run_result run_once(const std::string& impl, int run, int connections, std::size_t bytes, double seconds,
                    double warmup, std::size_t buffer_bytes) {
  int ctl[2], rep[2];
  if (::pipe2(ctl, O_CLOEXEC) != 0 || ::pipe2(rep, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(ctl[1]);
    ::close(rep[0]);
    server_config cfg;
    cfg.impl = impl;
    cfg.buffer_bytes = buffer_bytes;
    server_child(cfg, ctl[0], rep[1]);
  }
  ::close(ctl[0]);
  ::close(rep[1]);
  struct reap {
    pid_t pid;
    int ctl, rep;
    ~reap() {
      ::close(ctl);  // the child's control thread sees EOF and exits
      ::close(rep);
      int st = 0;
      ::waitpid(pid, &st, 0);
    }
  } guard{pid, ctl[1], rep[0]};

  std::string first = read_line(rep[0]);
  if (first.empty() || first.rfind("error", 0) == 0)
    throw std::runtime_error(impl + " server failed to start: " + (first.empty() ? "it died" : first));
  client_config cc;
  cc.port = static_cast<std::uint16_t>(std::atoi(first.c_str()));
  cc.connections = connections;
  cc.message_bytes = bytes;
  cc.seconds = seconds;
  cc.warmup_s = warmup;
  cc.on_measure_start = [&] { write_all_fd(ctl[1], "s\n"); };
  std::string server_report;
  cc.on_measure_stop = [&] {
    write_all_fd(ctl[1], "e\n");
    server_report = read_line(rep[0]);
  };
  client_result cr = run_load(cc);
  double su = 0, ss = 0;
  long rss = -1, threads = -1, vcs = 0, ivcs = 0;
  if (std::sscanf(server_report.c_str(), "%lf %lf %ld %ld %ld %ld", &su, &ss, &rss, &threads, &vcs, &ivcs) != 6)
    throw std::runtime_error(impl + ": no report from the server (\"" + server_report + "\")");

  run_result r;
  r.msgs_per_s = static_cast<double>(cr.messages) / cr.window_s;
  r.p50_us = corio_bench::percentile(cr.rtt_ns, 0.50) / 1e3;
  r.p99_us = corio_bench::percentile(cr.rtt_ns, 0.99) / 1e3;
  r.cpu_s = su + ss;
  r.cpu_us_per_msg = cr.messages ? r.cpu_s * 1e6 / static_cast<double>(cr.messages) : 0;
  r.peak_rss_kb = rss;

  corio_bench::json_line j;
  j.add("bench", "echo").add("impl", impl).add("run", run).add("measured", "server")
      .add("client", "epoll-load-generator").add("connections", connections).add("message_bytes", bytes)
      .add("seconds", cr.window_s).add("messages", cr.messages).add("msgs_per_s", r.msgs_per_s)
      .add("p50_us", r.p50_us).add("p99_us", r.p99_us)
      .add("cpu_s", r.cpu_s).add("cpu_user_s", su).add("cpu_sys_s", ss).add("cpu_us_per_msg", r.cpu_us_per_msg)
      .add("peak_rss_kb", rss).add("server_threads", threads)
      .add("server_voluntary_cs", vcs).add("server_involuntary_cs", ivcs)
      .add("client_cpu_s", cr.cpu_s).add("connect_s", cr.connect_s).add("errors", cr.errors);
  std::printf("%s\n", j.str().c_str());
  std::fflush(stdout);
  if (cr.errors) throw std::runtime_error(impl + ": " + std::to_string(cr.errors) + " bad echoes");
  return r;
}

const char* const kUsage =
    "usage: corio-bench echo [--impl I[,I...]] [--connections C] [--message-bytes B] [--seconds S]\n"
    "                        [--runs R] [--warmup-seconds W] [--buffer-bytes N]\n"
    "  impls: corio-uring, corio-asio, asio-awaitable, thread-per-connection (default: all)\n"
    "  defaults: C=100 B=64 S=5 R=3 W=1 N=max(B,4096). The server (--impl) runs in a forked child;\n"
    "  this process is the fixed epoll load generator. One JSON line per run, then a summary per impl.\n";

int run_echo(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  corio_bench::args a(argc - 1, argv + 1,
                      {"impl", "connections", "message-bytes", "seconds", "runs", "warmup-seconds", "buffer-bytes"});
  auto impls = a.get_list("impl", server_impls());
  for (auto& i : impls)
    if (std::find(server_impls().begin(), server_impls().end(), i) == server_impls().end())
      throw std::invalid_argument("--impl: unknown implementation '" + i +
                                  "' (expected corio-uring, corio-asio, asio-awaitable or thread-per-connection)");
  const long c = a.get_long("connections", 100);
  const long b = a.get_long("message-bytes", 64);
  const double s = a.get_double("seconds", 5);
  const long runs = a.get_long("runs", 3);
  const double w = a.get_double("warmup-seconds", 1);
  const long buf = a.get_long("buffer-bytes", std::max<long>(b, 4096));
  if (c < 1 || c > 18000) throw std::invalid_argument("--connections must be from 1 to 18000 (open-files limit 20000 per process)");
  if (b < 1 || b > (16 << 20)) throw std::invalid_argument("--message-bytes must be from 1 to 16 MiB");
  if (!(s > 0) || !(w >= 0)) throw std::invalid_argument("--seconds must be > 0 and --warmup-seconds >= 0");
  if (runs < 1) throw std::invalid_argument("--runs must be at least 1");
  if (buf < 1 || buf > (16 << 20)) throw std::invalid_argument("--buffer-bytes must be from 1 to 16 MiB");
  if (std::find(impls.begin(), impls.end(), "thread-per-connection") != impls.end()) {
    const long spare = pid_max() - machine_threads() - c;
    if (spare < 4000)
      throw std::invalid_argument("thread-per-connection with " + std::to_string(c) + " connections would leave only " +
                                  std::to_string(spare) + " pids spare on this machine (want 4000)");
  }
  raise_nofile();
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (static_cast<long>(rl.rlim_cur) < c + 64)
    throw std::invalid_argument("--connections " + std::to_string(c) + " needs RLIMIT_NOFILE >= " + std::to_string(c + 64) +
                                " (hard limit here: " + std::to_string(rl.rlim_max) + ")");

  std::map<std::string, std::vector<run_result>> results;
  for (long r = 1; r <= runs; ++r)
    for (auto& impl : impls)
      results[impl].push_back(run_once(impl, static_cast<int>(r), static_cast<int>(c), static_cast<std::size_t>(b), s, w,
                                       static_cast<std::size_t>(buf)));
  for (auto& impl : impls) {
    auto& v = results[impl];
    auto med = [&](auto field) {
      std::vector<double> x;
      for (auto& rr : v) x.push_back(static_cast<double>(rr.*field));
      return corio_bench::median(x);
    };
    corio_bench::json_line j;
    j.add("bench", "echo").add("impl", impl).add("summary", true).add("runs", runs).add("measured", "server")
        .add("client", "epoll-load-generator").add("connections", c).add("message_bytes", b).add("seconds", s)
        .add("msgs_per_s", med(&run_result::msgs_per_s)).add("p50_us", med(&run_result::p50_us))
        .add("p99_us", med(&run_result::p99_us)).add("cpu_s", med(&run_result::cpu_s))
        .add("cpu_us_per_msg", med(&run_result::cpu_us_per_msg)).add("peak_rss_kb", med(&run_result::peak_rss_kb));
    std::printf("%s\n", j.str().c_str());
  }
  return 0;
}

}  // namespace
}  // namespace echo_bench

CORIO_BENCH_COMMAND(echo,
                    "echo server under test (--impl) vs a fixed epoll load generator, separate processes "
                    "(--connections C --message-bytes B --seconds S --runs R)",
                    echo_bench::run_echo);
