// corio::child (corio/process/child.hpp): posix_spawn with socket-pair stdio, exit through a pidfd.
#include <corio/process/child.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include <corio/error.hpp>

extern char** environ;

namespace corio {

namespace {

int pidfd_open(pid_t pid) noexcept { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// posix_spawn's attributes and file actions, destroyed on every path.
struct spawn_setup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  spawn_setup() {
    if (int e = posix_spawnattr_init(&attr)) detail::throw_errno_on(e, "spawn", {});
    if (int e = posix_spawn_file_actions_init(&actions)) {
      posix_spawnattr_destroy(&attr);
      detail::throw_errno_on(e, "spawn", {});
    }
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

}  // namespace

child::child(child&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::exchange(o.pidfd_, -1)),
      watch_(std::move(o.watch_)),
      status_(std::exchange(o.status_, std::nullopt)),
      in_(std::move(o.in_)),
      out_(std::move(o.out_)),
      err_(std::move(o.err_)) {}

child& child::operator=(child&& o) noexcept {
  if (this != &o) {
    reap_now();
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::exchange(o.pidfd_, -1);
    watch_ = std::move(o.watch_);
    status_ = std::exchange(o.status_, std::nullopt);
    in_ = std::move(o.in_);
    out_ = std::move(o.out_);
    err_ = std::move(o.err_);
  }
  return *this;
}

child::~child() { reap_now(); }

child child::spawn(const process_options& opts) {
  if (opts.argv.empty() || opts.argv[0].empty()) throw_error(errc::invalid_argument, "spawn: empty argv");
  const std::string& prog = opts.argv[0];
  child c;
  // Our ends stay in the child object; the child's ends are dup2'd onto 0/1/2 and closed here.
  std::optional<net::unix_stream> theirs[3];
  const bool want[3] = {opts.stdin_pipe, opts.stdout_pipe, opts.stderr_pipe};
  std::optional<net::unix_stream>* ours[3] = {&c.in_, &c.out_, &c.err_};
  spawn_setup s;
  for (int i = 0; i < 3; ++i) {
    if (!want[i]) continue;
    auto [mine, other] = net::unix_stream::pair();
    *ours[i] = std::move(mine);
    theirs[i] = std::move(other);
    // The child's end blocks, as a program expects of its stdio (the flag belongs to that socket's
    // open file, not to ours).
    const int fd = theirs[i]->native_handle();
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) detail::throw_errno_on(errno, "spawn", prog);
    if (int e = posix_spawn_file_actions_adddup2(&s.actions, theirs[i]->native_handle(), i))
      detail::throw_errno_on(e, "spawn", prog);
  }
  if (opts.working_directory) {
    if (int e = posix_spawn_file_actions_addchdir_np(&s.actions, opts.working_directory->c_str()))
      detail::throw_errno_on(e, "spawn", prog);
  }
  // A clean signal state: nothing blocked (a signal_set's mask is not inherited), every signal
  // at its default action.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  argv.reserve(opts.argv.size() + 1);
  for (const std::string& a : opts.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (int e = posix_spawnp(&pid, prog.c_str(), &s.actions, &s.attr, argv.data(), environ))
    detail::throw_errno_on(e, "spawn", prog);
  c.pid_ = pid;
  for (auto& t : theirs) t.reset();  // the child has its copies
  c.pidfd_ = pidfd_open(pid);
  if (c.pidfd_ < 0) {
    const int e = errno;
    c.reap_now();
    detail::throw_errno_on(e, "pidfd_open", prog);
  }
  ::fcntl(c.pidfd_, F_SETFD, FD_CLOEXEC);  // pidfd_open sets it already; say so for clarity
  c.watch_ = detail::fd_handle(c.pidfd_, detail::fd_handle::kind::foreign);
  c.watch_.path = prog + " (pid " + std::to_string(pid) + ")";
  return c;
}

net::unix_stream& child::std_in() {
  if (!in_) throw_error(errc::invalid_argument, "child::std_in: spawned without stdin_pipe");
  return *in_;
}
net::unix_stream& child::std_out() {
  if (!out_) throw_error(errc::invalid_argument, "child::std_out: spawned without stdout_pipe");
  return *out_;
}
net::unix_stream& child::std_err() {
  if (!err_) throw_error(errc::invalid_argument, "child::std_err: spawned without stderr_pipe");
  return *err_;
}

void child::kill(int sig) {
  if (pid_ < 0 || status_) detail::throw_errno_on(ESRCH, "kill", {});
  // Through the pidfd: never signals a recycled pid.
  if (::syscall(SYS_pidfd_send_signal, pidfd_, sig, nullptr, 0) < 0) detail::throw_errno_on(errno, "kill", watch_.path);
}

bool child::try_reap() {
  siginfo_t si{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG) < 0) {
    if (errno == EINTR) return false;
    detail::throw_errno_on(errno, "wait", watch_.path);
  }
  if (si.si_pid == 0) return false;  // still running
  status_ = si.si_code == CLD_EXITED ? exit_status(true, si.si_status) : exit_status(false, si.si_status);
  watch_.close();
  ::close(pidfd_);
  pidfd_ = -1;
  return true;
}

void child::reap_now() noexcept {
  if (pid_ < 0 || status_) return;
  if (pidfd_ >= 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
  } else {
    ::kill(pid_, SIGKILL);
  }
  siginfo_t si{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED) < 0 && errno == EINTR) {
  }
  status_ = exit_status(false, SIGKILL);
  watch_.close();
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
}

task<exit_status> child::wait(deadline d) {
  if (pid_ < 0) throw_error(errc::invalid_argument, "child::wait: no child");
  while (!status_ && !try_reap()) {
    detail::fd_op ready(watch_, detail::op_code::poll, d);
    ready.op().flags = POLLIN;  // a pidfd turns readable when the process exits
    const std::int32_t r = co_await ready;
    if (r < 0 || ready.closed()) {
      if (r == -ECANCELED && !ready.timed_out() && ready.op().cancel_requested) {
        reap_now();  // a cancelled wait kills the child: it never runs on unobserved
        throw error(make_error_code(errc::operation_aborted), "wait " + watch_.path);
      }
      detail::throw_op_error(ready, r < 0 ? r : -ECANCELED, "wait");
    }
  }
  co_return *status_;
}

}  // namespace corio
