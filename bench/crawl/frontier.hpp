// bench/crawl/frontier.hpp - the crawl frontier, shared by every execution model (threads, forked
// processes and coroutines alike): which URLs exist, in discovery order, each once.
//
// What it does: a crawl of at most `capacity` pages is `capacity` tasks; task i fetches slot i,
// the i-th distinct URL discovered. Slot 0 is the start URL (or, in list mode, every slot is
// filled up front). A task waits until its slot is filled (wait_blocking, or try_get plus the
// caller's own wake-up for coroutines), fetches it, extracts links, and calls complete(i, links):
// links not seen before fill the next free slots, under one lock; links beyond `capacity` distinct
// URLs are dropped (the crawl would never fetch them). When every filled slot has completed and
// no slot is left to fill, the crawl has ended: the slots that will never be filled are marked
// ended and their tasks return "no page".
//
// Why shared memory: process-per-task and process-pool children are fork()ed copies; the frontier
// is one MAP_SHARED mapping made before the run, so a child's discoveries are seen by everyone.
// Its lock is a process-shared robust pthread mutex; each slot has a 32-bit state word, and a
// blocking waiter sleeps on it with a futex (woken only for its own slot: no thundering herd when
// 10,000 threads or processes wait). Coroutine models wait on their own events instead
// (complete() returns the range of slots it filled, and whether the crawl ended).
//
// Ordering: a slot's URL bytes are written before its state is set (release); readers load the
// state (acquire) before reading them, and a filled slot never changes again.
//
// A stall guard: a blocking waiter whose slot is not filled while no task completes for
// `stall_limit` (the stall can only come from a task that died mid-fetch, e.g. a killed process)
// ends the crawl instead of waiting forever; stalled() then says so.
//
// Threads/processes: every member may be called from any thread of any process forked after
// construction. Construction and destruction: in the parent, with no task running.
// Cancellation: not applicable (blocking waits end at the stall limit at the latest).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <corio/http/url.hpp>

namespace corio_crawl {

// Counters kept in the shared mapping (every process adds to them).
struct crawl_counters {
  std::atomic<std::uint64_t> pages{0};          // responses received (any status)
  std::atomic<std::uint64_t> pages_2xx{0};
  std::atomic<std::uint64_t> http_errors{0};    // status >= 400
  std::atomic<std::uint64_t> redirected{0};     // responses reached through a redirect
  std::atomic<std::uint64_t> offsite_final{0};  // ... that ended on another host (links not followed)
  std::atomic<std::uint64_t> body_bytes{0};
  std::atomic<std::uint64_t> links{0};          // links extracted (after per-page de-duplication)
  std::atomic<std::uint64_t> links_offsite{0};  // ... on another host (not followed)
  std::atomic<std::uint64_t> links_new{0};      // ... that filled a slot
  std::atomic<std::uint64_t> links_dropped{0};  // ... new, but the frontier was full (or URL too long)
  std::atomic<std::uint64_t> extract_errors{0}; // pages whose HTML could not be parsed (html_too_deep)
  // Fetch failures by kind (corio::http::errc and errno classes).
  std::atomic<std::uint64_t> err_timeout{0}, err_reset{0}, err_refused{0}, err_truncated{0}, err_malformed{0},
      err_redirects{0}, err_no_fds{0}, err_other{0};
  std::atomic<std::uint64_t> no_page{0};        // tasks whose slot was never filled (crawl ended)
};

class frontier {
 public:
  // capacity: slots (the crawl's N). stall_limit: see the header comment.
  frontier(std::size_t capacity, std::chrono::milliseconds stall_limit);
  ~frontier();
  frontier(const frontier&) = delete;
  frontier& operator=(const frontier&) = delete;

  std::size_t capacity() const noexcept;

  // Fills the next slot with `u` if it is new; no parent. For the start URL or a list.
  bool seed(const corio::http::url& u);

  // Slot i: its URL once filled; nullopt while pending. `ended` is set when the slot will never
  // be filled. Never blocks.
  std::optional<std::string_view> try_get(std::size_t i, bool& ended) const noexcept;
  // Blocks until slot i is filled (its URL) or will never be (nullopt).
  std::optional<std::string_view> wait_blocking(std::size_t i);

  struct publish_result {
    std::size_t first = 0, last = 0;  // slots [first, last) were filled by this call
    bool ended = false;               // this call ended the crawl
  };
  // Task i finished (successfully or not); `links` are the same-host links of its page. Wakes
  // blocking waiters of the slots it fills (and of every unfilled slot if the crawl ends).
  publish_result complete(std::size_t i, std::span<const corio::http::url> links);

  // Slots filled so far, and slots completed.
  std::size_t filled() const noexcept;
  std::size_t completed() const noexcept;
  bool ended() const noexcept;
  bool stalled() const noexcept;
  // The slot that discovered slot i (SIZE_MAX for seeds).
  std::size_t parent_of(std::size_t i) const noexcept;
  // The URL of filled slot i (no check).
  std::string_view url_of(std::size_t i) const noexcept;

  crawl_counters& counters() noexcept;
  // The first fetch error's message (copied once into the shared mapping; "" when none).
  void note_error(std::string_view what) noexcept;
  std::string first_error() const;

 private:
  struct header;
  bool add_locked(std::string_view u, std::uint32_t parent);
  void lock() noexcept;
  void unlock() noexcept;
  void end_locked() noexcept;

  header* h_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace corio_crawl
