// corio/detail/intrusive_list.hpp - a minimal circular doubly-linked intrusive list.
//
// Nodes embed a list_hook; an unlinked hook points to nothing. The list never allocates and never
// owns its elements. Not thread-safe: used only on a runtime's own thread.
#pragma once

#include <cstddef>

namespace corio::detail {

struct list_hook {
  list_hook* prev = nullptr;
  list_hook* next = nullptr;
  bool linked() const noexcept { return next != nullptr; }
  void unlink() noexcept {
    if (!next) return;
    prev->next = next;
    next->prev = prev;
    prev = next = nullptr;
  }
};

class hook_list {
 public:
  hook_list() noexcept { head_.prev = head_.next = &head_; }
  hook_list(const hook_list&) = delete;
  hook_list& operator=(const hook_list&) = delete;

  bool empty() const noexcept { return head_.next == &head_; }
  void push_back(list_hook& h) noexcept {
    h.prev = head_.prev;
    h.next = &head_;
    head_.prev->next = &h;
    head_.prev = &h;
  }
  list_hook* front() noexcept { return empty() ? nullptr : head_.next; }
  list_hook* pop_front() noexcept {
    if (empty()) return nullptr;
    list_hook* h = head_.next;
    h->unlink();
    return h;
  }
  // Calls f(hook&) for each element; f may unlink the element it is given (only that one).
  template <class F>
  void for_each(F&& f) {
    for (list_hook* h = head_.next; h != &head_;) {
      list_hook* next = h->next;
      f(*h);
      h = next;
    }
  }

 private:
  list_hook head_;
};

}  // namespace corio::detail
