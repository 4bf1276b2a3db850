// corio/io/detail/fd_handle.hpp - the file descriptor inside every corio IO object, and fd_op,
// the awaitable that runs one backend operation on it. Internal: use the classes of corio/net and
// corio/fs, whose leaf operations (read_some, accept, read_at, ...) are fd_ops.
//
// fd_handle owns one fd, its backend registration (Asio: a reactor descriptor, from attach_fd;
// io_uring: none), the IO driver it belongs to, and the list of operations in flight on it
// (fd_op). Invariants:
//   - every fd_op in `pending_` is suspended in the backend on this fd, and its owner_ is this;
//   - close() first detaches every pending op (owner_ = nullptr, closed = true) and asks the backend
//     to cancel it, pushes those cancellations to the kernel, and only then unregisters and
//     closes the fd, so a pending op never runs on a recycled fd number and Asio never re-arms a
//     wait on a deleted descriptor. The ops then complete (normally with -ECANCELED) and their
//     coroutines resume without touching the handle;
//   - an open handle is registered with its driver; if it outlives the runtime, the runtime's
//     destructor closes it (later operations fail with EBADF);
//   - moving a handle re-points its pending ops at the new location, so an object may be moved
//     (e.g. by a growing std::vector) while another task waits on it. Composed operations reach
//     the handle only through fd_op::owner() after each await for that reason.
// Everything here runs on the runtime's thread.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <coroutine>
#include <cstdint>
#include <string>

#include <corio/detail/intrusive_list.hpp>
#include <corio/io/deadline.hpp>
#include <corio/io/detail/op.hpp>

namespace corio::detail {

class fd_op;
class io_driver;

// An IO object registers itself with its driver so that, if it outlives its runtime, the runtime's
// destructor closes it (orphan) while the backend still exists, instead of leaving it to call into
// a destroyed backend later.
struct io_object_link : list_hook {
  void (*orphan)(io_object_link*) noexcept = nullptr;
};

class fd_handle {
 public:
  // socket: owned, registered with the reactor; file: owned, not registered (regular files cannot
  // be polled); foreign: registered but not owned (corio::async_fd): close() never closes it.
  enum class kind : std::uint8_t { none, socket, file, foreign };

  fd_handle() noexcept {
    reg_.self = this;
    reg_.orphan = &orphaned;
  }
  // Takes ownership of `fd` (kind::foreign: watches it without owning it) for the current runtime.
  // A socket or foreign fd is registered with the backend's reactor (Asio); a file is not (regular
  // files cannot be polled). Throws when there is no runtime or the registration fails, and then
  // closes fd unless it is foreign.
  fd_handle(int fd, kind k);
  fd_handle(fd_handle&& o) noexcept;
  fd_handle& operator=(fd_handle&& o) noexcept;
  fd_handle(const fd_handle&) = delete;
  fd_handle& operator=(const fd_handle&) = delete;
  ~fd_handle() { close(); }

  int fd() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  void* fd_state() const noexcept { return fd_state_; }
  bool has_pending() const noexcept { return pending_ != nullptr; }

  // Cancels pending operations (they end with errc::operation_aborted), unregisters and closes
  // the fd (a foreign one is left open). Idempotent.
  void close() noexcept;
  // Like close(), but leaves the fd open and returns it (-1 if there was none).
  int release() noexcept;

  // What error messages name: the peer (or local) socket address, or a file's path.
  sockaddr_storage name{};
  socklen_t name_len = 0;
  std::string path;
  // "127.0.0.1:80", "[::1]:80", "/tmp/sock", "@abstract", the path, or "fd 7".
  std::string describe() const;

 private:
  friend class fd_op;
  void link(fd_op& op) noexcept;
  void unlink(fd_op& op) noexcept;
  void take(fd_handle& o) noexcept;

  struct registration : io_object_link {
    fd_handle* self = nullptr;
  };
  static void orphaned(io_object_link* l) noexcept { static_cast<registration*>(l)->self->close(); }

