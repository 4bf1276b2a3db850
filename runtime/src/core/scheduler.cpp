// The scheduler's loop, IO completion path and shutdown (corio/detail/scheduler.hpp).
#include <corio/detail/scheduler.hpp>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>

#include <corio/error.hpp>
#include <corio/spawn.hpp>

#include "core/blocking_pool.hpp"
#include "io/backend.hpp"
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

std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

scheduler::scheduler(runtime_options opts) : opts_(std::move(opts)) {
  paused_ = opts_.paused_clock;
  virtual_now_ = steady_now_ns();
  if (opts_.event_interval == 0) opts_.event_interval = 1;
  current_guard g{this};
  backend_choice c = select_backend(*this, opts_);
  backend_ = std::move(c.backend);
  reason_ = std::move(c.reason);
  kind_ = backend_->kind();
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
    if (!ready_.empty()) {
      backend_->poll();
      continue;
    }
    const bool have_timers = !timers_.empty();
    if (!have_timers && backend_->in_flight() == 0 && external_refs_ == 0) {
      backend_->poll();  // completions the backend may still hold
      if (!ready_.empty()) continue;
      throw_error(errc::deadlock, "block_on");
    }
    if (paused_ && have_timers) {
      backend_->poll();
      if (ready_.empty()) virtual_now_ = std::max(virtual_now_, timers_.next_deadline());
      continue;
    }
    ++stats_.backend_waits;
    backend_->wait(have_timers && !paused_ ? timers_.next_deadline() : -1);
  }
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
  backend_->wake();
}

void scheduler::complete(io_op& op) noexcept {
  op.state = op_state::done;
  ++stats_.io_completed;
  if (op.deadline_timer.queued()) timers_.erase(op.deadline_timer);
  if (op.slot) op.slot->remove(&op);
  if (!shutting_down_) schedule(op.waiter);
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

// ---- IO operations -----------------------------------------------------------------------------

namespace {
void io_cancel_requested(cancel_handler* c) noexcept {
  auto* op = static_cast<io_op*>(c);
  op->cancel_requested = true;
  scheduler::current()->backend().cancel(*op);
}
void io_deadline_fired(timer_node* n) noexcept {
  io_op* op = static_cast<io_deadline_timer*>(n)->op;
  op->timed_out = true;
  scheduler::current()->backend().cancel(*op);
}
}  // namespace

bool start_io(io_op& op, std::coroutine_handle<> h, cancel_slot* slot) {
  scheduler& s = scheduler::current_or_throw();
  op.result = 0;
  op.timed_out = false;
  op.cancel_requested = false;
  if (slot && slot->requested) {
    op.cancel_requested = true;
    op.result = -ECANCELED;
    op.state = op_state::done;
    return false;
  }
  op.waiter = h;
  op.slot = slot;
  op.on_cancel = &io_cancel_requested;
  if (op.deadline_ns && (!s.backend().native_deadlines() || s.paused_clock())) {
    if (op.deadline_ns <= s.now_ns()) {
      op.timed_out = true;
      op.result = -ECANCELED;
      op.state = op_state::done;
      return false;
    }
    op.deadline_timer.deadline = op.deadline_ns;
    op.deadline_timer.fire = &io_deadline_fired;
    op.deadline_timer.op = &op;
    s.add_timer(op.deadline_timer);
  }
  op.state = op_state::pending;
  if (slot) slot->install(&op);
  try {
    s.backend().submit(op);
  } catch (...) {
    if (slot) slot->remove(&op);
    s.remove_timer(op.deadline_timer);
    op.state = op_state::idle;
    throw;
  }
  ++s.stats().io_submitted;
  return true;
}

void abandon_io(io_op& op) noexcept {
  scheduler* s = scheduler::current();
  if (!s) {
    std::fputs("corio: an IO operation was destroyed while in flight, outside its runtime\n", stderr);
    std::terminate();
  }
  if (op.slot) op.slot->remove(&op);
  op.slot = nullptr;
  s->remove_timer(op.deadline_timer);
  op.waiter = std::noop_coroutine();  // its frame is going away: resume nothing
  op.cancel_requested = true;
  s->backend().cancel(op);
  while (op.state == op_state::pending) s->backend().wait(-1);
}

// ---- shutdown ----------------------------------------------------------------------------------

void scheduler::destroy_spawned(promise_base& p) noexcept {
  if (p.kind() == owner_kind::join_handle && p.owner_) static_cast<join_handle_base*>(p.owner_)->frame_ = nullptr;
  if (p.spawned()) --stats_.tasks_live;
  std::coroutine_handle<>::from_address(p.frame_).destroy();
}

void scheduler::shutdown() noexcept {
  current_guard g{this};
  shutting_down_ = true;
  blocking_.reset();  // queued jobs are dropped, running ones finish
  remote_head_.exchange(nullptr, std::memory_order_acquire);
  if (backend_) backend_->drain();
  ready_.clear();
  for (;;) {
    if (list_hook* h = live_.pop_front()) {
      destroy_spawned(promise_base::from_hook(*h));
      continue;
    }
    bool destroyed = false;
    groups_.for_each([&](list_hook& gh) {
      auto* gs = reinterpret_cast<group_state*>(reinterpret_cast<char*>(&gh) - offsetof(group_state, hook));
      if (list_hook* c = gs->children.pop_front()) {
        --gs->count;
        destroy_spawned(promise_base::from_hook(*c));
        destroyed = true;
      }
    });
    if (!destroyed) break;
  }
  groups_.for_each([](list_hook& gh) {
    auto* gs = reinterpret_cast<group_state*>(reinterpret_cast<char*>(&gh) - offsetof(group_state, hook));
    gs->sched = nullptr;
    gh.unlink();
  });
  // IO objects that outlive the runtime (held outside any task) are closed now, while the
  // backend exists; using them later fails with EBADF instead of touching a dead backend.
  while (list_hook* h = io_objects_.pop_front()) {
    auto* l = static_cast<io_object_link*>(h);
    l->orphan(l);
  }
  ready_.clear();
  while (!timers_.empty()) timers_.pop();  // nodes belonged to destroyed frames' awaiters: drop
}

scheduler::~scheduler() {
  shutdown();
  backend_.reset();
}

}  // namespace detail
}  // namespace corio

// ---- Asio interop (corio/asio.hpp) ----------------------------------------------------------------

namespace corio::detail {
void* native_backend_handle(scheduler& s) noexcept { return s.backend().native_handle(); }
void add_foreign_backend_ops(scheduler& s, std::ptrdiff_t delta) noexcept { s.backend().add_foreign_ops(delta); }
}  // namespace corio::detail
