// The crawl frontier in shared memory (frontier.hpp).
//
// Layout of the one MAP_SHARED mapping (pointers stay valid in fork()ed children):
//   header | state[capacity] | off[capacity] | len[capacity] | parent[capacity] | table[tsize] | arena
// state[i] (futex word): 0 empty, 1 empty and a blocking waiter sleeps on it, 2 filled, 3 ended.
// table: open addressing, linear probing, entries slot+1 (0 = free), tsize a power of two >= 2 x
// capacity, so probes stay short. arena: URL bytes, appended; a URL longer than kMaxUrl or one
// that does not fit is dropped (counted).
#include "crawl/frontier.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>

namespace corio_crawl {
namespace {

constexpr std::uint32_t kEmpty = 0, kWaited = 1, kFilled = 2, kEnded = 3;
constexpr std::size_t kMaxUrl = 4096;

std::int64_t mono_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Shared (not FUTEX_PRIVATE): waiters and wakers may be different processes.
void futex_wait(std::atomic<std::uint32_t>* w, std::uint32_t expected, const timespec* timeout) noexcept {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(w), FUTEX_WAIT, expected, timeout, nullptr, 0);
}
void futex_wake_all(std::atomic<std::uint32_t>* w) noexcept {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(w), FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
}

std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::size_t round_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

static_assert(std::atomic<std::uint32_t>::is_always_lock_free && std::atomic<std::uint64_t>::is_always_lock_free,
              "the frontier's atomics must work across processes");

}  // namespace

struct frontier::header {
  pthread_mutex_t mu;
  std::uint32_t capacity = 0;
  std::uint32_t table_mask = 0;
  std::uint64_t arena_used = 0, arena_cap = 0;
  std::int64_t stall_ns = 0;
  std::atomic<std::uint32_t> filled{0};
  std::atomic<std::uint32_t> completed{0};
  std::atomic<int> ended{0};
  std::atomic<int> stalled{0};
  std::atomic<std::int64_t> last_progress_ns{0};
  crawl_counters counters;
  std::atomic<int> error_set{0};
  char first_error[256] = {};
  // Arrays, in the same mapping (set up by the constructor).
  std::atomic<std::uint32_t>* state = nullptr;
  std::uint64_t* off = nullptr;
  std::uint32_t* len = nullptr;
  std::uint32_t* parent = nullptr;
  std::uint32_t* table = nullptr;
  char* arena = nullptr;
};

frontier::frontier(std::size_t capacity, std::chrono::milliseconds stall_limit) {
  if (capacity == 0 || capacity > (std::size_t{1} << 28)) throw std::invalid_argument("frontier: capacity must be in 1..2^28");
  std::size_t tsize = 1;
  while (tsize < 2 * capacity) tsize <<= 1;
  const std::size_t arena_cap = capacity * 160 + 2 * kMaxUrl;
  std::size_t at = round_up(sizeof(header), 64);
  const std::size_t state_at = at;
  at = round_up(at + capacity * sizeof(std::uint32_t), 64);
  const std::size_t off_at = at;
  at = round_up(at + capacity * sizeof(std::uint64_t), 64);
  const std::size_t len_at = at;
  at = round_up(at + capacity * sizeof(std::uint32_t), 64);
  const std::size_t parent_at = at;
  at = round_up(at + capacity * sizeof(std::uint32_t), 64);
  const std::size_t table_at = at;
  at = round_up(at + tsize * sizeof(std::uint32_t), 64);
  const std::size_t arena_at = at;
  bytes_ = round_up(at + arena_cap, 4096);

  void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::system_category(), "frontier: mmap");
  auto* base = static_cast<char*>(p);
  h_ = new (base) header;
  h_->capacity = static_cast<std::uint32_t>(capacity);
  h_->table_mask = static_cast<std::uint32_t>(tsize - 1);
  h_->arena_cap = arena_cap;
  h_->stall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(stall_limit).count();
  h_->last_progress_ns.store(mono_ns());
  // A fresh anonymous mapping is zero-filled: state 0 (empty), table 0 (free).
  h_->state = reinterpret_cast<std::atomic<std::uint32_t>*>(base + state_at);
  for (std::size_t i = 0; i < capacity; ++i) new (&h_->state[i]) std::atomic<std::uint32_t>(kEmpty);
  h_->off = reinterpret_cast<std::uint64_t*>(base + off_at);
  h_->len = reinterpret_cast<std::uint32_t*>(base + len_at);
  h_->parent = reinterpret_cast<std::uint32_t*>(base + parent_at);
  h_->table = reinterpret_cast<std::uint32_t*>(base + table_at);
  h_->arena = base + arena_at;

  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  const int rc = pthread_mutex_init(&h_->mu, &a);
  pthread_mutexattr_destroy(&a);
  if (rc != 0) {
    ::munmap(p, bytes_);
    throw std::system_error(rc, std::system_category(), "frontier: pthread_mutex_init");
  }
}

frontier::~frontier() {
  pthread_mutex_destroy(&h_->mu);
  h_->~header();
  ::munmap(h_, bytes_);
}

void frontier::lock() noexcept {
  // Robust: a process that died holding the lock (killed mid-update) does not block the others.
  if (pthread_mutex_lock(&h_->mu) == EOWNERDEAD) pthread_mutex_consistent(&h_->mu);
}
void frontier::unlock() noexcept { pthread_mutex_unlock(&h_->mu); }

