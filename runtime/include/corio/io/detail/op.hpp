// corio/io/detail/op.hpp - one IO operation, as the backends see it, and the awaiter that runs it.
// Internal: use the classes of corio/net and corio/fs.
//
// An io_op lives inside the awaiting coroutine's frame (no allocation). Its states:
//   idle     not with the backend: never started, completed at once by start_io (already
//            cancelled, deadline passed), or finished;
//   pending  the backend has it (submitted, in flight);
//   done     the backend has completed it and handed it back (or holds it for the next poll),
//            and the driver has not finished it yet.
//   idle --start_io--> pending --backend completes it--> done --driver finishes it--> idle, and
//   the waiting coroutine is resumed (scheduler::resume_completed).
//   cancel: backend.cancel(op); the op still completes, with -ECANCELED. deadline: io_uring links
//   a timeout SQE; otherwise the runtime's timer queue cancels the op when the deadline passes.
// An awaiter destroyed while its op is not idle (runtime teardown) abandons it (abandon_io): the
// op is cancelled, waited for and unlinked from every queue before its memory goes.
// The waiting coroutine is resumed exactly once, after the backend has stopped touching the op and
// its buffer. The buffer must stay valid until then (it always does for buffers owned by the
// awaiting frame).
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>

#include <corio/detail/cancel_slot.hpp>
#include <corio/detail/promise_base.hpp>
#include <corio/detail/timer_heap.hpp>

namespace corio::detail {

// What an op asks the backend to do. Every code here is submitted by corio (or its benchmarks);
// io_uring's probe derives the opcodes it needs from this list (io/uring/uring_backend.cpp).
enum class op_code : std::uint8_t {
  nop,       // completes with 0 (tests the completion path)
  read,      // read(fd, buf, len) on a pollable fd (pipes)
  recv,      // recv(fd, buf, len, flags)
  send,      // send(fd, buf, len, flags | MSG_NOSIGNAL)
  read_at,   // pread(fd, buf, len, offset)
  write_at,  // pwrite(fd, buf, len, offset)
  accept,    // accept4(fd, addr, addrlen, flags)
  connect,   // connect(fd, addr, addrlen = len) (corio-bench connect compares it with connect(2))
  recvmsg,   // recvmsg(fd, (msghdr*)addr, flags)
  sendmsg,   // sendmsg(fd, (msghdr*)addr, flags | MSG_NOSIGNAL)
  fsync,     // fsync(fd) / fdatasync when flags != 0
  openat,    // openat(AT_FDCWD, (const char*)addr, flags, mode = len)
  poll,      // wait until fd is ready for `flags` (POLLIN / POLLOUT); result = revents
};
inline constexpr std::size_t op_code_count = static_cast<std::size_t>(op_code::poll) + 1;

enum class op_state : std::uint8_t { idle, pending, done };

// Operations take at most this many bytes per request (io_op::len is 32-bit; 1 GiB keeps the
// result a positive int32).
inline constexpr std::size_t max_io_chunk = std::size_t{1} << 30;

struct io_op;
// The deadline timer of an op on a backend without native deadlines; knows its op.
struct io_deadline_timer : timer_node {
  io_op* op = nullptr;
};

struct io_op : cancel_registration {
  io_op() noexcept;
  io_op(const io_op& o) noexcept;  // copies the request (not its state): before start_io only
  io_op& operator=(const io_op&) = delete;

  op_code code = op_code::nop;
  op_state state = op_state::idle;
  bool timed_out = false;         // the deadline expired before the op completed
  bool cancel_requested = false;  // cancel() was called (by cancellation, or the deadline)
  int fd = -1;
  unsigned flags = 0;
  void* buf = nullptr;
  std::uint32_t len = 0;
  std::uint64_t offset = 0;
  void* addr = nullptr;           // sockaddr*, msghdr* or path, by op_code
  std::uint32_t* addrlen = nullptr;  // socklen_t* for accept (socklen_t is a 32-bit unsigned)
  std::int64_t deadline_ns = 0;   // absolute, steady clock; 0 = none
  std::int32_t result = 0;        // >= 0: the syscall's value; < 0: -errno
  std::coroutine_handle<> waiter;
  void* fd_state = nullptr;       // the backend's per-fd state (Asio descriptor), or nullptr
  io_op* next = nullptr;          // backend-private links (in-flight list), then the completed list
  io_op* prev = nullptr;
  io_deadline_timer deadline_timer;  // deadline when the backend has no native one
  alignas(8) unsigned char scratch[16];  // backend-private (io_uring: the link timeout's timespec)
};

// Starts `op` for coroutine `h` on the current runtime's IO driver (src/io/driver.cpp). Returns
// false when it completed at once: the task was already cancelled, or the deadline has passed.
bool start_io(io_op& op, std::coroutine_handle<> h, cancel_slot* slot);
// Called when an awaiter that still has a pending op is destroyed (runtime teardown): cancels it
// and waits until the backend has let go of it.
void abandon_io(io_op& op) noexcept;

// Awaiting an io_op: co_await yields op.result (>= 0 value, < 0 -errno); callers map errors.
class io_awaiter {
 public:
  io_awaiter() = default;
  io_awaiter(const io_awaiter&) = default;  // before being awaited only
  io_awaiter& operator=(const io_awaiter&) = delete;
  ~io_awaiter() {
    if (op.state != op_state::idle) abandon_io(op);
  }
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return start_io(op, h, slot_of(h));
  }
  std::int32_t await_resume() const noexcept { return op.result; }

  io_op op;
};

}  // namespace corio::detail
