// io/transfer.hpp - the one transfer loop behind every composed "all the bytes" operation:
// stream_socket::read_exact / write_all (recv / send) and fs::file::read_exact_at /
// write_all_at (read_at / write_at). Private to the runtime.
#pragma once

#include <cstddef>
#include <cstdint>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/task.hpp>

namespace corio::detail {

struct transfer_request {
  op_code code;            // recv, send, read_at or write_at
  const char* what;        // the operation's name in errors ("read_exact", "write", ...)
  std::uint64_t offset = 0;  // read_at / write_at: where the first byte goes
};

// Moves `size` bytes between `data` and h's fd with as many requests as the kernel needs, all under
// the one deadline `d`. A read that meets the end first throws corio::incomplete_read ("<what>
// <target>[ at <offset>]: got X of Y bytes"); a write the kernel takes no byte of throws EPIPE
// (streams) or EIO (files); other failures throw what throw_op_error says, with
// " (after X of Y bytes)". `h` may be moved or closed while a request is pending: the loop reaches
// it only through the last op's owner().
task<void> transfer_all(fd_handle& h, void* data, std::size_t size, transfer_request req, deadline d);

}  // namespace corio::detail
