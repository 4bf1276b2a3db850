// process-pool: P forked workers; the parent hands out one task index at a time (like Python's
// multiprocessing.Pool(P) with chunksize=1) and collects results.
//
// Channels: each worker has its own SOCK_SEQPACKET socket pair for task indices (message
// boundaries; MSG_NOSIGNAL so that writing to a dead worker fails with EPIPE instead of killing the
// parent), and all workers share one result pipe (result_msg, atomic writes). The parent watches
// the result pipe and one pidfd per worker with poll(): a worker that dies loses only the task it
// was running (reported failed), is reaped at once and replaced while tasks remain.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include "models/measure.hpp"
#include "models/models_impl.hpp"

namespace corio_models {
namespace {

constexpr std::uint64_t quit_msg = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t no_task = std::numeric_limits<std::size_t>::max();

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

struct worker {
  pid_t pid = -1;
  int task_fd = -1;   // parent's end of the task socket
  int pidfd = -1;
  std::size_t current = no_task;
  bool quitting = false;
};

class process_pool_model final : public model {
 public:
  std::string name() const override { return "process-pool"; }
  per_task_resource resource() const override { return per_task_resource::none; }
  std::size_t concurrency(const run_options& o) const override {
    return o.workers ? o.workers : default_workers("process-pool");
  }
  void describe(corio_bench::json_line& j) const override {
    j.add("workers", workers_).add("workers_forked", forked_).add("workers_died", died_);
  }

  void run(run_context& ctx) override {
    ctx_ = &ctx;
    workers_ = static_cast<unsigned>(concurrency(ctx.opts));
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      int e = errno;
      ctx.ctl.request_stop(stop_kind::limit, "pipe: " + errno_name(e), e);
      return;
    }
    res_rd_ = fds[0];
    res_wr_ = fds[1];
    ::fcntl(res_rd_, F_SETFL, O_NONBLOCK);
    ws_.assign(workers_, worker{});
    for (unsigned w = 0; w < workers_; ++w) {
      if (!spawn(w)) break;
    }
    if (alive() == 0) {
      ::close(res_rd_);
      ::close(res_wr_);
      return;  // spawn() recorded the limit
    }
    for (unsigned w = 0; w < workers_; ++w)
      if (ws_[w].pid > 0) give(w);
    ctx.meter.poke();
    loop();
    ::close(res_rd_);
    ::close(res_wr_);
  }

 private:
  std::size_t alive() const {
    std::size_t a = 0;
    for (auto& w : ws_) a += w.pid > 0;
    return a;
  }

  // Forks worker slot w. false (and a limit stop if no worker is left) when fork fails.
  bool spawn(unsigned w) {
    run_control& ctl = ctx_->ctl;
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
      int e = errno;
      if (alive() == 0) ctl.request_stop(stop_kind::limit, "socketpair: " + errno_name(e), e);
      return false;
    }
    const pid_t parent = ::getpid();
    pid_t p;
    {
      std::lock_guard lk(ctl.fork_mutex());
      p = ::fork();
      if (p == 0) {
        ::close(sp[0]);
        worker_main(w, sp[1], parent);
      }
      if (p > 0) ctl.add_child(p);
    }
    ::close(sp[1]);
    if (p < 0) {
      int e = errno;
      ::close(sp[0]);
      if (alive() == 0) ctl.request_stop(stop_kind::limit, diagnose(e, per_task_resource::process), e);
      return false;
    }
    ++forked_;
    worker& wk = ws_[w];
    wk = worker{};
    wk.pid = p;
    wk.task_fd = sp[0];
    wk.pidfd = pidfd_open(p);
    return true;
  }

  [[noreturn]] void worker_main(unsigned w, int task_fd, pid_t parent) {
    child_die_with_parent(parent);
    // Other workers' channels and the parent's read end are not ours.
    for (auto& o : ws_) {
      if (o.task_fd >= 0) ::close(o.task_fd);
      if (o.pidfd >= 0) ::close(o.pidfd);
    }
    ::close(res_rd_);
    workload& wl = ctx_->wl;
    wl.worker_start();
    for (;;) {
      std::uint64_t idx;
      ssize_t r = ::recv(task_fd, &idx, sizeof idx, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r != static_cast<ssize_t>(sizeof idx) || idx == quit_msg) break;
      task_record rec;
      run_task_blocking(wl, idx, rec);
      result_msg m = to_msg(idx, rec, w);
      if (!write_all(res_wr_, &m, sizeof m)) break;
    }
    wl.worker_stop();
    _exit(0);
  }

