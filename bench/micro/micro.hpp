// bench/micro/micro.hpp - what the micro-benchmarks share: the implementations compared, the
// run loop (interleaved runs of every implementation, one JSON line per run, one summary line per
// implementation with medians and the ratio against asio-awaitable).
#pragma once

#include <corio/runtime.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/args.hpp"
#include "common/json.hpp"
#include "common/proc.hpp"
#include "common/stats.hpp"

namespace corio_bench::micro {

inline const std::vector<std::string>& known_impls() {
  static const std::vector<std::string> v{"corio-uring", "corio-asio", "asio-awaitable"};
  return v;
}

inline std::vector<std::string> parse_impls(const args& a) {
  auto impls = a.get_list("impl", known_impls());
  for (auto& i : impls)
    if (std::find(known_impls().begin(), known_impls().end(), i) == known_impls().end())
      throw std::invalid_argument("--impl: unknown implementation '" + i + "' (expected corio-uring, corio-asio or asio-awaitable)");
  return impls;
}

inline corio::runtime_options corio_options(const std::string& impl) {
  corio::runtime_options o;
  o.backend = impl == "corio-uring" ? corio::backend_kind::io_uring : corio::backend_kind::asio;
  return o;
}

// One measured run: fills `out` with its fields; returns the primary metric's value (seconds).
using run_fn = std::function<double(const std::string& impl, json_line& out)>;

// Runs fn in a forked child, so that every run starts from a fresh address space: peak RSS is the
// run's own, and no run inherits another's allocator state or warm frame pool. The child sends
// back its JSON line and wall time through a pipe.
inline double run_isolated(const std::string& impl, json_line& j, const run_fn& fn) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    int rc = 0;
    std::string msg;
    try {
      double wall = fn(impl, j);
      char w[64];
      std::snprintf(w, sizeof w, "%.9f", wall);
      msg = std::string(w) + "\n" + j.str();
    } catch (const std::exception& e) {
      msg = "error\n" + std::string(e.what());
      rc = 1;
    }
    for (std::size_t off = 0; off < msg.size();) {
      ssize_t w = ::write(fds[1], msg.data() + off, msg.size() - off);
      if (w <= 0) break;
      off += static_cast<std::size_t>(w);
    }
    ::_exit(rc);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t r; (r = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(r));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  auto nl = out.find('\n');
  if (nl == std::string::npos) throw std::runtime_error(impl + ": the measuring child died (status " + std::to_string(status) + ")");
  if (out.compare(0, nl, "error") == 0) throw std::runtime_error(impl + ": " + out.substr(nl + 1));
  j = json_line::from_raw(out.substr(nl + 1));
  return std::stod(out.substr(0, nl));
}

// Runs every impl `runs` times, interleaved (impl A run 1, impl B run 1, ..., A run 2, ...) so that
// machine noise hits all of them alike; prints each run and then one summary per impl.
inline int run_matrix(const char* bench, const std::vector<std::string>& impls, int runs, const json_line& params,
                      const run_fn& fn) {
  if (runs < 1) throw std::invalid_argument("--runs must be at least 1");
  std::map<std::string, std::vector<double>> walls;
  for (int r = 1; r <= runs; ++r) {
    for (const auto& impl : impls) {
      json_line j;
      j.add("bench", bench).add("impl", impl).add("run", r);
      double wall = run_isolated(impl, j, fn);
      walls[impl].push_back(wall);
      std::printf("%s\n", j.str().c_str());
      std::fflush(stdout);
    }
  }
  double ref = walls.count("asio-awaitable") ? median(walls["asio-awaitable"]) : 0;
  for (const auto& impl : impls) {
    auto& w = walls[impl];
    json_line j;
    j.add("bench", bench).add("impl", impl).add("summary", true).add("runs", runs);
    j.add_raw("params", params.str());
    j.add("median_wall_s", median(w))
        .add("min_wall_s", *std::min_element(w.begin(), w.end()))
        .add("max_wall_s", *std::max_element(w.begin(), w.end()));
    if (ref > 0) j.add("speedup_vs_asio_awaitable", ref / median(w));
    std::printf("%s\n", j.str().c_str());
  }
  return 0;
}

}  // namespace corio_bench::micro
