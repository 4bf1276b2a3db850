// Coroutine frame allocation (corio/detail/frame_alloc.hpp).
//
// Size classes are multiples of 16 bytes up to kMaxPooled. Each thread keeps one free list per
// class and bump-allocates new blocks from its current 64 KiB slab. A block freed on another thread
// goes to that thread's free list: blocks are plain memory with no owner, and slabs are never
// released (they are registered globally, so LeakSanitizer sees them as reachable), which makes
// cross-thread frees safe. When a thread exits, its free lists are moved to a global depot that
// other threads refill from before they carve new slabs.
#include <corio/detail/config.hpp>
#include <corio/detail/frame_alloc.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace corio::detail {
namespace {

constexpr std::size_t kGranule = 16;
constexpr std::size_t kMaxPooled = 1024;
constexpr std::size_t kClasses = kMaxPooled / kGranule;
constexpr std::size_t kSlab = 64 * 1024;

struct free_block {
  free_block* next;
};

std::atomic<std::size_t> g_slab_bytes{0};

struct depot {
  std::mutex mu;
  free_block* lists[kClasses] = {};
  std::vector<void*> slabs;  // never freed; keeps slab memory reachable
};
depot& global_depot() {
  static depot* d = new depot;  // intentionally immortal: threads may exit after static destruction
  return *d;
}

bool pool_enabled_at_start() {
#if !CORIO_FRAME_POOL_BUILD || CORIO_ASAN
  return false;
#else
  const char* e = std::getenv("CORIO_FRAME_POOL");
  return !(e && std::strcmp(e, "0") == 0);
#endif
}
const bool g_enabled = pool_enabled_at_start();

struct thread_pool {
  free_block* lists[kClasses] = {};
  char* bump = nullptr;
  std::size_t bump_left = 0;

  ~thread_pool() {
    depot& d = global_depot();
    std::lock_guard lk(d.mu);
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (free_block* b = lists[c]) {
        lists[c] = b->next;
        b->next = d.lists[c];
        d.lists[c] = b;
      }
    }
    // The unused tail of the current slab is abandoned (at most one slab per exited thread).
  }

  void* allocate(std::size_t cls) {
    if (free_block* b = lists[cls]) {
      lists[cls] = b->next;
      return b;
    }
    if (void* p = refill_from_depot(cls)) return p;
    std::size_t sz = (cls + 1) * kGranule;
    if (bump_left < sz) new_slab();
    void* p = bump;
    bump += sz;
    bump_left -= sz;
    return p;
  }

  void* refill_from_depot(std::size_t cls) {
    depot& d = global_depot();
    std::lock_guard lk(d.mu);
    free_block* b = d.lists[cls];
    if (!b) return nullptr;
    d.lists[cls] = b->next;
    return b;
  }

  void new_slab() {
    void* s = std::malloc(kSlab);
    if (!s) throw std::bad_alloc();
    {
      depot& d = global_depot();
      std::lock_guard lk(d.mu);
      d.slabs.push_back(s);
    }
    g_slab_bytes.fetch_add(kSlab, std::memory_order_relaxed);
    bump = static_cast<char*>(s);
    bump_left = kSlab;
  }
};

thread_pool& local_pool() {
  static thread_local thread_pool p;
  return p;
}

inline std::size_t class_of(std::size_t n) { return (n + kGranule - 1) / kGranule - 1; }

}  // namespace

void* frame_allocate(std::size_t n) {
  if (g_enabled && n <= kMaxPooled && n > 0) {
    return local_pool().allocate(class_of(n));
  }
  return ::operator new(n);
}

void frame_deallocate(void* p, std::size_t n) noexcept {
  if (!p) return;
  if (g_enabled && n <= kMaxPooled && n > 0) {
    auto* b = static_cast<free_block*>(p);
    thread_pool& tp = local_pool();
    std::size_t c = class_of(n);
    b->next = tp.lists[c];
    tp.lists[c] = b;
    return;
  }
  ::operator delete(p, n);
}

frame_pool_stats frame_pool_statistics() noexcept {
  return {g_slab_bytes.load(std::memory_order_relaxed)};
}

bool frame_pool_enabled() noexcept { return g_enabled; }

}  // namespace corio::detail
