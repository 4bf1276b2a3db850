// The IO driver (io/driver.hpp): starting, abandoning and finishing operations.
#include "io/driver.hpp"

#include <cerrno>
#include <cstdio>
#include <exception>

#include <corio/error.hpp>

namespace corio::detail {

namespace {
thread_local io_driver* t_current = nullptr;

void io_cancel_requested(cancel_handler* c) noexcept {
  auto* op = static_cast<io_op*>(c);
  op->cancel_requested = true;
  io_driver::current()->backend().cancel(*op);
}
void io_deadline_fired(timer_node* n) noexcept {
  io_op* op = static_cast<io_deadline_timer*>(n)->op;
  op->timed_out = true;
  io_driver::current()->backend().cancel(*op);
}
}  // namespace

io_op::io_op() noexcept : cancel_registration(&io_cancel_requested) {}
io_op::io_op(const io_op& o) noexcept : io_op() {
  code = o.code;
  fd = o.fd;
  flags = o.flags;
  buf = o.buf;
  len = o.len;
  offset = o.offset;
  addr = o.addr;
  addrlen = o.addrlen;
  deadline_ns = o.deadline_ns;
  result = o.result;
  fd_state = o.fd_state;
}

io_driver::io_driver(std::unique_ptr<io_backend> backend, timer_heap& timers, const runtime_clock& clock,
                     runtime_stats& stats) noexcept
    : backend_(std::move(backend)), timers_(timers), clock_(clock), stats_(stats) {}

io_driver::~io_driver() = default;

io_driver* io_driver::current() noexcept { return t_current; }
void io_driver::set_current(io_driver* d) noexcept { t_current = d; }
io_driver& io_driver::current_or_throw() {
  if (io_driver* d = t_current) return *d;
  throw_error(errc::not_in_runtime, "this operation needs a running corio runtime");
}

bool start_io(io_op& op, std::coroutine_handle<> h, cancel_slot* slot) {
  return io_driver::current_or_throw().start(op, h, slot);
}

void abandon_io(io_op& op) noexcept {
  io_driver* d = io_driver::current();
  if (!d) {
    std::fputs("corio: an IO operation was destroyed while in flight, outside its runtime\n", stderr);
    std::terminate();
  }
  d->abandon(op);
}

bool io_driver::start(io_op& op, std::coroutine_handle<> h, cancel_slot* slot) {
  op.result = 0;
  op.timed_out = false;
  op.cancel_requested = false;
  if (!op.arm(slot)) {
    op.cancel_requested = true;
    op.result = -ECANCELED;
    return false;
  }
  // A deadline already past fails at once on every backend (io_uring would otherwise let an
  // operation that completes inline, such as a cached file read, succeed).
  if (op.deadline_ns != 0 && op.deadline_ns <= clock_.now_ns()) {
    op.disarm();
    op.timed_out = true;
    op.result = -ECANCELED;
    return false;
  }
  op.waiter = h;
  // A paused clock is the runtime's, not the kernel's: its deadlines live in the timer queue too.
  if (op.deadline_ns && (!backend_->native_deadlines() || clock_.paused)) {
    op.deadline_timer.deadline = op.deadline_ns;
    op.deadline_timer.fire = &io_deadline_fired;
    op.deadline_timer.op = &op;
    try {
      timers_.push(op.deadline_timer);
    } catch (...) {
      op.disarm();
      throw;
    }
  }
  op.state = op_state::pending;
  try {
    backend_->submit(op);
  } catch (...) {
    op.disarm();
    if (op.deadline_timer.queued()) timers_.erase(op.deadline_timer);
    op.state = op_state::idle;
    throw;
  }
  ++stats_.io_submitted;
  return true;
}

void io_driver::finish(io_op& op) noexcept {
  op.state = op_state::idle;
  ++stats_.io_completed;
  if (op.deadline_timer.queued()) timers_.erase(op.deadline_timer);
  op.disarm();
}

std::coroutine_handle<> io_driver::pop_completed() noexcept {
  io_op* op = completed_.pop();
  if (!op) return nullptr;
  finish(*op);
  return op->waiter;
}

void io_driver::abandon(io_op& op) noexcept {
  op.disarm();
  if (op.deadline_timer.queued()) timers_.erase(op.deadline_timer);
  op.waiter = std::noop_coroutine();  // its frame is going away: resume nothing
  op.cancel_requested = true;
  backend_->cancel(op);
  try {
    while (op.state == op_state::pending) backend_->wait(-1, completed_);
    // Done: in the completed list, or still parked inside the backend (completed during a
    // submit), which the next poll hands back.
    if (!completed_.erase(op)) {
      backend_->poll(completed_);
      completed_.erase(op);
    }
  } catch (...) {
    // A broken ring: nothing more can be learnt about the op; its memory must not be reused
    // while the kernel may still write to it.
    std::fputs("corio: the IO backend failed while an operation was being abandoned\n", stderr);
    std::terminate();
  }
  // Other ops completed meanwhile stay queued for the scheduler.
  op.state = op_state::idle;
  ++stats_.io_completed;
}

void io_driver::drain() noexcept {
  backend_->drain(completed_);
  while (io_op* op = completed_.pop()) finish(*op);
}

void io_driver::close_orphans() noexcept {
  while (list_hook* h = objects_.pop_front()) {
    auto* l = static_cast<io_object_link*>(h);
    l->orphan(l);
  }
}

}  // namespace corio::detail
