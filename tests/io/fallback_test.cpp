// The Asio fallback for real: a child process installs a seccomp filter that makes
// io_uring_setup fail with EPERM (what Docker's default profile does), then builds an automatic
// runtime, which must pick Asio, say why, and run the same workload. Without the filter, the
// automatic choice is checked against an independent probe of whether io_uring is usable here.
#include <doctest/doctest.h>

#include <corio/corio.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace std::chrono_literals;

namespace {

// Returns io_uring_setup -> EPERM, allows everything else.
bool block_io_uring() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

// Whether this process may use io_uring, found out without corio or liburing: the raw
// io_uring_setup syscall on a 2-entry ring, with no flags. It is refused by the same seccomp filters
// and sysctl (kernel.io_uring_disabled) as corio's own setup. A ring that is set up but lacks
// IORING_FEAT_NODROP (Linux 5.5) or IORING_FEAT_EXT_ARG (5.11, whose kernels have every opcode
// corio needs) comes from a kernel corio declines.
struct uring_probe {
  int setup_errno = 0;  // 0: the ring was set up
  unsigned features = 0;
  bool usable() const {
    return setup_errno == 0 && (features & IORING_FEAT_NODROP) && (features & IORING_FEAT_EXT_ARG);
  }
  std::string describe() const {
    if (setup_errno) return std::string("io_uring_setup: ") + std::strerror(setup_errno);
    return "features 0x" + std::to_string(features);
  }
};

uring_probe probe_io_uring() {
  uring_probe r;
  io_uring_params params;
  std::memset(&params, 0, sizeof params);
  long fd = ::syscall(__NR_io_uring_setup, 2, &params);
  if (fd < 0) {
    r.setup_errno = errno;
    return r;
  }
  r.features = params.features;
  ::close(static_cast<int>(fd));
  return r;
}

corio::task<int> workload() {
  corio::task_group g;
  int done = 0;
  for (int i = 0; i < 1000; ++i)
    g.spawn([](int& d, int ms) -> corio::task<void> {
      co_await corio::sleep_for(std::chrono::milliseconds(ms));
      ++d;
    }(done, i % 10));
  co_await g.join();
  auto v = co_await corio::spawn_blocking([] { return 41; });
  co_return done == 1000 ? v + 1 : -1;
}

// Runs `body` in a forked child under the filter; returns the child's exit status.
template <class F>
int in_filtered_child(F body) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (!block_io_uring()) ::_exit(90);
    int rc = 91;
    try {
      rc = body();
    } catch (...) {
      rc = 92;
    }
    ::_exit(rc);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_SUITE("fallback") {
  TEST_CASE("io_uring blocked by seccomp: automatic falls back to asio, says why, and runs the workload") {
    int rc = in_filtered_child([] {
      // The probe that the unfiltered test below relies on sees the filter too.
      if (probe_io_uring().setup_errno != EPERM) return 15;
      corio::runtime rt;  // automatic
      if (rt.backend() != corio::backend_kind::asio) return 10;
      const std::string& why = rt.backend_reason();
      if (why.find("io_uring_setup failed") == std::string::npos) return 11;
      if (why.find("Operation not permitted") == std::string::npos) return 12;
      if (why.find("using asio") == std::string::npos) return 13;
      return rt.block_on(workload()) == 42 ? 0 : 14;
    });
    CHECK(rc == 0);
  }

  TEST_CASE("io_uring blocked by seccomp: asking for io_uring explicitly is a typed error") {
    int rc = in_filtered_child([] {
      corio::runtime_options o;
      o.backend = corio::backend_kind::io_uring;
      try {
        corio::runtime rt(o);
        return 20;
      } catch (const corio::error& e) {
        if (e.code() != corio::errc::backend_unavailable) return 21;
        if (std::string(e.what()).find("EPERM") == std::string::npos &&
            std::string(e.what()).find("Operation not permitted") == std::string::npos)
          return 22;
        return 0;
      }
    });
    CHECK(rc == 0);
  }

  TEST_CASE("without the filter, automatic picks io_uring on this kernel (or says why not)") {
    // The environment could force a backend; this test is about the automatic choice.
    const char* forced = std::getenv("CORIO_BACKEND");
    std::string saved = forced ? forced : "";
    ::unsetenv("CORIO_BACKEND");
    const uring_probe probe = probe_io_uring();
    {
      corio::runtime rt;
      const std::string& why = rt.backend_reason();
      if (probe.usable()) {
        CHECK(rt.backend() == corio::backend_kind::io_uring);
        CHECK(why.find("io_uring available") != std::string::npos);
      } else {
        MESSAGE("io_uring unusable here (" << probe.describe() << "): " << why);
        CHECK(rt.backend() == corio::backend_kind::asio);
        CHECK(why.find("using asio") != std::string::npos);
        if (probe.setup_errno != 0) {
          CHECK(why.find("io_uring_setup failed") != std::string::npos);
          CHECK(why.find(std::strerror(probe.setup_errno)) != std::string::npos);
        } else {
          CHECK(why.find("needs Linux") != std::string::npos);  // a ring, but a kernel too old
        }
      }
    }
    if (forced) ::setenv("CORIO_BACKEND", saved.c_str(), 1);
  }
}