  // Gives worker w its next task, or tells it to quit.
  void give(unsigned w) {
    worker& wk = ws_[w];
    run_control& ctl = ctx_->ctl;
    if (wk.pid <= 0 || wk.quitting) return;
    std::uint64_t idx = quit_msg;
    if (next_ < ctx_->records.size() && !ctl.should_stop()) idx = next_;
    if (::send(wk.task_fd, &idx, sizeof idx, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof idx)) {
      // The worker is dying; its pidfd will tell. Nothing was handed over.
      wk.quitting = true;
      return;
    }
    if (idx == quit_msg) {
      wk.quitting = true;
      return;
    }
    wk.current = next_++;
    ctl.started.fetch_add(1, std::memory_order_relaxed);
  }

  void drain_results() {
    for (;;) {
      ssize_t r = ::read(res_rd_, reinterpret_cast<char*>(buf_) + have_, sizeof buf_ - have_);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return;  // EAGAIN: nothing more now
      have_ += static_cast<std::size_t>(r);
      const std::size_t whole = have_ / sizeof(result_msg);
      for (std::size_t k = 0; k < whole; ++k) {
        const result_msg& m = buf_[k];
        apply_msg(m, ctx_->records, ctx_->ctl);
        if (m.worker < ws_.size() && ws_[m.worker].current == m.index) {
          ws_[m.worker].current = no_task;
          give(m.worker);
        }
      }
      have_ -= whole * sizeof(result_msg);
      if (have_) std::memmove(buf_, reinterpret_cast<char*>(buf_) + whole * sizeof(result_msg), have_);
    }
  }

  void reap(unsigned w) {
    worker& wk = ws_[w];
    drain_results();  // a report written just before dying is already in the pipe
    int st = 0;
    while (::waitpid(wk.pid, &st, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard lk(ctx_->ctl.fork_mutex());
      ctx_->ctl.remove_child(wk.pid);
    }
    const bool clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (!clean) ++died_;
    if (wk.current != no_task) mark_lost(ctx_->records[wk.current], ctx_->ctl);
    const bool was_quitting = wk.quitting && wk.current == no_task && clean;
    ::close(wk.task_fd);
    if (wk.pidfd >= 0) ::close(wk.pidfd);
    wk = worker{};
    // Replace a worker that died while tasks remain.
    if (!was_quitting && next_ < ctx_->records.size() && !ctx_->ctl.should_stop()) {
      if (spawn(w)) give(w);
    }
  }

  void loop() {
    std::vector<pollfd> pfds;
    std::vector<unsigned> slot;
    while (alive() > 0) {
      pfds.clear();
      slot.clear();
      pfds.push_back({res_rd_, POLLIN, 0});
      for (unsigned w = 0; w < ws_.size(); ++w) {
        if (ws_[w].pid > 0 && ws_[w].pidfd >= 0) {
          pfds.push_back({ws_[w].pidfd, POLLIN, 0});
          slot.push_back(w);
        }
      }
      // Without a pidfd (pidfd_open unavailable) a worker's death is seen by polling waitpid.
      const bool need_poll_wait = slot.size() < alive();
      int rc = ::poll(pfds.data(), pfds.size(), need_poll_wait ? 50 : -1);
      if (rc < 0 && errno != EINTR) break;
      if (pfds[0].revents) drain_results();
      for (std::size_t k = 1; k < pfds.size(); ++k)
        if (pfds[k].revents) reap(slot[k - 1]);
      if (need_poll_wait) {
        for (unsigned w = 0; w < ws_.size(); ++w) {
          if (ws_[w].pid > 0 && ws_[w].pidfd < 0) {
            siginfo_t si{};
            if (::waitid(P_PID, static_cast<id_t>(ws_[w].pid), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
              reap(w);
          }
        }
      }
    }
  }

  run_context* ctx_ = nullptr;
  std::vector<worker> ws_;
  int res_rd_ = -1, res_wr_ = -1;
  std::size_t next_ = 0;
  result_msg buf_[64];
  std::size_t have_ = 0;
  unsigned workers_ = 0, forked_ = 0, died_ = 0;
};

}  // namespace

std::unique_ptr<model> make_process_pool_model() { return std::make_unique<process_pool_model>(); }

}  // namespace corio_models
