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

}  // namespace corio::detail
