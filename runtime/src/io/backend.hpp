// io/backend.hpp - the one internal contract between the scheduler and an IO backend.
//
// The scheduler never sees a file descriptor's readiness, an SQE or an Asio handler; it hands
// io_op objects (corio/detail/io_op.hpp) to a backend and is told, through scheduler::complete(),
// when each has finished. Two implementations: io/uring (liburing) and io/asio (standalone Asio).
//
// Blocking rules (what each call may do to the calling thread):
//   submit, cancel, attach_fd, detach_fd, poll   never block
//   wait                                          may block until a completion, wake() or deadline
//   wake                                          thread-safe, never blocks; the only call allowed
//                                                 from a thread other than the scheduler's
//   drain                                         blocks until no op is in flight (shutdown only)
// poll() may also be called from inside a running task: fd_handle::close (net/) calls it to hand
// cancellations to the kernel before it closes the fd, so that no queued request can run on a
// recycled fd number. That is safe because completing an op (scheduler::complete) only queues its
// coroutine; no coroutine runs inside poll().
//
// Completion rules:
//   - Every op given to submit() is completed exactly once, via scheduler::complete(op), from
//     inside poll(), wait() or drain() on the scheduler's thread; never from inside submit() or
//     cancel(). After complete(), the backend no longer touches the op or its buffer.
//   - op.result is the syscall's result: >= 0 on success, -errno on failure. A cancelled op
//     completes with -ECANCELED unless it completed first; an op whose deadline passed completes
//     with -ECANCELED and op.timed_out set.
#pragma once

#include <cstddef>
#include <cstdint>

#include <corio/detail/io_op.hpp>
#include <corio/detail/scheduler.hpp>

namespace corio::detail {

// The ops a backend has accepted and not completed, linked through io_op::next/prev: what
// in_flight() counts and what drain() cancels. O(1) insert and removal.
class in_flight_list {
 public:
  std::size_t size() const noexcept { return size_; }
  io_op* front() const noexcept { return head_; }
  void push(io_op& op) noexcept {
    op.prev = nullptr;
    op.next = head_;
    if (head_) head_->prev = &op;
    head_ = &op;
    ++size_;
  }
  void erase(io_op& op) noexcept {
    if (op.prev) op.prev->next = op.next; else head_ = op.next;
    if (op.next) op.next->prev = op.prev;
    op.next = op.prev = nullptr;
    --size_;
  }

 private:
  io_op* head_ = nullptr;
  std::size_t size_ = 0;
};

class io_backend {
 public:
  virtual ~io_backend() = default;

  virtual backend_kind kind() const noexcept = 0;

  // Queues `op` (state pending). The op must stay valid until it is completed.
  virtual void submit(io_op& op) = 0;
  // Asks for `op` to complete early. No-op if it has already completed.
  virtual void cancel(io_op& op) noexcept = 0;
  // Submits what is queued and completes what has finished, without blocking.
  virtual void poll() = 0;
  // Like poll(), but first blocks until something completes, wake() is called, or the steady clock
  // reaches deadline_ns (-1: no deadline).
  virtual void wait(std::int64_t deadline_ns) = 0;
  // Makes a concurrent or the next wait() return promptly. Thread-safe.
  virtual void wake() noexcept = 0;
  // Ops submitted and not yet completed.
  virtual std::size_t in_flight() const noexcept = 0;
  // Shutdown: cancels everything in flight and completes it (scheduler::complete only records the
  // result during shutdown). Blocks until nothing is in flight.
  virtual void drain() noexcept = 0;

  // Per-fd state for backends that need it (Asio's reactor registration). io_op::fd_state of an
  // op on `fd` must be the value attach_fd returned. nullptr is a valid state.
  // Before detach_fd, every op still pending on the fd must have been cancelled (cancel_requested
  // set, then cancel()): Asio aborts the waits of a descriptor it releases, and a wait that was not
  // cancelled would otherwise re-arm on the deleted descriptor. The ops still complete afterwards,
  // through scheduler::complete, as usual. The caller closes the fd after detach_fd.
  virtual void* attach_fd(int fd) = 0;
  virtual void detach_fd(int fd, void* state) noexcept = 0;

  // The backend's native object for interop (Asio: its asio::io_context*), or nullptr.
  virtual void* native_handle() noexcept { return nullptr; }
  // Asio operations started by user code on native_handle() (corio/asio.hpp): while any is
  // pending, poll() must run the native event loop even when no corio op is in flight.
  virtual void add_foreign_ops(std::ptrdiff_t) noexcept {}

  // True when the backend enforces io_op::deadline_ns itself (io_uring linked timeouts); else the
  // scheduler arms io_op::deadline_timer and cancels the op when it fires.
  virtual bool native_deadlines() const noexcept = 0;
};

}  // namespace corio::detail
