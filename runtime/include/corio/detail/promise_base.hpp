// corio/detail/promise_base.hpp - the part of every corio::task promise that does not depend on T.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <type_traits>

#include <corio/detail/cancel_slot.hpp>
#include <corio/detail/config.hpp>
#include <corio/detail/frame_alloc.hpp>
#include <corio/detail/intrusive_list.hpp>
#include <corio/detail/trampoline.hpp>

namespace corio::detail {

class scheduler;
struct group_state;

// What owns a spawned task's frame besides the runtime (promise_base::owner_kind).
enum class owner_kind : std::uint8_t {
  none,         // an ordinary task, awaited by co_await (or driven by block_on)
  join_handle,  // spawned; owner_ points at the join_handle that will collect the result
  group,        // spawned into a task_group; owner_ points at its group_state
  detached,     // spawned and detached: the frame destroys itself when it finishes
};

class promise_base {
 public:
  // Frames come from the frame allocator (see frame_alloc.hpp).
  static void* operator new(std::size_t n) { return frame_allocate(n); }
  static void operator delete(void* p, std::size_t n) noexcept { frame_deallocate(p, n); }

  std::suspend_always initial_suspend() noexcept { return {}; }

  // Who resumes after this task finishes: the awaiting coroutine, or a join_handle's awaiter.
  std::coroutine_handle<> continuation_{};
  // The cancellation slot this task observes: own_cancel_ for a root, the awaiter's otherwise.
  cancel_slot* cancel_ = &own_cancel_;
  cancel_slot own_cancel_{};
  // Spawned tasks only: membership in the scheduler's live list or a group's child list.
  list_hook hook_{};
  void* frame_ = nullptr;  // the coroutine frame's address, to destroy it without knowing T
  void* owner_ = nullptr;

  // Spawned-task state, kept in spare bytes of own_cancel_ (see cancel_slot).
  owner_kind kind() const noexcept { return static_cast<owner_kind>(own_cancel_.owner_byte0); }
  void set_kind(owner_kind k) noexcept { own_cancel_.owner_byte0 = static_cast<std::uint8_t>(k); }
  bool spawned() const noexcept { return kind() != owner_kind::none; }
  bool done() const noexcept { return own_cancel_.owner_byte1 != 0; }
  void set_done() noexcept { own_cancel_.owner_byte1 = 1; }

  // Final-suspend path of a spawned task (spawn.cpp). `exc` is the task's exception, if any.
  std::coroutine_handle<> finish_spawned(std::coroutine_handle<> self, const std::exception_ptr* exc) noexcept;

  static promise_base& from_hook(list_hook& h) noexcept {
    return *reinterpret_cast<promise_base*>(reinterpret_cast<char*>(&h) - offsetof(promise_base, hook_));
  }
};

// The cancellation slot of the coroutine behind `h`, or nullptr for non-corio coroutines.
template <class P>
cancel_slot* slot_of(std::coroutine_handle<P> h) noexcept {
  if constexpr (std::is_base_of_v<promise_base, P>) {
    return h.promise().cancel_;
  } else {
    return nullptr;
  }
}

}  // namespace corio::detail
