// corio::async_fd (corio/io/async_fd.hpp): readiness waits on descriptors corio does not own.
#include <corio/io/async_fd.hpp>

#include <fcntl.h>

#include <cerrno>
#include <string>

namespace corio {

async_fd::async_fd(int fd) {
  if (fd < 0 || ::fcntl(fd, F_GETFD) < 0) detail::throw_errno_on(EBADF, "watch", "fd " + std::to_string(fd));
  h_ = detail::fd_handle(fd, detail::fd_handle::kind::foreign);
  h_.path = "fd " + std::to_string(fd);
}

}  // namespace corio

namespace corio::detail {

readiness readiness_op::await_resume() {
  const std::int32_t r = checked("wait");
  if (r & POLLNVAL) throw_op_error(*this, -EBADF, "wait");
  return readiness{static_cast<short>(r)};
}

}  // namespace corio::detail
