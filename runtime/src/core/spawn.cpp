// Spawned tasks: start, finish, join handles and task groups (corio/spawn.hpp), and their side of
// the runtime's teardown (destroying unfinished frames, unbinding groups).
#include <corio/spawn.hpp>

#include <utility>

namespace corio::detail {

void scheduler::spawn(promise_base& p, std::coroutine_handle<> h, owner_kind kind, void* owner) {
  schedule(h);  // the only step that can fail (bad_alloc); nothing is linked yet if it does
  p.frame_ = h.address();
  p.set_kind(kind);
  p.owner_ = owner;
  p.continuation_ = nullptr;
  p.cancel_ = &p.own_cancel_;
  if (kind == owner_kind::group) {
    static_cast<group_state*>(owner)->children.push_back(p.hook_);
  } else {
    live_.push_back(p.hook_);
  }
  ++stats_.tasks_spawned;
  ++stats_.tasks_live;
}

void scheduler::adopt(promise_base& p, std::coroutine_handle<> h) noexcept {
  p.frame_ = h.address();
  p.set_kind(owner_kind::detached);
  p.owner_ = nullptr;
  p.continuation_ = nullptr;
  live_.push_back(p.hook_);
  ++stats_.tasks_live;
}

std::coroutine_handle<> promise_base::finish_spawned(std::coroutine_handle<> self, const std::exception_ptr* exc) noexcept {
  set_done();
  hook_.unlink();
  scheduler* s = scheduler::current();
  s->on_spawned_finished();
  switch (kind()) {
    case owner_kind::join_handle:
      if (continuation_) return transfer_to(std::exchange(continuation_, nullptr));
      return std::noop_coroutine();
    case owner_kind::group: {
      auto* g = static_cast<group_state*>(owner_);
      g->child_finished(*this, exc);
      self.destroy();
      return std::noop_coroutine();
    }
    case owner_kind::detached:
    case owner_kind::none:
      if (exc && !is_cancellation(*exc)) s->report_detached_failure(*exc);
      self.destroy();
      return std::noop_coroutine();
  }
  return std::noop_coroutine();
}

void release_joined(promise_base& p, std::coroutine_handle<> h, const std::exception_ptr* exc) noexcept {
  if (!p.spawned() || p.done()) {
    if (exc && p.spawned() && !is_cancellation(*exc)) {
      if (scheduler* s = scheduler::current()) s->report_detached_failure(*exc);
    }
    h.destroy();
    return;
  }
  p.set_kind(owner_kind::detached);
  p.owner_ = nullptr;
  p.continuation_ = nullptr;
}

void group_state::child_finished(promise_base&, const std::exception_ptr* exc) noexcept {
  --count;
  if (exc && !first_error && !is_cancellation(*exc)) {
    first_error = *exc;
    cancel_all();
  }
  if (count == 0 && joiner) sched->schedule(std::exchange(joiner, nullptr));
}

void group_state::cancel_all() noexcept {
  cancelled = true;
  children.for_each([](list_hook& h) { promise_base::from_hook(h).own_cancel_.request(); });
}

void group_join_awaiter::await_resume() {
  disarm();
  if (g_.joiner == waiter_) g_.joiner = nullptr;
  if (g_.first_error) std::rethrow_exception(std::exchange(g_.first_error, nullptr));
  if (cancel_requested()) throw_error(errc::operation_aborted, "task_group::join");
}

void scheduler::destroy_spawned(promise_base& p) noexcept {
  if (p.kind() == owner_kind::join_handle && p.owner_) static_cast<join_handle_base*>(p.owner_)->frame_ = nullptr;
  if (p.spawned()) --stats_.tasks_live;
  std::coroutine_handle<>::from_address(p.frame_).destroy();
}

bool destroy_group_children(hook_list& groups, scheduler& s) noexcept {
  bool destroyed = false;
  groups.for_each([&](list_hook& gh) {
    group_state& gs = group_state::from_hook(gh);
    if (list_hook* c = gs.children.pop_front()) {
      --gs.count;
      s.destroy_spawned(promise_base::from_hook(*c));
      destroyed = true;
    }
  });
  return destroyed;
}

void unbind_groups(hook_list& groups) noexcept {
  while (list_hook* gh = groups.pop_front()) group_state::from_hook(*gh).sched = nullptr;
}

}  // namespace corio::detail

namespace corio {

task_group::task_group() {
  st_.sched = &detail::scheduler::current_or_throw();
  st_.sched->link_group(st_);
}

task_group::~task_group() {
  if (!st_.sched) return;  // the runtime is gone and has destroyed the children
  if (st_.count > 0) {
    st_.cancel_all();
    while (detail::list_hook* h = st_.children.pop_front()) {
      auto& p = detail::promise_base::from_hook(*h);
      p.set_kind(detail::owner_kind::detached);
      p.owner_ = nullptr;
      st_.sched->adopt_detached(p);
    }
  }
  st_.unlink();
}

}  // namespace corio
