// corio/signal.hpp - corio::signal_set: wait for POSIX signals (SIGINT, SIGTERM, SIGHUP, ...) in a
// task, e.g. to stop a server gracefully on Ctrl-C.
//
// What it does:
//   corio::signal_set sigs{SIGINT, SIGTERM};   // blocks them in this thread, opens a signalfd
//   int sig = co_await sigs.wait();            // the number of the next one that arrives
// A signal_set may be made outside any runtime (at the start of main(), before threads start: see
// Threads) and used in one later: its first wait() attaches it to the running runtime.
// Construction blocks the signals in the calling thread (pthread_sigmask) and reads them from a
// signalfd(2) through the runtime's backend (a readiness wait, then a non-blocking read on the
// loop thread, on io_uring and on Asio alike). Several tasks may wait on one set: each signal that
// arrives wakes one of them (the one that reads it). Signals that arrived before wait() was called
// are not lost: they stay pending until read. Two sets watching the same signal share it: each
// arrival goes to one of them.
// Threads: a signal is only queued for the signalfd if no thread of the process has it unblocked;
// otherwise the kernel delivers it to that thread, with its normal action (SIGTERM: exit). So
// create the signal_set (or call corio::block_signals) in main() before starting any thread; threads
// started afterwards inherit the mask. corio's own threads (spawn_blocking's pool, the Asio
// backend's file threads) block every signal themselves. A child process started with fork/exec
// inherits the blocked mask: unblock it in the child before exec.
// Destruction closes the signalfd and unblocks, in the calling thread, the signals that were not
// blocked before the set was made (a signal still pending then gets its normal action).
// Errors (corio::error): an invalid signal number, SIGKILL or SIGSTOP (errc::invalid_argument);
// signalfd failures (EMFILE, ...) as errno codes; wait() after the set was closed (EBADF).
// Which thread resumes you: the runtime's thread. Create, use and destroy a signal_set on the
// runtime's thread.
// Cancellation and deadlines: wait(d) throws errc::timed_out at its deadline; a cancelled wait
// throws errc::operation_aborted and consumes no signal.
#pragma once

#include <signal.h>

#include <initializer_list>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/task.hpp>

namespace corio {

// Blocks `signals` in the calling thread (pthread_sigmask): call it at the start of main(), before
// any thread is created, for the signals a signal_set will wait for. Throws like signal_set.
void block_signals(std::initializer_list<int> signals);

class signal_set {
 public:
  explicit signal_set(std::initializer_list<int> signals);
  ~signal_set();
  signal_set(const signal_set&) = delete;
  signal_set& operator=(const signal_set&) = delete;

  // The next signal of the set (its number).
  task<int> wait(deadline d = {});
  // Stops: pending waits end with errc::operation_aborted. The destructor does it too.
  void close() noexcept;

 private:
  sigset_t set_{};
  sigset_t unblock_on_close_{};  // the set's signals that were not blocked before
  int fd_ = -1;                  // the signalfd, owned by the set
  detail::fd_handle h_;          // fd_ watched (not owned) in the runtime of the first wait()
};

}  // namespace corio
