// processes (process-per-task): one fork()ed child per task. Each child runs its task and writes a
// fixed-size result_msg to ONE pipe shared by all children (writes under PIPE_BUF are atomic, so
// reports never interleave, and the parent needs one descriptor, not one per child: the model's
// wall is pid_max, not RLIMIT_NOFILE). While forking, the parent stays single-threaded (apart
// from the sampler) and, between forks, drains the pipe and reaps exited children without
// blocking (zombies would hold their pids). A forking parent with busy threads pays for it: each
// copy-on-write fault after fork then needs a TLB shootdown on the other CPUs (measured: it more
// than doubled the parent's system time). Once all are forked, a reader thread drains the pipe
// while the parent reaps the rest. A child that exits non-zero, is killed, or dies without a
// report counts as failed.
//
// The reaper uses waitpid(-1): while this model runs, the hosting program must not have other
// children of its own that exit (the demos and tests do not).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "models/measure.hpp"
#include "models/models_impl.hpp"

namespace corio_models {
namespace {

// Set by SIGCHLD: some child has exited since the fork loop last reaped. waitpid(-1, WNOHANG)
// walks the caller's whole list of children, so calling it after every fork made the fork loop
// quadratic in the live children (30 s sleeps, 60 s budget: 23,500 processes started instead of
// 19,500). What still slows forking down past 10,000 children on this VM is the kernel's DAMON
// monitor (kdamond) walking the reverse maps of pages shared by every child: see
// docs/results-scaling.md.
volatile sig_atomic_t g_child_exited = 0;
extern "C" void on_sigchld(int) { g_child_exited = 1; }

// Installs on_sigchld for the fork loop's lifetime and restores the previous action.
class sigchld_flag {
 public:
  sigchld_flag() {
    struct sigaction sa {};
    sa.sa_handler = &on_sigchld;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    installed_ = ::sigaction(SIGCHLD, &sa, &old_) == 0;
    g_child_exited = 1;
  }
  ~sigchld_flag() {
    if (installed_) ::sigaction(SIGCHLD, &old_, nullptr);
  }
  sigchld_flag(const sigchld_flag&) = delete;
  sigchld_flag& operator=(const sigchld_flag&) = delete;
  // True when a reap is due: a child exited, or the handler could not be installed.
  bool take() noexcept {
    if (!installed_) return true;
    if (!g_child_exited) return false;
    g_child_exited = 0;  // cleared before reaping: an exit during the reap sets it again
    return true;
  }

 private:
  struct sigaction old_ {};
  bool installed_ = false;
};

[[noreturn]] void child_main(run_context& ctx, std::size_t i, int rd, int wr, pid_t parent) {
  child_die_with_parent(parent);
  ::close(rd);
  task_record rec;
  ctx.wl.worker_start();
  run_task_blocking(ctx.wl, i, rec);
  ctx.wl.worker_stop();
  result_msg m = to_msg(i, rec);
  bool sent = write_all(wr, &m, sizeof m);
  _exit(sent && rec.state == task_state::ok ? 0 : 1);
}

class process_model final : public model {
 public:
  std::string name() const override { return "processes"; }
  per_task_resource resource() const override { return per_task_resource::process; }
  std::size_t concurrency(const run_options& o) const override { return o.n; }
  void describe(corio_bench::json_line& j) const override { j.add("children_failed_exit", exit_failures_); }

  void run(run_context& ctx) override {
    ctx_ = &ctx;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      int e = errno;
      ctx.ctl.request_stop(stop_kind::limit, "pipe: " + errno_name(e), e);
      return;
    }
    rd_ = fds[0];
    int wr = fds[1];
    ::fcntl(rd_, F_SETFL, O_NONBLOCK);
    run_control& ctl = ctx.ctl;

