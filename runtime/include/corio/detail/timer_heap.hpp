// corio/detail/timer_heap.hpp - the user-space timer queue.
//
// All of a runtime's timers (sleeps, corio::timeout, IO deadlines on the Asio backend) live here;
// the kernel only ever sees the nearest deadline, as the timeout of the runtime's wait. That keeps
// a pending timer at 16 bytes of heap entry plus the node embedded in the waiting coroutine's frame
// (no allocation, no kernel memory), where a kernel io_uring timeout would cost about 360 bytes of
// kernel memory and one SQE each.
//
// Structure: a 4-ary min-heap of (deadline, node*) entries. The deadline is copied into the entry so
// that sifting compares without touching the nodes; each node records its index so that a
// cancelled timer is removed in O(log n). 4-ary rather than binary: half the depth, and the four
// children share a cache line.
#pragma once

#include <cstdint>
#include <vector>

namespace corio::detail {

struct timer_node {
  static constexpr std::uint32_t npos = 0xffffffffu;
  std::int64_t deadline = 0;  // steady-clock nanoseconds (or paused-clock nanoseconds)
  void (*fire)(timer_node*) noexcept = nullptr;
  std::uint32_t index = npos; // position in the heap, npos when not queued (last: derived classes
                              // may use the tail padding)

  bool queued() const noexcept { return index != npos; }
};

class timer_heap {
 public:
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  std::int64_t next_deadline() const noexcept { return heap_.front().deadline; }
  timer_node* top() const noexcept { return heap_.front().node; }

  void push(timer_node& n);
  void erase(timer_node& n) noexcept;
  timer_node* pop() noexcept;  // removes and returns the earliest node

 private:
  struct entry {
    std::int64_t deadline;
    timer_node* node;
  };
  void sift_up(std::uint32_t i) noexcept;
  void sift_down(std::uint32_t i) noexcept;
  void place(std::uint32_t i, entry e) noexcept {
    heap_[i] = e;
    e.node->index = i;
  }
  std::vector<entry> heap_;
};

}  // namespace corio::detail
