// net/sockaddr.hpp - conversions between corio endpoints and the kernel's socket addresses, and the
// error helpers shared by corio's IO objects. Private to the runtime.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <corio/net/detail/fd_handle.hpp>
#include <corio/net/endpoint.hpp>

namespace corio::detail {

// Fills `ss` from `ep`; returns the address length.
socklen_t to_sockaddr(const net::endpoint& ep, sockaddr_storage& ss) noexcept;
// An AF_INET / AF_INET6 address as an endpoint (0.0.0.0:0 for other families).
net::endpoint from_sockaddr(const sockaddr_storage& ss, socklen_t len) noexcept;
// A Unix-domain address: '@' prefix means the abstract namespace. Throws invalid_argument if the
// path does not fit.
socklen_t to_sockaddr_un(std::string_view path, sockaddr_storage& ss);
std::string describe_sockaddr(const sockaddr_storage& ss, socklen_t len);

// A new socket, non-blocking and close-on-exec. Throws corio::error("<what> <target>: ...").
int open_socket(int family, int type, const char* what, const std::string& target);

// Throws for a failed op of an fd_op: timed_out, operation_aborted (cancelled, or the object was
// closed meanwhile) or the errno. `what` names the operation; the handle (if still there) names
// the target; `extra` is appended to the context (e.g. " (after 10 of 20 bytes)").
[[noreturn]] void throw_op_error(const fd_op& op, std::int32_t result, const char* what,
                                 const std::string& extra = {});
// For a result < 0 of a plain syscall on handle `h`.
[[noreturn]] void throw_errno_on(int err, const char* what, const std::string& target);

// Operations take at most this many bytes per request (io_op::len is 32-bit; 1 GiB keeps the
// result a positive int32).
constexpr std::size_t max_io_chunk = std::size_t{1} << 30;

}  // namespace corio::detail
