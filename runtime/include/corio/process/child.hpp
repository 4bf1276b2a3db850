// corio/process/child.hpp - corio::child: start a program with asynchronous stdin/stdout/stderr and
// await its exit.
//
// What it does:
//   corio::process_options o;
//   o.argv = {"sh", "-c", "tr a-z A-Z"};            // argv[0] is looked up in PATH without a '/'
//   o.stdin_pipe = o.stdout_pipe = true;
//   corio::child c = corio::child::spawn(o);
//   co_await c.std_in().write_all("hello");  c.std_in().shutdown();   // the child reads EOF
//   std::string out = ... co_await c.std_out().read_some(buf) ...
//   corio::exit_status st = co_await c.wait();      // st.exited() && st.code() == 0
// The child's stdin/stdout/stderr are, when asked for, one end of an AF_UNIX stream socket pair
// (corio::net::unix_stream on corio's side: read_some, read_exact, write_all, shutdown, deadlines,
// cancellation, on both backends); otherwise they are inherited. The child starts with an empty
// signal mask and default signal dispositions (a signal_set of the parent does not leak into it),
// and inherits no descriptor of corio's (all are close-on-exec). wait() watches a pidfd
// (pidfd_open, Linux 5.3+) through the backend, then reaps the child; no thread, no SIGCHLD handler.
// Errors (corio::error): a program that cannot be found or run ("spawn nosuchprogram: No such
// file or directory"), no pid or memory left (EAGAIN, ENOMEM), an empty argv
// (errc::invalid_argument), spawning outside a runtime (errc::not_in_runtime).
// Which thread resumes you: the runtime's thread. A child belongs to the runtime it was spawned in.
// Cancellation and deadlines: wait(d) throws errc::timed_out at its deadline and leaves the child
// running (wait again, or kill()); a *cancelled* wait kills the child (SIGKILL), reaps it and throws
// errc::operation_aborted. Destroying a child that was not waited for kills and reaps it: a child
// never outlives its object and never stays a zombie.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/net/unix_stream.hpp>
#include <corio/task.hpp>

namespace corio {

struct process_options {
  std::vector<std::string> argv;  // program and arguments; argv[0] without '/' is searched in PATH
  bool stdin_pipe = false;        // give the child a stdin that std_in() writes to
  bool stdout_pipe = false;       // ... a stdout that std_out() reads
  bool stderr_pipe = false;       // ... a stderr that std_err() reads
  std::optional<std::string> working_directory;  // chdir before exec (a failure fails spawn)
};

// How a child ended (waitid's CLD_EXITED / CLD_KILLED / CLD_DUMPED).
class exit_status {
 public:
  exit_status() = default;
  exit_status(bool exited, int value) noexcept : exited_(exited), value_(value) {}
  bool exited() const noexcept { return exited_; }
  int code() const noexcept { return exited_ ? value_ : -1; }          // exit code, or -1
  int signal() const noexcept { return exited_ ? 0 : value_; }         // killing signal, or 0
  bool success() const noexcept { return exited_ && value_ == 0; }

 private:
  bool exited_ = false;
  int value_ = 0;
};

class child {
 public:
  child() noexcept = default;
  child(child&& o) noexcept;
  child& operator=(child&& o) noexcept;
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child();  // kills and reaps a child not yet waited for

  static child spawn(const process_options& opts);

  pid_t pid() const noexcept { return pid_; }
  // The pipes asked for in process_options (throws errc::invalid_argument for one that was not).
  net::unix_stream& std_in();
  net::unix_stream& std_out();
  net::unix_stream& std_err();

  // Waits for the child to end and reaps it; see the header comment for deadlines and
  // cancellation. A second wait() returns the same status.
  task<exit_status> wait(deadline d = {});
  // Sends `sig` (default SIGKILL) unless the child has been reaped. Throws corio::error on failure.
  void kill(int sig = 9);

 private:
  void reap_now() noexcept;  // SIGKILL and a blocking reap (destructor, cancelled wait)
  bool try_reap();           // waitid(WNOHANG); true once reaped

  pid_t pid_ = -1;
  int pidfd_ = -1;
  detail::fd_handle watch_;  // pidfd_, watched (not owned)
  std::optional<exit_status> status_;
  std::optional<net::unix_stream> in_, out_, err_;
};

}  // namespace corio
