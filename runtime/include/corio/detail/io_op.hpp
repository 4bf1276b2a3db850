// corio/detail/io_op.hpp - one IO operation, as the backends see it, and the awaiter that runs it.
//
// An io_op lives inside the awaiting coroutine's frame (no allocation). Its life:
//   idle --start_io--> pending --backend completes--> done
//                        |  cancel: backend.cancel(op); the op still completes, with -ECANCELED
//                        |  deadline: io_uring links a timeout SQE; Asio arms deadline_timer
// The waiting coroutine is resumed exactly once, by scheduler::complete(), after the backend has
// stopped touching the op and its buffer. The buffer must stay valid until then (it always does
// for buffers owned by the awaiting frame).
#pragma once

#include <coroutine>
#include <cstdint>

#include <corio/detail/cancel_slot.hpp>
#include <corio/detail/promise_base.hpp>
#include <corio/detail/timer_heap.hpp>

namespace corio::detail {

class scheduler;

enum class op_code : std::uint8_t {
  nop,       // completes with 0 (tests the completion path)
  read,      // read(fd, buf, len)
  write,     // write(fd, buf, len)
  recv,      // recv(fd, buf, len, flags)
  send,      // send(fd, buf, len, flags | MSG_NOSIGNAL)
  read_at,   // pread(fd, buf, len, offset)
  write_at,  // pwrite(fd, buf, len, offset)
  accept,    // accept4(fd, addr, addrlen, flags)
  connect,   // connect(fd, addr, addrlen)
  recvmsg,   // recvmsg(fd, (msghdr*)addr, flags)
  sendmsg,   // sendmsg(fd, (msghdr*)addr, flags | MSG_NOSIGNAL)
  fsync,     // fsync(fd) / fdatasync when flags != 0
  close,     // close(fd)
  shutdown,  // shutdown(fd, flags)
  openat,    // openat(AT_FDCWD, (const char*)addr, flags, mode = len)
  poll,      // wait until fd is ready for `flags` (POLLIN / POLLOUT); result = revents
};

enum class op_state : std::uint8_t { idle, pending, done };

struct io_op;
// The deadline timer of an op on a backend without native deadlines; knows its op.
struct io_deadline_timer : timer_node {
  io_op* op = nullptr;
};

struct io_op : cancel_handler {
  op_code code = op_code::nop;
  op_state state = op_state::idle;
  bool cancel_requested = false;  // cancel() was called (by cancellation, or the deadline)
  bool timed_out = false;         // the deadline expired before the op completed
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
  cancel_slot* slot = nullptr;
  void* fd_state = nullptr;       // the backend's per-fd state (Asio descriptor), or nullptr
  io_op* next = nullptr;          // backend-private links (queues, in-flight list)
  io_op* prev = nullptr;
  io_deadline_timer deadline_timer;  // deadline when the backend has no native one
  alignas(8) unsigned char scratch[16];  // backend-private (io_uring: the link timeout's timespec)
};

// Starts `op` for coroutine `h`. Returns false when it completed at once (already cancelled).
bool start_io(io_op& op, std::coroutine_handle<> h, cancel_slot* slot);
// Called when an awaiter that still has a pending op is destroyed (runtime teardown).
void abandon_io(io_op& op) noexcept;

// Awaiting an io_op: co_await yields op.result (>= 0 value, < 0 -errno); callers map errors.
class io_awaiter {
 public:
  io_awaiter() = default;
  io_awaiter(const io_awaiter&) = delete;
  io_awaiter& operator=(const io_awaiter&) = delete;
  ~io_awaiter() {
    if (op.state == op_state::pending) abandon_io(op);
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