    // Phase 1, single-threaded (besides the sampler): fork, and between forks drain the pipe and
    // reap whoever has exited, without blocking.
    const pid_t parent = ::getpid();
    try {
      sigchld_flag exited;
      for (std::size_t i = 0; i < ctx.records.size(); ++i) {
        if (ctl.should_stop()) break;
        drain(false);
        if (exited.take()) reap(false);
        if (!ctl.may_spawn(static_cast<long>(index_of_.size()))) break;
        index_of_.reserve(index_of_.size() + 1);  // may throw here, not after fork
        pid_t p;
        {
          std::lock_guard lk(ctl.fork_mutex());
          p = ::fork();
          if (p == 0) child_main(ctx, i, rd_, wr, parent);
          if (p > 0) ctl.add_child(p);
        }
        if (p < 0) {
          int e = errno;
          ctl.request_stop(stop_kind::limit, diagnose(e, per_task_resource::process), e);
          break;
        }
        index_of_.emplace(p, i);
        ctl.started.fetch_add(1, std::memory_order_relaxed);
      }
    } catch (const std::exception& e) {
      ctl.request_stop(stop_kind::limit, std::string("process bookkeeping: ") + e.what(), ENOMEM);
    }
    ctx.meter.poke();
    ::close(wr);

    // Phase 2: nothing is forked any more. A reader thread drains the pipe (children must never
    // block on a full pipe) while this thread reaps the remaining children. If no thread can be
    // started (at RLIMIT_NPROC, say), one thread alternates: wait for the pipe up to 10 ms, drain
    // it, reap who exited.
    std::thread reader;
    try {
      reader = std::thread([this] { drain(true); });
    } catch (const std::system_error&) {
    }
    if (reader.joinable()) {
      reap(true);
      reader.join();
    } else {
      while (!index_of_.empty()) {
        pollfd pf{rd_, POLLIN, 0};
        ::poll(&pf, 1, 10);
        drain(false);
        reap(false);
      }
      drain(true);  // every child is gone: read to EOF
    }
    ::close(rd_);

    for (auto [i, st] : bad_exits_) {
      mark_lost(ctx.records[i], ctl);
      ++exit_failures_;
      (void)st;
    }
  }

 private:
  // Applies every whole message in the pipe; blocking: until EOF (all children gone).
  void drain(bool blocking) {
    if (blocking) ::fcntl(rd_, F_SETFL, 0);
    for (;;) {
      ssize_t r = ::read(rd_, reinterpret_cast<char*>(buf_) + have_, sizeof buf_ - have_);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return;  // EAGAIN (non-blocking: nothing now), or EOF
      have_ += static_cast<std::size_t>(r);
      const std::size_t whole = have_ / sizeof(result_msg);
      for (std::size_t k = 0; k < whole; ++k) apply_msg(buf_[k], ctx_->records, ctx_->ctl);
      have_ -= whole * sizeof(result_msg);
      if (have_) std::memmove(buf_, reinterpret_cast<char*>(buf_) + whole * sizeof(result_msg), have_);
    }
  }

  // Reaps exited children; blocking: until none of ours is left.
  void reap(bool blocking) {
    while (!index_of_.empty()) {
      int st = 0;
      pid_t p = ::waitpid(-1, &st, blocking ? 0 : WNOHANG);
      if (p == 0) return;  // WNOHANG: nobody exited
      if (p < 0) {
        if (errno == EINTR) continue;
        index_of_.clear();  // ECHILD: someone else reaped them; nothing left to wait for
        return;
      }
      auto it = index_of_.find(p);
      if (it == index_of_.end()) continue;  // not ours
      const std::size_t i = it->second;
      index_of_.erase(it);
      {
        std::lock_guard lk(ctx_->ctl.fork_mutex());
        ctx_->ctl.remove_child(p);
      }
      if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) bad_exits_.emplace_back(i, st);
    }
  }

  run_context* ctx_ = nullptr;
  int rd_ = -1;
  std::unordered_map<pid_t, std::size_t> index_of_;  // live children
  std::vector<std::pair<std::size_t, int>> bad_exits_;  // (task, wait status) of failed children
  result_msg buf_[64];
  std::size_t have_ = 0;
  std::size_t exit_failures_ = 0;
};

}  // namespace

std::unique_ptr<model> make_process_model() { return std::make_unique<process_model>(); }

}  // namespace corio_models
