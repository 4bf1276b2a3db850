// net/sockaddr.hpp - conversions between corio endpoints and the kernel's socket addresses, and
// socket creation. Private to the runtime. (The error helpers of every IO object are the IO
// layer's: corio/io/detail/fd_handle.hpp.)
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <corio/io/detail/fd_handle.hpp>
#include <corio/net/endpoint.hpp>

#include "io/sockaddr_name.hpp"

namespace corio::detail {

// Fills `ss` from `ep`; returns the address length.
socklen_t to_sockaddr(const net::endpoint& ep, sockaddr_storage& ss) noexcept;
// An AF_INET / AF_INET6 address as an endpoint (0.0.0.0:0 for other families).
net::endpoint from_sockaddr(const sockaddr_storage& ss, socklen_t len) noexcept;
// A Unix-domain address: '@' prefix means the abstract namespace. Throws invalid_argument if the
// path does not fit.
socklen_t to_sockaddr_un(std::string_view path, sockaddr_storage& ss);

// A new socket, non-blocking and close-on-exec. Throws corio::error("<what> <target>: ...").
int open_socket(int family, int type, const char* what, const std::string& target);

}  // namespace corio::detail
