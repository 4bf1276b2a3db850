// io/sockaddr_name.hpp - how error messages name a socket address. Private to the runtime.
#pragma once

#include <sys/socket.h>

#include <string>

namespace corio::detail {

// "127.0.0.1:80", "[::1]:80", "[fe80::1%2]:80", "/tmp/sock", "@abstract", "(unnamed unix socket)".
std::string describe_sockaddr(const sockaddr_storage& ss, socklen_t len);

}  // namespace corio::detail
