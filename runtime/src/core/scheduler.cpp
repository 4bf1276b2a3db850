// The scheduler's loop and shutdown (corio/detail/scheduler.hpp). IO is the driver's
// (io/driver.hpp): the loop only polls or waits in it and resumes what it hands back.
#include <corio/detail/scheduler.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>

#include <corio/error.hpp>

#include "core/blocking_pool.hpp"
#include "io/driver.hpp"
#include "io/select.hpp"

namespace corio {

const char* to_string(backend_kind k) noexcept {
  switch (k) {
    case backend_kind::automatic: return "automatic";
    case backend_kind::io_uring: return "io_uring";
    case backend_kind::asio: return "asio";
  }
  return "unknown";
}

namespace detail {

namespace {
thread_local bool t_in_loop = false;
}  // namespace

scheduler::current_guard::current_guard(scheduler* s) noexcept : prev_(t_current_) {
  t_current_ = s;
  io_driver::set_current(s ? s->io_.get() : nullptr);
}
scheduler::current_guard::~current_guard() {
  t_current_ = prev_;
  io_driver::set_current(prev_ ? prev_->io_.get() : nullptr);
}

scheduler::scheduler(runtime_options opts) : opts_(std::move(opts)) {
  clock_.paused = opts_.paused_clock;
  clock_.virtual_now = runtime_clock::steady_ns();
  if (opts_.event_interval == 0) opts_.event_interval = 1;
  backend_choice c = select_backend(opts_);
  kind_ = c.backend->kind();
  reason_ = std::move(c.reason);
  io_ = std::make_unique<io_driver>(std::move(c.backend), timers_, clock_, stats_);
}

scheduler& scheduler::current_or_throw() {
  if (scheduler* s = t_current_) return *s;
  throw_error(errc::not_in_runtime, "this operation needs a running corio runtime");
}

blocking_pool& scheduler::blocking() {
  if (!blocking_) blocking_ = std::make_unique<blocking_pool>(*this, opts_.max_blocking_threads);
  return *blocking_;
}

void scheduler::run(std::coroutine_handle<> root) {
  if (t_in_loop) throw_error(errc::invalid_argument, "block_on called from inside a running runtime");
  if (shutting_down_) throw_error(errc::runtime_stopped, "block_on");
  current_guard g{this};
  t_in_loop = true;
  struct loop_flag {
    ~loop_flag() { t_in_loop = false; }
  } reset_flag;

  schedule(root);
  for (;;) {
    ++stats_.loop_turns;
    run_ready();
    if (root.done()) return;
    fire_timers();
    drain_remote();
    // Completions the driver already holds (fd_handle::close polls from inside a task) are
    // resumed before the loop decides whether it may block.
    resume_completed();
    if (!ready_.empty()) {
      io_->poll();
      resume_completed();
      continue;
    }
    const bool have_timers = !timers_.empty();
    if (!have_timers && io_->in_flight() == 0 && external_refs_ == 0) {
      io_->poll();  // completions the backend may still hold
      resume_completed();
      if (!ready_.empty()) continue;
      throw_error(errc::deadlock, "block_on");
    }
    if (clock_.paused && have_timers) {
      io_->poll();
      resume_completed();
      if (ready_.empty()) clock_.virtual_now = std::max(clock_.virtual_now, timers_.next_deadline());
      continue;
    }
    ++stats_.backend_waits;
    io_->wait(have_timers && !clock_.paused ? timers_.next_deadline() : -1);
    resume_completed();
  }
}

void scheduler::resume_completed() {
  while (std::coroutine_handle<> h = io_->pop_completed()) schedule(h);
}

void scheduler::run_ready() {
  std::size_t n = ready_.size();
  if (n > opts_.event_interval) n = opts_.event_interval;
  while (n--) detail::resume(ready_.pop_front());
}

void scheduler::fire_timers() {
  if (timers_.empty()) return;
  const std::int64_t now = now_ns();
  while (!timers_.empty() && timers_.next_deadline() <= now) {
    timer_node* n = timers_.pop();
    ++stats_.timers_fired;
    n->fire(n);
  }
}

bool scheduler::drain_remote() {
  if (!remote_head_.load(std::memory_order_relaxed)) return false;
  remote_item* list = remote_head_.exchange(nullptr, std::memory_order_acquire);
  remote_item* fifo = nullptr;
  while (list) {  // reverse the LIFO stack into posting order
    remote_item* next = list->next;
    list->next = fifo;
    fifo = list;
    list = next;
  }
  while (fifo) {
    remote_item* next = fifo->next;
    fifo->complete(fifo);
    fifo = next;
  }
  return true;
}

void scheduler::post_remote(remote_item* item) noexcept {
  remote_item* head = remote_head_.load(std::memory_order_relaxed);
  do {
    item->next = head;
  } while (!remote_head_.compare_exchange_weak(head, item, std::memory_order_release, std::memory_order_relaxed));
  io_->backend().wake();
}

void scheduler::report_detached_failure(std::exception_ptr e) noexcept {
  ++stats_.detached_failures;
  try {
    if (opts_.on_detached_exception) {
      opts_.on_detached_exception(e);
      return;
    }
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "corio: a detached task failed: %s\n", ex.what());
  } catch (...) {
    std::fprintf(stderr, "corio: a detached task failed with a non-standard exception\n");
  }
}

// ---- shutdown ----------------------------------------------------------------------------------

void scheduler::shutdown() noexcept {
  current_guard g{this};
  shutting_down_ = true;
  blocking_.reset();  // queued jobs are dropped, running ones finish
  remote_head_.exchange(nullptr, std::memory_order_acquire);
  // Every op in flight is cancelled and handed back first, so no buffer of a frame destroyed
  // below is written afterwards; their waiters are not resumed.
  io_->drain();
  ready_.clear();
  for (;;) {
    if (list_hook* h = live_.pop_front()) {
      destroy_spawned(promise_base::from_hook(*h));
      continue;
    }
    if (!destroy_group_children(groups_, *this)) break;
  }
  unbind_groups(groups_);
  // IO objects that outlive the runtime (held outside any task) are closed now, while the
  // backend exists; using them later fails with EBADF instead of touching a dead backend.
  io_->close_orphans();
  ready_.clear();
  while (!timers_.empty()) timers_.pop();  // nodes belonged to destroyed frames' awaiters: drop
}

scheduler::~scheduler() {
  shutdown();
  io_.reset();
}

}  // namespace detail
}  // namespace corio

