// The transfer loop (io/transfer.hpp).
#include "io/transfer.hpp"

#include <algorithm>
#include <cerrno>
#include <string>

#include <corio/io/error.hpp>

namespace corio::detail {

namespace {
std::string progress(std::size_t done, std::size_t total) {
  return " (after " + std::to_string(done) + " of " + std::to_string(total) + " bytes)";
}
}  // namespace

task<void> transfer_all(fd_handle& h, void* data, std::size_t size, transfer_request req, deadline d) {
  auto* p = static_cast<std::byte*>(data);
  const bool reading = req.code == op_code::recv || req.code == op_code::read_at;
  const bool positional = req.code == op_code::read_at || req.code == op_code::write_at;
  std::size_t done = 0;
  fd_handle* handle = &h;
  while (done < size) {
    fd_op op(*handle, req.code, d);
    op.op().buf = p + done;
    op.op().len = static_cast<std::uint32_t>(std::min(size - done, max_io_chunk));
    op.op().offset = req.offset + done;
    const std::int32_t r = co_await op;
    if (r < 0 || op.closed()) throw_op_error(op, r < 0 ? r : -ECANCELED, req.what, progress(done, size));
    if (r == 0) {
      if (!reading) throw_op_error(op, positional ? -EIO : -EPIPE, req.what, progress(done, size));
      std::string ctx = req.what;
      std::string t = op.owner()->describe();
      if (!t.empty()) ctx += " " + t;
      if (positional) ctx += " at " + std::to_string(req.offset);
      ctx += ": got " + std::to_string(done) + " of " + std::to_string(size) + " bytes";
      throw incomplete_read(ctx, done, size);
    }
    done += static_cast<std::size_t>(r);
    handle = op.owner();
  }
}

}  // namespace corio::detail
