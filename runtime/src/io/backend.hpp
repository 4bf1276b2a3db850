// io/backend.hpp - the one internal contract between the IO driver and an IO backend.
//
// A backend is handed io_op objects (corio/io/detail/op.hpp) and hands them back, completed, in an
// op_queue that the caller passes to poll(), wait() or drain() (the shape of Asio's
// scheduler_task::run(usec, op_queue&)). It never calls into the scheduler or resumes a coroutine:
// the scheduler takes the queue from the IO driver (io/driver.hpp) and resumes the waiters. Two
// implementations: io/uring (liburing) and io/asio (standalone Asio).
//
// Blocking rules (what each call may do to the calling thread):
//   submit, cancel, attach_fd, detach_fd, poll   never block
//   wait                                          may block until a completion, wake() or deadline
//   wake                                          thread-safe, never blocks; the only call allowed
//                                                 from a thread other than the runtime's
//   drain                                         blocks until no op is in flight (shutdown only)
// poll() may also be called from inside a running task: fd_handle::close calls it to hand
// cancellations to the kernel before it closes the fd, so that no queued request can run on a
// recycled fd number. That is safe because poll() only moves completed ops into a queue.
//
// Completion rules:
//   - Every op given to submit() is completed exactly once: its result is set, its state becomes
//     done (complete() below) and it is appended to the queue of a later poll(), wait() or
//     drain() call, on the runtime's thread. submit() and cancel() never complete an op, even when
//     the submission queue is full or the syscall could run at once: what they learn is held
//     back for the next poll(). After an op is handed back, the backend no longer touches it or
//     its buffer.
//   - op.result is the syscall's result: >= 0 on success, -errno on failure. A cancelled op
//     completes with -ECANCELED unless it completed first; an op whose deadline passed completes
//     with -ECANCELED and op.timed_out set.
#pragma once

#include <cstddef>
#include <cstdint>

#include <corio/io/detail/op.hpp>
#include <corio/runtime.hpp>

namespace corio::detail {

// A FIFO of completed ops, linked through io_op::next (an op is in at most one queue, and only
// after it has left the backend's in-flight list).
class op_queue {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  void push(io_op& op) noexcept {
    op.next = nullptr;
    if (tail_) tail_->next = &op; else head_ = &op;
    tail_ = &op;
  }
  io_op* pop() noexcept {
    io_op* op = head_;
    if (op) {
      head_ = op->next;
      if (!head_) tail_ = nullptr;
      op->next = nullptr;
    }
    return op;
  }
  // Moves every op of `o` to the back of this queue.
  void splice(op_queue& o) noexcept {
    if (o.empty()) return;
    if (tail_) tail_->next = o.head_; else head_ = o.head_;
    tail_ = o.tail_;
    o.head_ = o.tail_ = nullptr;
  }
  // Removes `op` if it is queued (O(n): teardown only). Returns whether it was.
  bool erase(io_op& op) noexcept {
    io_op* prev = nullptr;
    for (io_op* p = head_; p; prev = p, p = p->next) {
      if (p != &op) continue;
      if (prev) prev->next = p->next; else head_ = p->next;
      if (tail_ == p) tail_ = prev;
      p->next = nullptr;
      return true;
    }
    return false;
  }

 private:
  io_op* head_ = nullptr;
  io_op* tail_ = nullptr;
};

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

  // Accepts `op` (state pending). The op must stay valid until it is handed back. May throw
  // (out of memory, a broken ring); then the op was not accepted.
  virtual void submit(io_op& op) = 0;
  // Asks for `op` to complete early. No-op if it has already completed.
  virtual void cancel(io_op& op) noexcept = 0;
  // Submits what is queued and hands back what has finished, without blocking.
  virtual void poll(op_queue& done) = 0;
  // Like poll(), but first blocks until something completes, wake() is called, or the steady clock
  // reaches deadline_ns (-1: no deadline).
  virtual void wait(std::int64_t deadline_ns, op_queue& done) = 0;
  // Makes a concurrent or the next wait() return promptly. Thread-safe.
  virtual void wake() noexcept = 0;
  // Ops submitted and not yet handed back.
  virtual std::size_t in_flight() const noexcept = 0;
  // Shutdown: cancels everything in flight and hands it back. Blocks until nothing is in flight.
  virtual void drain(op_queue& done) noexcept = 0;

  // Per-fd state for backends that need it (Asio's reactor registration). io_op::fd_state of an
  // op on `fd` must be the value attach_fd returned. nullptr is a valid state.
  // Before detach_fd, every op still pending on the fd must have been cancelled (cancel_requested
  // set, then cancel()): Asio aborts the waits of a descriptor it releases, and a wait that was not
  // cancelled would otherwise re-arm on the deleted descriptor. The ops are still handed back
  // afterwards, as usual. The caller closes the fd after detach_fd.
  virtual void* attach_fd(int fd) = 0;
  virtual void detach_fd(int fd, void* state) noexcept = 0;

  // True when the backend enforces io_op::deadline_ns itself (io_uring linked timeouts); else the
  // IO driver arms io_op::deadline_timer in the runtime's timer queue and cancels the op when it
  // fires.
  virtual bool native_deadlines() const noexcept = 0;

 protected:
  // Marks `op` completed with `result` and queues it for handing back.
  static void complete(io_op& op, std::int32_t result, op_queue& q) noexcept {
    op.result = result;
    op.state = op_state::done;
    q.push(op);
  }
};

}  // namespace corio::detail
