// Running out of file descriptors: in a forked child with RLIMIT_NOFILE lowered so that exactly one
// more descriptor fits, an accept fails with EMFILE (a typed error, not a crash), a connect fails
// with EMFILE, the connections already open keep echoing, and once descriptors are freed the server
// accepts the connection that waited in the backlog.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "net_support.hpp"
#include "support/backends.hpp"

using namespace net_test;

namespace {

int highest_open_fd() {
  int hi = -1;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return 1023;
  while (dirent* e = ::readdir(d)) {
    int v = std::atoi(e->d_name);
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && v > hi) hi = v;
  }
  ::closedir(d);
  return hi;
}

// Fills every free descriptor number below the highest open one (so that new descriptors can
// only come from above it), then allows exactly `extra` more. Returns the fillers.
std::vector<int> allow_only(int extra) {
  std::vector<int> fillers;
  const int hi = highest_open_fd();
  for (;;) {
    int fd = ::dup(0);
    if (fd < 0) break;
    if (fd > hi) {
      ::close(fd);
      break;
    }
    fillers.push_back(fd);
  }
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = static_cast<rlim_t>(hi + 1 + extra);
  ::setrlimit(RLIMIT_NOFILE, &rl);
  return fillers;
}

struct report {
  std::map<std::string, std::string> kv;
  void set(const std::string& k, const std::string& v) { kv[k] = v; }
  std::string str() const {
    std::string out;
    for (auto& [k, v] : kv) out += k + "=" + v + "\n";
    return out;
  }
};

task<bool> echoes(tcp_stream& s, std::uint32_t seed) {
  auto msg = payload(64, seed);
  co_await s.write_all(msg);
  std::vector<std::byte> back(msg.size());
  co_await s.read_exact(back);
  co_return back == msg;
}

task<void> scenario(report& r) {
  tcp_listener l = loopback_listener();
  const endpoint ep = l.local_endpoint();
  corio::event accept_failed, retry;
  int accepted = 0;
  corio::task_group sessions;
  auto server = [&]() -> task<void> {
    for (;;) {
      bool failed = false;
      try {
        tcp_stream s = co_await l.accept();
        ++accepted;
        sessions.spawn(echo_session(std::move(s)));
      } catch (const corio::error& e) {
        if (e.code() == corio::errc::operation_aborted) throw;  // the test is over
        r.set("accept_error", e.what());
        r.set("accept_emfile", e.code() == std::errc::too_many_files_open ? "1" : "0");
        failed = true;
      }
      if (failed) {
        accept_failed.set();
        co_await retry.wait();  // a real server would back off briefly instead
        retry.reset();
      }
    }
  };
  auto srv = corio::spawn(server());

  constexpr int kOpen = 4;
  std::vector<tcp_stream> clients;
  for (int i = 0; i < kOpen; ++i) {
    clients.push_back(co_await tcp_stream::connect(ep));
    if (!co_await echoes(clients.back(), static_cast<std::uint32_t>(i))) r.set("initial_echo", "bad");
  }
  // Sanitizer builds: UBSan checks a dynamic type the first time it meets it by writing the object
  // to a pipe it creates; at the descriptor limit it cannot, and reports a false "invalid vptr".
  // Meet the error types once while descriptors are free (a past deadline fails at once).
  bool warm = false;
  try {
    (void)co_await l.accept(corio::clock::time_point{});
  } catch (const corio::error& e) {
    warm = e.code() == corio::errc::timed_out && e.code() != std::errc::too_many_files_open && *e.what();
  }
  try {
    corio::throw_errno(-EMFILE, "warm-up");
  } catch (const corio::error& e) {
    warm = warm && e.code() == std::errc::too_many_files_open && e.code() != corio::errc::operation_aborted && *e.what();
  }
  r.set("warmup", warm ? "ok" : "unexpected");
  std::vector<int> fillers = allow_only(1);
  // The client socket takes the last descriptor; the handshake completes in the kernel; the
  // server's accept then has none left.
  tcp_stream extra = co_await tcp_stream::connect(ep);
  co_await accept_failed.wait();
  // No descriptor for a new client either.
  try {
    (void)co_await tcp_stream::connect(ep);
    r.set("connect_error", "none");
  } catch (const corio::error& e) {
    r.set("connect_error", e.what());
  }
  // The connections the server has keep working.
  bool all = true;
  for (int i = 0; i < kOpen; ++i) all = all && co_await echoes(clients[static_cast<std::size_t>(i)], 100u + static_cast<std::uint32_t>(i));
  r.set("existing_echo", all ? "1" : "0");
  // Free descriptors (this client, then the server's side of it once it sees end of stream),
  // and let the server retry: it accepts the connection that waited in the backlog.
  clients.pop_back();
  for (int fd : fillers) ::close(fd);
  retry.set();
  const bool extra_ok = co_await echoes(extra, 7);
  r.set("extra_echo", extra_ok ? "1" : "0");
  r.set("accepted", std::to_string(accepted));
  srv.cancel();
  try {
    co_await srv;
  } catch (const corio::error&) {
  }
  for (auto& c : clients) c.shutdown();
  extra.shutdown();
  co_await sessions.join();
}

// Runs the scenario on backend B in a forked child; returns its report.
template <class B>
std::map<std::string, std::string> run_in_child() {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    report r;
    int code = 0;
    try {
      corio::runtime_options o;
      o.backend = B::kind;
      corio::runtime rt(o);
      rt.block_on(scenario(r));
    } catch (const std::exception& e) {
      r.set("exception", e.what());
      code = 1;
    }
    std::string s = r.str();
    ssize_t n = ::write(fds[1], s.data(), s.size());
    (void)n;
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO("child report:\n" << out);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::map<std::string, std::string> kv;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  return kv;
}

}  // namespace

TEST_SUITE("net fd exhaustion") {
  TEST_CASE_TEMPLATE("out of file descriptors: EMFILE errors, existing connections keep being served", B,
                     CORIO_BACKENDS) {
    {
      CORIO_RUNTIME(probe, B);  // skips (exit 77) if the backend is unavailable
      (void)probe;
    }
    auto kv = run_in_child<B>();
    INFO("accept_error: " << kv["accept_error"]);
    INFO("connect_error: " << kv["connect_error"]);
    CHECK(kv["exception"] == "");
    CHECK(kv["accept_emfile"] == "1");
    CHECK(kv["accept_error"].find("accept 127.0.0.1:") == 0);
    CHECK(kv["accept_error"].find("Too many open files") != std::string::npos);
    CHECK(kv["connect_error"].find("connect 127.0.0.1:") == 0);
    CHECK(kv["connect_error"].find("Too many open files") != std::string::npos);
    CHECK(kv["existing_echo"] == "1");
    CHECK(kv["extra_echo"] == "1");
    CHECK(kv["accepted"] == "5");
    CHECK(kv["initial_echo"] == "");
    CHECK(kv["warmup"] == "ok");
  }
}
