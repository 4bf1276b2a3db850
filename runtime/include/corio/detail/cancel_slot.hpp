// corio/detail/cancel_slot.hpp - the per-task cancellation slot.
//
// Model (a stop-token model specialised for coroutines): every root of a chain of awaits (a spawned
// task, the task given to block_on, each child of when_all/when_any/task_group, the inner operation
// of corio::timeout) owns one cancel_slot; tasks awaited with co_await share the slot of the task
// that awaits them. A chain is suspended at exactly one leaf awaiter at a time, so a slot holds at
// most one handler: the leaf that is currently suspended installs itself and removes itself when it
// resumes.
//
// State of a slot:
//   requested == false, handler == nullptr   running, or suspended on something not cancellable
//   requested == false, handler == h        suspended in h; request() will call h->on_cancel(h)
//   requested == true                        cancelled. Sticky: every cancellable await that starts
//                                            afterwards completes at once with operation_aborted.
// Invariant: a handler is removed (handler = nullptr) by whichever path wakes the awaiter first, the
// completion (timer fired, IO completed) or request(), so a suspended coroutine is resumed once.
// All of this runs on the runtime's thread; nothing here is atomic.
//
// Every cancellable awaiter goes through cancel_registration (below), which is the only code that
// installs and removes handlers: that is where the resumed-exactly-once invariant is kept.
#pragma once

#include <cstdint>
#include <utility>

namespace corio::detail {

struct cancel_handler {
  void (*on_cancel)(cancel_handler*) noexcept;
};

struct cancel_slot {
  cancel_handler* handler = nullptr;
  bool requested = false;
  // Two bytes of what would be padding, lent to the owner of the slot (promise_base keeps its
  // spawned-task state here, which keeps every task frame 8 bytes smaller).
  std::uint8_t owner_byte0 = 0;
  std::uint8_t owner_byte1 = 0;

  void request() noexcept {
    if (requested) return;
    requested = true;
    if (cancel_handler* h = std::exchange(handler, nullptr)) h->on_cancel(h);
  }
  void install(cancel_handler* h) noexcept { handler = h; }
  void remove(cancel_handler* h) noexcept {
    if (handler == h) handler = nullptr;
  }
};

// The promise type of every corio task derives from promise_base, which exposes its slot; for other
// coroutines slot_of() (promise_base.hpp) yields nullptr and nothing is cancellable.

// One awaiter's registration with the cancellation slot of the task it suspends. Used by every
// cancellable awaiter (sleep, IO, joins, combinators, sync waits, timeout, Asio interop):
//   arm(slot)   before suspending. false: the task is already cancelled, do not suspend (the
//               awaiter completes at once with operation_aborted); true: registered, and
//               on_cancel(this) will run at most once if the task is cancelled while suspended.
//   disarm()    on every other wake-up path (the timer fired, the IO completed, ...), before the
//               coroutine is scheduled; idempotent. The destructor disarms too (teardown).
// The slot removes the handler before it calls on_cancel, so whichever path comes first wins and
// the other finds nothing to do: the waiter is resumed exactly once. The awaiter derives from this
// type (or holds it as a member) and recovers itself in on_cancel with static_cast.
class cancel_registration : public cancel_handler {
 public:
  explicit cancel_registration(void (*fn)(cancel_handler*) noexcept) noexcept { on_cancel = fn; }
  // A registration is not copied with its awaiter: the copy starts unregistered.
  cancel_registration(const cancel_registration& o) noexcept { on_cancel = o.on_cancel; }
  cancel_registration& operator=(const cancel_registration&) = delete;
  ~cancel_registration() { disarm(); }

  [[nodiscard]] bool arm(cancel_slot* s) noexcept {
    slot_ = s;
    if (!s) return true;
    if (s->requested) return false;
    s->install(this);
    return true;
  }
  void disarm() noexcept {
    if (slot_) slot_->remove(this);
  }
  // The slot this awaiter observes (nullptr: not a corio task, or not armed yet).
  cancel_slot* slot() const noexcept { return slot_; }
  bool cancel_requested() const noexcept { return slot_ && slot_->requested; }

 private:
  cancel_slot* slot_ = nullptr;
};

}  // namespace corio::detail