  int fd_ = -1;
  void* fd_state_ = nullptr;
  io_driver* io_ = nullptr;
  registration reg_;  // in the driver's list of open IO objects while fd_ >= 0
  fd_op* pending_ = nullptr;
  kind kind_ = kind::none;
};

// One operation on an fd_handle: `int r = co_await op;` yields the syscall result (>= 0, or
// -errno). Set the op's fields (op().buf, len, ...) before awaiting. If the handle is closed
// before the op starts, the result is -EBADF; if it is closed while the op is pending, owner()
// becomes nullptr and closed() true. An fd_op may be copied or moved before it is awaited (into
// corio::timeout, when_any, spawn), never while it is pending.
//
// The leaf operations of corio/net and corio/fs derive from fd_op and give it an await_resume that
// maps the result to a value or a corio::error (checked()): no coroutine frame, no extra hop.
class fd_op {
 public:
  fd_op(fd_handle& h, op_code code, deadline d = {}) noexcept : owner_(&h) {
    aw_.op.code = code;
    aw_.op.deadline_ns = d.ns();
  }
  fd_op(const fd_op& o) noexcept : aw_(o.aw_), owner_(o.owner_), immediate_(o.immediate_) {}
  fd_op& operator=(const fd_op&) = delete;
  ~fd_op() {
    if (owner_ && linked_) owner_->unlink(*this);
  }

  io_op& op() noexcept { return aw_.op; }
  const io_op& op() const noexcept { return aw_.op; }
  // The handle, or nullptr if it was closed or destroyed while the op was pending.
  fd_handle* owner() const noexcept { return owner_; }
  bool closed() const noexcept { return closed_; }
  bool timed_out() const noexcept { return aw_.op.timed_out; }

  bool await_ready() const noexcept { return immediate_; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    return start(h, slot_of(h));
  }
  std::int32_t await_resume() noexcept { return finish(); }

 protected:
  // Completes without a request: co_await yields `result` (a zero-byte read or write).
  void complete_now(std::int32_t result) noexcept {
    immediate_ = true;
    aw_.op.result = result;
  }
  // The op's result, unlinked from the handle.
  std::int32_t finish() noexcept {
    if (owner_ && linked_) owner_->unlink(*this);
    return aw_.op.result;
  }
  // The op's result if it succeeded (>= 0); otherwise throws its corio::error, naming `what` and
  // the handle's target (throw_op_error).
  std::int32_t checked(const char* what);

 private:
  friend class fd_handle;
  bool start(std::coroutine_handle<> h, cancel_slot* slot);  // fd_handle.cpp

  io_awaiter aw_;
  fd_handle* owner_;
  fd_op* next_ = nullptr;
  fd_op* prev_ = nullptr;
  bool linked_ = false;
  bool closed_ = false;
  bool immediate_ = false;
};

// Throws for a failed op of an fd_op: timed_out, operation_aborted (cancelled, or the object was
// closed meanwhile) or the errno. `what` names the operation; the handle (if still there) names
// the target (and a positional op its offset); `extra` is appended to the context (e.g.
// " (after 10 of 20 bytes)").
[[noreturn]] void throw_op_error(const fd_op& op, std::int32_t result, const char* what,
                                 const std::string& extra = {});
// For a failed plain syscall (errno `err`) on `target` (may be empty).
[[noreturn]] void throw_errno_on(int err, const char* what, const std::string& target);

inline std::int32_t fd_op::checked(const char* what) {
  const std::int32_t r = finish();
  if (r < 0 || closed_) throw_op_error(*this, r < 0 ? r : -ECANCELED, what);
  return r;
}

inline void fd_handle::link(fd_op& op) noexcept {
  op.prev_ = nullptr;
  op.next_ = pending_;
  if (pending_) pending_->prev_ = &op;
  pending_ = &op;
  op.linked_ = true;
}
inline void fd_handle::unlink(fd_op& op) noexcept {
  if (op.prev_) op.prev_->next_ = op.next_; else pending_ = op.next_;
  if (op.next_) op.next_->prev_ = op.prev_;
  op.next_ = op.prev_ = nullptr;
  op.linked_ = false;
}

}  // namespace corio::detail
