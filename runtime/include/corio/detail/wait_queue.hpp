// corio/detail/wait_queue.hpp - FIFO queue of suspended tasks, with cancellation, for corio::sync.
//
// A wait_node lives in the awaiter (the waiting frame). Life of a node:
//   enqueue(): linked, cancel handler installed (or refused at once if already cancelled)
//   then exactly one of:
//     wake_one()/wake_all(): unlinked, handler removed, waiter scheduled (aborted == false)
//     cancellation:          unlinked, waiter scheduled with aborted == true
//   or the frame is destroyed (runtime teardown): the destructor unlinks it.
// Single-threaded: all calls happen on the runtime's thread.
#pragma once

#include <coroutine>

#include <corio/detail/cancel_slot.hpp>
#include <corio/detail/intrusive_list.hpp>
#include <corio/detail/promise_base.hpp>
#include <corio/detail/scheduler.hpp>

namespace corio::detail {

struct wait_node : cancel_registration {
  struct owned_hook : list_hook {
    wait_node* owner;
  };
  owned_hook hook;
  std::coroutine_handle<> waiter;
  bool aborted = false;

  wait_node() noexcept : cancel_registration(&cancelled) { hook.owner = this; }
  // Awaiters are movable before they are awaited (e.g. into corio::timeout); a node is never
  // moved while enqueued, so a moved-to node simply starts fresh.
  wait_node(wait_node&&) noexcept : wait_node() {}
  wait_node(const wait_node&) = delete;
  wait_node& operator=(const wait_node&) = delete;
  ~wait_node() { hook.unlink(); }

  static wait_node& from_hook(list_hook& h) noexcept { return *static_cast<owned_hook&>(h).owner; }

 private:
  static void cancelled(cancel_handler* c) noexcept {
    auto* n = static_cast<wait_node*>(c);
    n->hook.unlink();
    n->aborted = true;
    scheduler::current()->schedule(n->waiter);
  }
};

class wait_queue {
 public:
  bool empty() const noexcept { return list_.empty(); }

  // Suspends coroutine `h` on `n`. Returns false (do not suspend, n.aborted set) if the waiting
  // task is already cancelled.
  template <class P>
  bool enqueue(wait_node& n, std::coroutine_handle<P> h) noexcept {
    if (!n.arm(slot_of(h))) {
      n.aborted = true;
      return false;
    }
    n.waiter = h;
    list_.push_back(n.hook);
    return true;
  }

  // Removes the longest-waiting node and schedules its task. Returns it, or nullptr if empty.
  wait_node* wake_one() noexcept {
    list_hook* h = list_.pop_front();
    if (!h) return nullptr;
    wait_node& n = wait_node::from_hook(*h);
    n.disarm();
    scheduler::current()->schedule(n.waiter);
    return &n;
  }
  // The longest-waiting node, without waking it.
  wait_node* front() noexcept {
    list_hook* h = list_.front();
    return h ? &wait_node::from_hook(*h) : nullptr;
  }
  void wake_all() noexcept {
    while (wake_one()) {
    }
  }

 private:
  hook_list list_;
};

}  // namespace corio::detail
