// net/connect.hpp - the connect algorithm shared by tcp_stream and unix_stream. Private.
#pragma once

#include <sys/socket.h>

#include <string>

#include <corio/io/deadline.hpp>
#include <corio/io/detail/fd_handle.hpp>
#include <corio/task.hpp>

namespace corio::detail {

// Connects the (non-blocking) socket of `h` to `addr`: connect(2) at once; if the kernel says
// EINPROGRESS, a zero-timeout poll(2) checks whether the handshake has in fact already finished (it
// has, on loopback), and only otherwise waits for writability through the backend. Throws
// corio::error("connect <target>: ..."). `h` must not be moved while this runs (it is a local of
// the caller's frame).
task<void> connect_socket(fd_handle& h, const sockaddr_storage& addr, socklen_t len, std::string target, deadline d);

}  // namespace corio::detail
