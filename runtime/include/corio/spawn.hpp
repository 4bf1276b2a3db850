// corio/spawn.hpp - running tasks concurrently: spawn, join_handle, task_group.
//
// spawn(t) hands task t (or any awaitable, wrapped in a task) to the current runtime, which starts it on its next turn and runs it
// concurrently with the caller. No frame is allocated besides t's own.
//
// join_handle<T>: `co_await h` waits for the task and yields its value or rethrows its exception
// (once). Destroying the handle, or h.detach(), detaches the task: it keeps running and frees
// itself when it finishes; its exception, if any, goes to runtime_options::on_detached_exception.
// h.cancel() cancels the task: the operation it is suspended in (sleep, IO, ...) completes with
// errc::operation_aborted, and so does every cancellable operation it starts afterwards.
// Which thread resumes you: the runtime's thread. If the awaiting task is itself cancelled, the
// wait ends with operation_aborted; the awaited task goes on running, still owned by the handle.
// If the runtime is destroyed first, the task is destroyed with it and the handle becomes empty
// (awaiting it throws errc::runtime_stopped).
//
// task_group: structured concurrency. Children are spawned into the group; `co_await g.join()`
// returns only when every child has finished. The first child that fails with an exception other
// than cancellation cancels its siblings, and join() rethrows that exception. g.cancel() cancels all
// children. Destroying a group that still has children cancels them and lets them finish detached
// (like dropping a tokio JoinSet); await join() to wait for them instead.
#pragma once

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

#include <corio/detail/as_task.hpp>
#include <corio/detail/scheduler.hpp>
#include <corio/error.hpp>
#include <corio/runtime.hpp>
#include <corio/task.hpp>

namespace corio {

template <class T>
class join_handle;

namespace detail {

// Destroys or detaches the frame behind a join handle that is going away (spawn.cpp).
// `exc` is the task's exception if it has finished with one (reported as a detached failure).
void release_joined(promise_base& p, std::coroutine_handle<> h, const std::exception_ptr* exc) noexcept;

// The type-independent part of a join_handle: the scheduler empties it (frame_ = nullptr) when it
// destroys the task at shutdown. promise_base::owner_ points here while the handle exists.
class join_handle_base {
 protected:
  join_handle_base() noexcept = default;
  void* frame_ = nullptr;  // coroutine frame address, or nullptr
  friend class scheduler;
};

template <class T>
class join_awaiter final : cancel_registration {
 public:
  explicit join_awaiter(join_handle<T>& jh) noexcept : cancel_registration(&cancelled), jh_(jh) {}
  join_awaiter(join_awaiter&& o) noexcept : join_awaiter(o.jh_) {}  // before being awaited only
  join_awaiter(const join_awaiter&) = delete;
  bool await_ready() const noexcept { return !jh_.valid() || jh_.done(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    if (!arm(slot_of(h))) {
      aborted_ = true;
      return false;
    }
    waiter_ = h;
    jh_.handle().promise().continuation_ = h;
    return true;
  }
  T await_resume() {
    disarm();
    if (aborted_) throw_error(errc::operation_aborted, "join_handle wait");
    return jh_.take();
  }

 private:
  static void cancelled(cancel_handler* self) noexcept {
    auto* a = static_cast<join_awaiter*>(self);
    a->aborted_ = true;
    a->jh_.handle().promise().continuation_ = nullptr;
    scheduler::current()->schedule(a->waiter_);
  }
  join_handle<T>& jh_;
  std::coroutine_handle<> waiter_;
  bool aborted_ = false;
};

}  // namespace detail

template <class T>
class [[nodiscard("dropping a join_handle detaches the task; call .detach() to say so")]] join_handle
    : detail::join_handle_base {
 public:
  using handle_type = std::coroutine_handle<detail::task_promise<T>>;

  join_handle() noexcept = default;
  explicit join_handle(handle_type h) noexcept { adopt(h); }
  join_handle(join_handle&& o) noexcept { adopt(o.steal()); }
  join_handle& operator=(join_handle&& o) noexcept {
    if (this != &o) {
      release();
      adopt(o.steal());
    }
    return *this;
  }
  ~join_handle() { release(); }

  bool valid() const noexcept { return frame_ != nullptr; }
  // True once the task has finished (its result is ready to be taken).
  bool done() const noexcept { return frame_ && handle().promise().done(); }
  // Requests cancellation of the task (see the header comment). Idempotent.
  void cancel() noexcept {
    if (frame_) handle().promise().own_cancel_.request();
  }
  // Lets the task run on its own; the handle becomes empty.
  void detach() noexcept { release(); }

  detail::join_awaiter<T> operator co_await() noexcept { return detail::join_awaiter<T>{*this}; }

 private:
  friend class detail::join_awaiter<T>;

  handle_type handle() const noexcept { return handle_type::from_address(frame_); }
  void adopt(handle_type h) noexcept {
    frame_ = h ? h.address() : nullptr;
    if (h) h.promise().owner_ = static_cast<detail::join_handle_base*>(this);
  }
  handle_type steal() noexcept {
    handle_type h = frame_ ? handle() : handle_type{};
    frame_ = nullptr;
    return h;
  }
  T take() {
    if (!frame_) throw_error(errc::runtime_stopped, "join_handle: the task's runtime is gone");
    handle_type h = steal();
    struct destroy_frame {
      handle_type h;
      ~destroy_frame() { h.destroy(); }
    } guard{h};
    return h.promise().take_result();
  }
  void release() noexcept {
    if (frame_) {
      handle_type h = steal();
      detail::release_joined(h.promise(), h, h.promise().done() ? h.promise().exception_if_any() : nullptr);
    }
  }
};

// Starts `t` concurrently on the current runtime. Throws errc::not_in_runtime outside one.
template <class T>
join_handle<T> spawn(task<T> t) {
  if (!t.valid()) throw_error(errc::invalid_argument, "spawn: empty task");
  detail::scheduler& s = detail::scheduler::current_or_throw();
  auto h = t.release();
  join_handle<T> jh{h};
  s.spawn(h.promise(), h, detail::owner_kind::join_handle, h.promise().owner_);
  return jh;
}

// Any other awaitable (a sleep, an IO operation, ...) runs inside a small task of its own
// (detail/as_task.hpp): `spawn(sleep_for(1s))`, `spawn(s.read_some(buf))`. Whatever it borrows
// must outlive it.
template <class A>
  requires(!detail::is_task<std::remove_cvref_t<A>>::value)
auto spawn(A&& a) {
  return spawn(detail::to_task(std::forward<A>(a)));
}

template <class A>
auto runtime::spawn(A&& a) {
  detail::scheduler::current_guard g{sched_.get()};
  return corio::spawn(std::forward<A>(a));
}

namespace detail {

// The shared state of a task_group; its hook is its place in the scheduler's group list.
struct group_state : list_hook {
  hook_list children;
  std::size_t count = 0;
  scheduler* sched = nullptr;
  std::coroutine_handle<> joiner;
  std::exception_ptr first_error;
  bool cancelled = false;