std::size_t frontier::capacity() const noexcept { return h_->capacity; }
std::size_t frontier::filled() const noexcept { return h_->filled.load(std::memory_order_acquire); }
std::size_t frontier::completed() const noexcept { return h_->completed.load(std::memory_order_acquire); }
bool frontier::ended() const noexcept { return h_->ended.load(std::memory_order_acquire) != 0; }
bool frontier::stalled() const noexcept { return h_->stalled.load(std::memory_order_acquire) != 0; }
crawl_counters& frontier::counters() noexcept { return h_->counters; }

std::size_t frontier::parent_of(std::size_t i) const noexcept {
  const std::uint32_t p = h_->parent[i];
  return p == UINT32_MAX ? SIZE_MAX : p;
}

std::string_view frontier::url_of(std::size_t i) const noexcept {
  return {h_->arena + h_->off[i], h_->len[i]};
}

bool frontier::add_locked(std::string_view u, std::uint32_t parent) {
  const std::uint64_t hash = fnv1a(u);
  std::uint32_t pos = static_cast<std::uint32_t>(hash) & h_->table_mask;
  for (;; pos = (pos + 1) & h_->table_mask) {
    const std::uint32_t e = h_->table[pos];
    if (e == 0) break;
    if (url_of(e - 1) == u) return false;  // seen
  }
  const std::uint32_t slot = h_->filled.load(std::memory_order_relaxed);
  if (slot >= h_->capacity || u.size() > kMaxUrl || h_->arena_used + u.size() > h_->arena_cap) {
    h_->counters.links_dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::memcpy(h_->arena + h_->arena_used, u.data(), u.size());
  h_->off[slot] = h_->arena_used;
  h_->len[slot] = static_cast<std::uint32_t>(u.size());
  h_->parent[slot] = parent;
  h_->arena_used += u.size();
  h_->table[pos] = slot + 1;
  h_->filled.store(slot + 1, std::memory_order_release);
  // Publish: the URL bytes above happen-before a reader's acquire load of kFilled.
  if (h_->state[slot].exchange(kFilled, std::memory_order_acq_rel) == kWaited) futex_wake_all(&h_->state[slot]);
  return true;
}

void frontier::end_locked() noexcept {
  h_->ended.store(1, std::memory_order_release);
  for (std::uint32_t j = h_->filled.load(std::memory_order_relaxed); j < h_->capacity; ++j) {
    if (h_->state[j].exchange(kEnded, std::memory_order_acq_rel) == kWaited) futex_wake_all(&h_->state[j]);
  }
}

bool frontier::seed(const corio::http::url& u) {
  lock();
  bool added = false;
  try {
    added = !ended() && add_locked(u.str(), UINT32_MAX);
  } catch (...) {
  }
  unlock();
  return added;
}

std::optional<std::string_view> frontier::try_get(std::size_t i, bool& ended_out) const noexcept {
  ended_out = false;
  if (i >= h_->capacity) {
    ended_out = true;
    return std::nullopt;
  }
  const std::uint32_t s = h_->state[i].load(std::memory_order_acquire);
  if (s == kFilled) return url_of(i);
  ended_out = s == kEnded;
  return std::nullopt;
}

std::optional<std::string_view> frontier::wait_blocking(std::size_t i) {
  if (i >= h_->capacity) return std::nullopt;
  std::atomic<std::uint32_t>& w = h_->state[i];
  for (;;) {
    std::uint32_t s = w.load(std::memory_order_acquire);
    if (s == kFilled) return url_of(i);
    if (s == kEnded) return std::nullopt;
    if (s == kEmpty && !w.compare_exchange_strong(s, kWaited, std::memory_order_acq_rel)) continue;
    const timespec one_second{1, 0};
    futex_wait(&w, kWaited, &one_second);
    if (w.load(std::memory_order_acquire) == kWaited &&
        mono_ns() - h_->last_progress_ns.load(std::memory_order_relaxed) > h_->stall_ns) {
      lock();
      if (!ended()) {
        h_->stalled.store(1, std::memory_order_release);
        end_locked();
      }
      unlock();
    }
  }
}

frontier::publish_result frontier::complete(std::size_t i, std::span<const corio::http::url> links) {
  publish_result r;
  lock();
  r.first = h_->filled.load(std::memory_order_relaxed);
  for (const corio::http::url& u : links) {
    if (ended()) break;  // stalled: nothing is filled any more
    if (add_locked(u.str(), static_cast<std::uint32_t>(i))) h_->counters.links_new.fetch_add(1, std::memory_order_relaxed);
  }
  r.last = h_->filled.load(std::memory_order_relaxed);
  const std::uint32_t done = h_->completed.fetch_add(1, std::memory_order_acq_rel) + 1;
  h_->last_progress_ns.store(mono_ns(), std::memory_order_relaxed);
  if (!ended() && done == r.last && r.last < h_->capacity) {
    end_locked();  // every filled slot is done, and only a task can fill one: nothing more will come
    r.ended = true;
  }
  unlock();
  return r;
}

void frontier::note_error(std::string_view what) noexcept {
  int expected = 0;
  if (!h_->error_set.compare_exchange_strong(expected, 1)) return;
  const std::size_t n = std::min(what.size(), sizeof h_->first_error - 1);
  std::memcpy(h_->first_error, what.data(), n);
  h_->first_error[n] = '\0';
  h_->error_set.store(2, std::memory_order_release);
}

std::string frontier::first_error() const {
  if (h_->error_set.load(std::memory_order_acquire) != 2) return {};
  return h_->first_error;
}

}  // namespace corio_crawl
