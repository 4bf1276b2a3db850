// The timer queue: a sorted FIFO run plus a 4-ary heap (corio/detail/timer_heap.hpp).
#include <corio/detail/timer_heap.hpp>

#include <cstdlib>
#include <new>

namespace corio::detail {

timer_heap::~timer_heap() { std::free(run_); }

// ---- run -----------------------------------------------------------------------------------------

void timer_heap::run_push(timer_node& n) {
  if (run_tail_ - run_head_ == run_cap_) {
    std::uint64_t ncap = run_cap_ ? run_cap_ * 2 : 1024;
    if (ncap > timer_node::run_bit) throw std::bad_alloc();
    auto* nrun = static_cast<entry*>(std::malloc(ncap * sizeof(entry)));
    if (!nrun) throw std::bad_alloc();
    // Sequence numbers are kept; only their slots move (slot = seq mod capacity).
    for (std::uint64_t s = run_head_; s != run_tail_; ++s) nrun[s & (ncap - 1)] = run_at(s);
    std::free(run_);
    run_ = nrun;
    run_cap_ = ncap;
  }
  std::uint64_t seq = run_tail_++;
  run_at(seq) = {n.deadline, &n};
  n.index = timer_node::run_bit | static_cast<std::uint32_t>(seq & (timer_node::run_bit - 1));
}

void timer_heap::run_trim() noexcept {
  while (run_head_ != run_tail_ && !run_at(run_head_).node) ++run_head_;
  while (run_head_ != run_tail_ && !run_at(run_tail_ - 1).node) --run_tail_;
}

// ---- queue ---------------------------------------------------------------------------------------

void timer_heap::push(timer_node& n) {
  if (run_head_ == run_tail_ || n.deadline >= run_at(run_tail_ - 1).deadline) {
    run_push(n);
  } else {
    heap_.push_back({n.deadline, &n});
    auto i = static_cast<std::uint32_t>(heap_.size() - 1);
    n.index = i;
    sift_up(i);
  }
  ++live_;
}

std::int64_t timer_heap::next_deadline() noexcept {
  // run_trim() keeps the run's front live, so both fronts are real timers.
  if (run_head_ == run_tail_) return heap_.front().deadline;
  std::int64_t r = run_at(run_head_).deadline;
  return heap_.empty() || r <= heap_.front().deadline ? r : heap_.front().deadline;
}

timer_node* timer_heap::pop() noexcept {
  timer_node* n;
  if (run_head_ != run_tail_ && (heap_.empty() || run_at(run_head_).deadline <= heap_.front().deadline)) {
    n = run_at(run_head_).node;
    ++run_head_;
    run_trim();
  } else {
    n = heap_.front().node;
    heap_erase(0);
  }
  n->index = timer_node::npos;
  --live_;
  return n;
}

void timer_heap::erase(timer_node& n) noexcept {
  if (n.index & timer_node::run_bit) {
    std::uint64_t stored = n.index & (timer_node::run_bit - 1);
    std::uint64_t seq = run_head_ + ((stored - run_head_) & (timer_node::run_bit - 1));
    run_at(seq).node = nullptr;
    run_trim();
  } else {
    heap_erase(n.index);
  }
  n.index = timer_node::npos;
  --live_;
}

// ---- heap ----------------------------------------------------------------------------------------

void timer_heap::heap_erase(std::uint32_t i) noexcept {
  entry last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;  // it was the last entry
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