  void child_finished(promise_base& p, const std::exception_ptr* exc) noexcept;  // spawn.cpp
  void cancel_all() noexcept;
  static group_state& from_hook(list_hook& h) noexcept { return static_cast<group_state&>(h); }
};

class group_join_awaiter final : cancel_registration {
 public:
  explicit group_join_awaiter(group_state& g) noexcept : cancel_registration(&cancelled), g_(g) {}
  group_join_awaiter(group_join_awaiter&& o) noexcept : group_join_awaiter(o.g_) {}  // before being awaited only
  group_join_awaiter(const group_join_awaiter&) = delete;
  ~group_join_awaiter() {
    if (g_.joiner == waiter_) g_.joiner = nullptr;
  }
  bool await_ready() const noexcept { return g_.count == 0; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    if (g_.joiner) throw_error(errc::invalid_argument, "task_group::join: another task is already joining this group");
    waiter_ = h;
    g_.joiner = h;
    // Cancelled already: cancel the children and wait for them all the same.
    if (!arm(slot_of(h))) g_.cancel_all();
    return true;
  }
  void await_resume();  // spawn.cpp

 private:
  static void cancelled(cancel_handler* self) noexcept {
    static_cast<group_join_awaiter*>(self)->g_.cancel_all();
  }
  group_state& g_;
  std::coroutine_handle<> waiter_;
};

}  // namespace detail

class task_group {
 public:
  // Binds the group to the current runtime (throws errc::not_in_runtime outside one).
  task_group();
  ~task_group();
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;

  // Starts `t` as a child of the group. Its value is discarded; an exception fails the group.
  // A child spawned after cancel() starts cancelled. Any awaitable is accepted (it runs inside a
  // small task of its own, see corio::spawn).
  template <class A>
    requires(!detail::is_task<std::remove_cvref_t<A>>::value)
  void spawn(A&& a) {
    spawn(detail::to_task(std::forward<A>(a)));
  }
  template <class T>
  void spawn(task<T> t) {
    if (!t.valid()) throw_error(errc::invalid_argument, "task_group::spawn: empty task");
    if (!st_.sched) throw_error(errc::runtime_stopped, "task_group::spawn");
    auto h = t.release();
    auto& p = h.promise();
    if (st_.cancelled) p.own_cancel_.request();
    ++st_.count;
    st_.sched->spawn(p, h, detail::owner_kind::group, &st_);
  }
  // Cancels every child (and children spawned later).
  void cancel() noexcept { st_.cancel_all(); }
  // Children that have not finished.
  std::size_t size() const noexcept { return st_.count; }
  // Waits until every child has finished. Rethrows the first child failure (other than
  // cancellation); throws operation_aborted if the waiting task was cancelled. One task at a time
  // may join a group (a second concurrent join throws errc::invalid_argument).
  detail::group_join_awaiter join() noexcept { return detail::group_join_awaiter{st_}; }

 private:
  detail::group_state st_;
};

}  // namespace corio
