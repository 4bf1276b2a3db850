// corio::fs::file (corio/fs/file.hpp): open, read_at, write_at and fsync as backend requests.
#include <corio/fs/file.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "net/sockaddr.hpp"

namespace corio::fs {

using detail::fd_handle;
using detail::fd_op;
using detail::op_code;

namespace {
std::string at(std::uint64_t offset) { return " at " + std::to_string(offset); }
}  // namespace

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

task<std::size_t> file::read_at(void* data, std::size_t size, std::uint64_t offset, deadline d) {
  fd_op op(h_, op_code::read_at, d);
  op.op().buf = data;
  op.op().len = static_cast<std::uint32_t>(std::min(size, detail::max_io_chunk));
  op.op().offset = offset;
  if (size == 0) co_return 0;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "read_at", at(offset));
  co_return static_cast<std::size_t>(r);
}

task<void> file::read_exact_at(void* data, std::size_t size, std::uint64_t offset, deadline d) {
  auto* p = static_cast<std::byte*>(data);
  std::size_t done = 0;
  fd_handle* h = &h_;
  while (done < size) {
    fd_op op(*h, op_code::read_at, d);
    op.op().buf = p + done;
    op.op().len = static_cast<std::uint32_t>(std::min(size - done, detail::max_io_chunk));
    op.op().offset = offset + done;
    const std::int32_t r = co_await op;
    if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "read_exact_at", at(offset));
    if (r == 0)
      throw incomplete_read("read_exact_at " + op.owner()->describe() + at(offset) + ": got " + std::to_string(done) +
                                " of " + std::to_string(size) + " bytes",
                            done, size);
    done += static_cast<std::size_t>(r);
    h = op.owner();
  }
}

task<std::size_t> file::write_at(const void* data, std::size_t size, std::uint64_t offset, deadline d) {
  fd_op op(h_, op_code::write_at, d);
  op.op().buf = const_cast<void*>(data);
  op.op().len = static_cast<std::uint32_t>(std::min(size, detail::max_io_chunk));
  op.op().offset = offset;
  if (size == 0) co_return 0;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, "write_at", at(offset));
  co_return static_cast<std::size_t>(r);
}

task<void> file::write_all_at(const void* data, std::size_t size, std::uint64_t offset, deadline d) {
  const auto* p = static_cast<const std::byte*>(data);
  std::size_t done = 0;
  fd_handle* h = &h_;
  while (done < size) {
    fd_op op(*h, op_code::write_at, d);
    op.op().buf = const_cast<std::byte*>(p + done);
    op.op().len = static_cast<std::uint32_t>(std::min(size - done, detail::max_io_chunk));
    op.op().offset = offset + done;
    const std::int32_t r = co_await op;
    if (r <= 0 || op.closed())
      detail::throw_op_error(op, r < 0 ? r : (op.closed() ? -ECANCELED : -EIO), "write_all_at",
                             at(offset) + " (after " + std::to_string(done) + " of " + std::to_string(size) + " bytes)");
    done += static_cast<std::size_t>(r);
    h = op.owner();
  }
}

task<void> file::fsync(bool data_only, deadline d) {
  fd_op op(h_, op_code::fsync, d);
  op.op().flags = data_only ? 1u : 0u;
  const std::int32_t r = co_await op;
  if (r < 0 || op.closed()) detail::throw_op_error(op, r < 0 ? r : -ECANCELED, data_only ? "fdatasync" : "fsync");
}

std::uint64_t file::size() const {
  if (!h_.is_open()) detail::throw_errno_on(EBADF, "size", {});
  struct stat st {};
  if (::fstat(h_.fd(), &st) < 0) detail::throw_errno_on(errno, "size", h_.path);
  return static_cast<std::uint64_t>(st.st_size);
}

}  // namespace corio::fs
