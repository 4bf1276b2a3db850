// corio::signal_set (corio/signal.hpp): signals through a signalfd, read on the loop thread.
//
// Why a readiness wait and then read(2) on the loop thread, rather than a read request: a signalfd
// dequeues the signals of the task that reads it. An io_uring read may run in a kernel worker
// thread, which would see its own signals, not this thread's; a read here always sees the
// thread's and the process's pending signals.
#include <corio/signal.hpp>

#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <corio/error.hpp>

namespace corio {

namespace {
sigset_t make_set(std::initializer_list<int> signals) {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : signals) {
    if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP)
      throw_error(errc::invalid_argument, "signal_set: signal " + std::to_string(sig) +
                                              " cannot be waited for (not a signal, or SIGKILL/SIGSTOP)");
    sigaddset(&s, sig);
  }
  return s;
}
}  // namespace

void block_signals(std::initializer_list<int> signals) {
  const sigset_t s = make_set(signals);
  if (int e = ::pthread_sigmask(SIG_BLOCK, &s, nullptr)) detail::throw_errno_on(e, "pthread_sigmask", {});
}

signal_set::signal_set(std::initializer_list<int> signals) : set_(make_set(signals)) {
  if (signals.size() == 0) throw_error(errc::invalid_argument, "signal_set: no signals");
  sigset_t old;
  if (int e = ::pthread_sigmask(SIG_BLOCK, &set_, &old)) detail::throw_errno_on(e, "pthread_sigmask", {});
  sigemptyset(&unblock_on_close_);
  for (int sig : signals)
    if (!sigismember(&old, sig)) sigaddset(&unblock_on_close_, sig);
  fd_ = ::signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) {
    const int e = errno;
    ::pthread_sigmask(SIG_UNBLOCK, &unblock_on_close_, nullptr);
    detail::throw_errno_on(e, "signalfd", {});
  }
}

signal_set::~signal_set() { close(); }

void signal_set::close() noexcept {
  if (fd_ < 0) return;
  h_.close();  // stops watching (pending waits abort) before the descriptor goes
  ::close(fd_);
  fd_ = -1;
  ::pthread_sigmask(SIG_UNBLOCK, &unblock_on_close_, nullptr);
  sigemptyset(&unblock_on_close_);
}

task<int> signal_set::wait(deadline d) {
  if (fd_ < 0) detail::throw_errno_on(EBADF, "signal wait", {});
  if (!h_.is_open()) {  // first wait: watch the signalfd (which the set keeps owning) in this runtime
    h_ = detail::fd_handle(fd_, detail::fd_handle::kind::foreign);  // not_in_runtime outside one
    h_.path = "signalfd";
  }
  detail::fd_handle* h = &h_;
  for (;;) {
    if (!h->is_open()) detail::throw_errno_on(EBADF, "signal wait", {});
    signalfd_siginfo si;
    const ssize_t n = ::read(h->fd(), &si, sizeof si);
    if (n == static_cast<ssize_t>(sizeof si)) co_return static_cast<int>(si.ssi_signo);
    if (n < 0 && errno != EAGAIN && errno != EINTR) detail::throw_errno_on(errno, "signal wait", "signalfd");
    detail::fd_op ready(*h, detail::op_code::poll, d);
    ready.op().flags = POLLIN;
    const std::int32_t r = co_await ready;
    if (r < 0 || ready.closed()) detail::throw_op_error(ready, r < 0 ? r : -ECANCELED, "signal wait");
    h = ready.owner();
  }
}

}  // namespace corio
