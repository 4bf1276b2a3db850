// corio::child with real programs (cat, sh, pwd, grep): pipes, exit statuses, deadlines,
// cancellation kills, no zombies, and the errors of a missing program or exhausted pids.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "support/backends.hpp"

using namespace std::chrono_literals;
using corio::child;
using corio::process_options;
using corio::task;

namespace {
task<std::string> read_all(corio::net::unix_stream& s) {
  std::string out;
  char buf[4096];
  for (;;) {
    std::size_t n = co_await s.read_some(buf, sizeof buf, 10s);
    if (n == 0) co_return out;
    out.append(buf, n);
  }
}
process_options opts(std::vector<std::string> argv, bool in, bool out) {
  process_options o;
  o.argv = std::move(argv);
  o.stdin_pipe = in;
  o.stdout_pipe = out;
  return o;
}
}  // namespace

TEST_SUITE("process") {
  TEST_CASE_TEMPLATE("cat echoes stdin to stdout and exits 0 at end of input", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      child c = child::spawn(opts({"cat"}, true, true));
      CHECK(c.pid() > 0);
      auto reader = corio::spawn(read_all(c.std_out()));
      co_await c.std_in().write_all(std::string_view("hello, child\n"));
      c.std_in().shutdown();  // cat sees end of input
      CHECK(co_await reader == "hello, child\n");
      corio::exit_status st = co_await c.wait(10s);
      CHECK(st.success());
      corio::exit_status again = co_await c.wait();
      CHECK(again.code() == 0);
    }());
  }

  TEST_CASE_TEMPLATE("exit codes and killing signals are reported", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      child a = child::spawn(opts({"sh", "-c", "exit 3"}, false, false));
      corio::exit_status sa = co_await a.wait(10s);
      CHECK(sa.exited());
      CHECK(sa.code() == 3);
      child b = child::spawn(opts({"sh", "-c", "kill -TERM $$"}, false, false));
      corio::exit_status sb = co_await b.wait(10s);
      CHECK_FALSE(sb.exited());
      CHECK(sb.signal() == SIGTERM);
    }());
  }

  TEST_CASE_TEMPLATE("a wait's deadline leaves the child running, and kill() ends it", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      child c = child::spawn(opts({"sh", "-c", "read x"}, true, false));  // waits for a line
      try {
        co_await c.wait(20ms);
        FAIL("the child waits for its stdin");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::timed_out);
      }
      CHECK(::kill(c.pid(), 0) == 0);  // still running (not reaped: the pid is still ours)
      c.kill(SIGTERM);
      corio::exit_status st = co_await c.wait(10s);
      CHECK(st.signal() == SIGTERM);
      CHECK_THROWS_AS(c.kill(), corio::error);  // reaped: nothing left to signal
    }());
  }

  TEST_CASE_TEMPLATE("a cancelled wait kills and reaps the child", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      child c = child::spawn(opts({"sh", "-c", "read x"}, true, false));
      auto r = co_await corio::when_any(c.wait(), corio::sleep_for(10ms));
      CHECK(r.index == 1);
      corio::exit_status st = co_await c.wait();  // already reaped by the cancelled wait
      CHECK(st.signal() == SIGKILL);
    }());
  }

  TEST_CASE_TEMPLATE("destroying a child that was not waited for leaves no zombie", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    pid_t pid = -1;
    rt.block_on([](pid_t& pid) -> task<void> {
      child c = child::spawn(opts({"sh", "-c", "read x"}, true, false));
      pid = c.pid();
      co_return;
    }(pid));
    REQUIRE(pid > 0);
    errno = 0;
    CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
    CHECK(errno == ECHILD);  // reaped already: not a zombie waiting for us
  }

  TEST_CASE_TEMPLATE("the child starts with no blocked signal, in the directory asked for", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    corio::signal_set sigs{SIGUSR1};  // blocked here; must not be in the child
    rt.block_on([]() -> task<void> {
      child c = child::spawn(opts({"grep", "^SigBlk", "/proc/self/status"}, false, true));
      std::string out = co_await read_all(c.std_out());
      CHECK(out == "SigBlk:\t0000000000000000\n");
      corio::exit_status sc = co_await c.wait(10s);
      CHECK(sc.success());
      process_options o = opts({"pwd"}, false, true);
      o.working_directory = "/";
      child p = child::spawn(o);
      CHECK(co_await read_all(p.std_out()) == "/\n");
      corio::exit_status sp = co_await p.wait(10s);
      CHECK(sp.success());
    }());
  }

  TEST_CASE_TEMPLATE("a missing program, an empty argv and a bad directory are typed errors", B, CORIO_BACKENDS) {
    CORIO_RUNTIME(rt, B);
    rt.block_on([]() -> task<void> {
      try {
        (void)child::spawn(opts({"corio-no-such-program"}, true, true));
        FAIL("spawned a program that does not exist");
      } catch (const corio::error& e) {
        CHECK(e.code() == std::errc::no_such_file_or_directory);
        CHECK(std::string(e.what()).find("spawn corio-no-such-program") == 0);
      }
      CHECK_THROWS_AS((void)child::spawn(process_options{}), corio::error);
      process_options o = opts({"pwd"}, false, false);
      o.working_directory = "/no/such/directory";
      CHECK_THROWS_AS((void)child::spawn(o), corio::error);
      child c;
      CHECK_THROWS_AS(c.std_in(), corio::error);
      co_return;
    }());
  }

  // RLIMIT_NPROC does not bind root: a forked helper drops to an unused uid first, then allows
  // itself no further process, so posix_spawn's clone fails with EAGAIN.
  TEST_CASE_TEMPLATE("no pid left: spawn fails with EAGAIN instead of hanging or crashing", B, CORIO_BACKENDS) {
    const pid_t helper = ::fork();
    REQUIRE(helper >= 0);
    if (helper == 0) {
      if (::setgid(64977) != 0 || ::setuid(64977) != 0) ::_exit(90);
      rlimit one{0, 0};
      if (::setrlimit(RLIMIT_NPROC, &one) != 0) ::_exit(91);
      int rc = 92;
      try {
        corio::runtime_options ro;
        ro.backend = B::kind;
        corio::runtime rt(ro);
        rc = rt.block_on([]() -> task<int> {
          try {
            (void)child::spawn(opts({"true"}, false, false));
            co_return 93;
          } catch (const corio::error& e) {
            co_return e.code() == std::errc::resource_unavailable_try_again ? 0 : 94;
          }
        }());
      } catch (const corio::error& e) {
        rc = e.code() == corio::errc::backend_unavailable ? 77 : 95;
      }
      ::_exit(rc);
    }
    int status = 0;
    REQUIRE(::waitpid(helper, &status, 0) == helper);
    REQUIRE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
      MESSAGE("backend unavailable here");
      return;
    }
    CHECK(WEXITSTATUS(status) == 0);
  }
}
