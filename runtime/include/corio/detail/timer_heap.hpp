// corio/detail/timer_heap.hpp - the user-space timer queue.
//
// All of a runtime's timers (sleeps, corio::timeout, IO deadlines on the Asio backend) live here;
// the kernel only ever sees the nearest deadline, as the timeout of the runtime's wait. That keeps
// a pending timer at 16 bytes of queue entry plus the node embedded in the waiting coroutine's
// frame (no allocation, no kernel memory), where a kernel io_uring timeout would cost about 360
// bytes of kernel memory and one SQE each.
//
// Structure: two parts, and the earliest deadline is the smaller of their fronts.
//   run:  a FIFO ring of entries in non-decreasing deadline order. A timer whose deadline is not
//         earlier than the last one queued (the common case: many tasks sleeping for the same
//         duration, deadlines arriving in time order) is appended here in O(1) and popped in O(1),
//         touching memory sequentially. A cancelled entry becomes a tombstone, skipped when it
//         reaches the front.
//   heap: a 4-ary min-heap for every other timer, O(log n). The deadline is copied into the entry
//         so that sifting compares without touching the nodes; 4-ary rather than binary: half the
//         depth, and the four children share a cache line.
// Each node records where it is (run sequence number or heap index) so that cancellation is O(1)
// (run) or O(log n) (heap). Measured on a million timers: see docs/results.md (corio-bench timers).
#pragma once

#include <cstdint>
#include <vector>

namespace corio::detail {

struct timer_node {
  static constexpr std::uint32_t npos = 0xffffffffu;
  static constexpr std::uint32_t run_bit = 0x80000000u;  // index is a run sequence number
  std::int64_t deadline = 0;  // steady-clock nanoseconds (or paused-clock nanoseconds)
  void (*fire)(timer_node*) noexcept = nullptr;
  std::uint32_t index = npos; // where the node is queued, npos when not queued (last member:
                              // derived classes may use the tail padding)

  bool queued() const noexcept { return index != npos; }
};

class timer_heap {
 public:
  timer_heap() = default;
  timer_heap(const timer_heap&) = delete;
  timer_heap& operator=(const timer_heap&) = delete;
  ~timer_heap();

  bool empty() const noexcept { return live_ == 0; }
  std::size_t size() const noexcept { return live_; }
  // Earliest deadline; requires !empty().
  std::int64_t next_deadline() noexcept;

  void push(timer_node& n);
  void erase(timer_node& n) noexcept;
  timer_node* pop() noexcept;  // removes and returns the earliest node; requires !empty()

 private:
  struct entry {
    std::int64_t deadline;
    timer_node* node;  // nullptr: a cancelled run entry (tombstone)
  };

  // heap
  void sift_up(std::uint32_t i) noexcept;
  void sift_down(std::uint32_t i) noexcept;
  void place(std::uint32_t i, entry e) noexcept {
    heap_[i] = e;
    e.node->index = i;
  }
  void heap_erase(std::uint32_t i) noexcept;
  std::vector<entry> heap_;

  // run: a ring of run_cap_ (a power of two) entries, live between sequence numbers
  // run_head_ and run_tail_ (run_tail_ - run_head_ < run_bit, so 31 bits identify a live entry).
  entry& run_at(std::uint64_t seq) noexcept { return run_[seq & (run_cap_ - 1)]; }
  void run_push(timer_node& n);
  void run_trim() noexcept;  // drops tombstones from both ends
  entry* run_ = nullptr;
  std::uint64_t run_cap_ = 0;
  std::uint64_t run_head_ = 0;
  std::uint64_t run_tail_ = 0;

  std::size_t live_ = 0;
};

}  // namespace corio::detail
