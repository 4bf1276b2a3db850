// The 4-ary timer heap (corio/detail/timer_heap.hpp).
#include <corio/detail/timer_heap.hpp>

namespace corio::detail {

void timer_heap::push(timer_node& n) {
  heap_.push_back({n.deadline, &n});
  auto i = static_cast<std::uint32_t>(heap_.size() - 1);
  n.index = i;
  sift_up(i);
}

timer_node* timer_heap::pop() noexcept {
  timer_node* n = heap_.front().node;
  n->index = timer_node::npos;
  entry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) {
    place(0, last);
    sift_down(0);
  }
  return n;
}

void timer_heap::erase(timer_node& n) noexcept {
  std::uint32_t i = n.index;
  n.index = timer_node::npos;
  entry last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;  // n was the last entry
  place(i, last);
  if (i > 0 && last.deadline < heap_[(i - 1) / 4].deadline) {
    sift_up(i);
  } else {
    sift_down(i);
  }
}

void timer_heap::sift_up(std::uint32_t i) noexcept {
  entry e = heap_[i];
  while (i > 0) {
    std::uint32_t parent = (i - 1) / 4;
    if (heap_[parent].deadline <= e.deadline) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void timer_heap::sift_down(std::uint32_t i) noexcept {
  const auto n = static_cast<std::uint32_t>(heap_.size());
  entry e = heap_[i];
  for (;;) {
    std::uint32_t first = 4 * i + 1;
    if (first >= n) break;
    std::uint32_t best = first;
    std::uint32_t end = first + 4 < n ? first + 4 : n;
    for (std::uint32_t c = first + 1; c < end; ++c)
      if (heap_[c].deadline < heap_[best].deadline) best = c;
    if (e.deadline <= heap_[best].deadline) break;
    place(i, heap_[best]);
    i = best;
  }
  place(i, e);
}

}  // namespace corio::detail
