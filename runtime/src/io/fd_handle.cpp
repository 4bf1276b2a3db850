// fd_handle and fd_op: ownership of an fd, its backend registration and its pending operations
// (corio/io/detail/fd_handle.hpp), and the errors of failed operations.
#include <corio/io/detail/fd_handle.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <corio/error.hpp>

#include "io/driver.hpp"
#include "io/sockaddr_name.hpp"

namespace corio::detail {

fd_handle::fd_handle(int fd, kind k) : fd_handle() {
  io_driver* s = io_driver::current();
  const bool owned = k != kind::foreign;  // a foreign fd is never closed, not even on failure
  if (!s) {
    if (owned) ::close(fd);
    throw_error(errc::not_in_runtime, "corio IO objects must be created inside a corio runtime");
  }
  if (k == kind::socket || k == kind::foreign) {
    try {
      fd_state_ = s->backend().attach_fd(fd);
    } catch (...) {
      if (owned) ::close(fd);
      throw;
    }
  }
  fd_ = fd;
  io_ = s;
  kind_ = k;
  s->register_object(reg_);
}

void fd_handle::take(fd_handle& o) noexcept {
  o.reg_.unlink();
  if (o.fd_ >= 0 && o.io_) o.io_->register_object(reg_);
  fd_ = std::exchange(o.fd_, -1);
  fd_state_ = std::exchange(o.fd_state_, nullptr);
  io_ = std::exchange(o.io_, nullptr);
  kind_ = std::exchange(o.kind_, kind::none);
  pending_ = std::exchange(o.pending_, nullptr);
  for (fd_op* op = pending_; op; op = op->next_) op->owner_ = this;
  name = o.name;
  name_len = std::exchange(o.name_len, 0);
  path = std::move(o.path);
  o.path.clear();
}

fd_handle::fd_handle(fd_handle&& o) noexcept : fd_handle() { take(o); }

fd_handle& fd_handle::operator=(fd_handle&& o) noexcept {
  if (this != &o) {
    close();
    take(o);
  }
  return *this;
}

void fd_handle::close() noexcept {
  if (fd_ < 0) return;
  if (kind_ == kind::foreign) {
    release();
    return;
  }
  const int fd = release();
  ::close(fd);
}

int fd_handle::release() noexcept {
  if (fd_ < 0) return -1;
  io_backend& b = io_->backend();
  if (pending_) {
    for (fd_op* op = std::exchange(pending_, nullptr); op;) {
      fd_op* next = op->next_;
      op->owner_ = nullptr;
      op->closed_ = true;
      op->linked_ = false;
      op->next_ = op->prev_ = nullptr;
      io_op& io = op->op();
      if (io.state == op_state::pending) {
        io.cancel_requested = true;
        b.cancel(io);
      }
      op = next;
    }
    // Hand the cancellations (and any not yet submitted request on this fd) to the kernel before
    // the fd number can be reused: after close(2) below, a new socket may get the same number.
    try {
      io_->poll();
    } catch (...) {
      // Only a broken ring fails here (io_uring_submit errors other than EBUSY/EAGAIN); the loop
      // will rethrow that error itself on its next turn.
    }
  }
  if (fd_state_) b.detach_fd(fd_, fd_state_);
  const int fd = fd_;
  fd_ = -1;
  fd_state_ = nullptr;
  kind_ = kind::none;
  reg_.unlink();
  return fd;
}

std::string fd_handle::describe() const {
  if (!path.empty()) return path;
  if (name_len) return describe_sockaddr(name, name_len);
  if (fd_ >= 0) return "fd " + std::to_string(fd_);
  return {};
}

bool fd_op::start(std::coroutine_handle<> h, cancel_slot* slot) {
  if (!owner_ || owner_->fd_ < 0) {
    aw_.op.result = -EBADF;
    return false;
  }
  aw_.op.fd = owner_->fd_;
  aw_.op.fd_state = owner_->fd_state_;
  owner_->link(*this);
  bool suspended = false;
  try {
    suspended = start_io(aw_.op, h, slot);
  } catch (...) {
    owner_->unlink(*this);
    throw;
  }
  if (!suspended) owner_->unlink(*this);
  return suspended;
}

void throw_errno_on(int err, const char* what, const std::string& target) {
  std::string ctx = what;
  if (!target.empty()) {
    ctx += ' ';
    ctx += target;
  }
  throw error(std::error_code(err, std::system_category()), ctx);
}

void throw_op_error(const fd_op& op, std::int32_t result, const char* what, const std::string& extra) {
  std::string ctx = what;
  if (const fd_handle* h = op.owner()) {
    std::string t = h->describe();
    if (!t.empty()) {
      ctx += ' ';
      ctx += t;
    }
  }
  const op_code c = op.op().code;
  if (c == op_code::read_at || c == op_code::write_at) ctx += " at " + std::to_string(op.op().offset);
  ctx += extra;
  if (op.closed()) throw error(make_error_code(errc::operation_aborted), ctx + " (closed while pending)");
  if (result == -ECANCELED) {
    if (op.timed_out()) throw error(make_error_code(errc::timed_out), ctx);
    if (op.op().cancel_requested) throw error(make_error_code(errc::operation_aborted), ctx);
  }
  if (result >= 0) result = -EIO;  // callers only get here on failure
  throw error(std::error_code(-result, std::system_category()), ctx);
}

}  // namespace corio::detail
