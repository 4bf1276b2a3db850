// corio::fs::file (corio/fs/file.hpp): open and the composed operations (read_at, write_at and
// fsync are leaf awaitables in the header; the composed ones share the IO layer's transfer loop).
#include <corio/fs/file.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "io/transfer.hpp"

namespace corio::fs {

using detail::fd_handle;
using detail::op_code;

task<file> file::open(std::string path, int flags, mode_t mode, deadline d) {
  // The openat request runs on the backend without an fd yet: a handle with no fd would refuse it,
  // so it goes through a bare io_awaiter.
  detail::io_awaiter aw;
  aw.op.code = op_code::openat;
  aw.op.addr = path.data();
  aw.op.flags = static_cast<unsigned>(flags | O_CLOEXEC);
  aw.op.len = mode;
  aw.op.deadline_ns = d.ns();
  const std::int32_t r = co_await aw;
  if (r < 0) {
    std::string ctx = "open " + path;
    if (r == -ECANCELED && aw.op.timed_out) throw error(make_error_code(errc::timed_out), ctx);
    if (r == -ECANCELED && aw.op.cancel_requested) throw error(make_error_code(errc::operation_aborted), ctx);
    throw error(std::error_code(-r, std::system_category()), ctx);
  }
  fd_handle h(r, fd_handle::kind::file);
  h.path = std::move(path);
  co_return file(std::move(h));
}

task<void> file::read_exact_at(void* data, std::size_t size, std::uint64_t offset, deadline d) {
  return detail::transfer_all(h_, data, size, {op_code::read_at, "read_exact_at", offset}, d);
}

task<void> file::write_all_at(const void* data, std::size_t size, std::uint64_t offset, deadline d) {
  return detail::transfer_all(h_, const_cast<void*>(data), size, {op_code::write_at, "write_all_at", offset}, d);
}

std::uint64_t file::size() const {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "size", {});
  struct stat st {};
  if (::fstat(h_.fd(), &st) < 0) detail::throw_errno_on(errno, "size", h_.path);
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace corio::fs
