// corio/net.hpp - corio's networking: addresses, TCP, UDP, Unix-domain sockets, name resolution.
// See each header for what it does, which thread resumes you, what cancellation does and how long
// buffers must live; docs/api-net.md is the guide.
#pragma once

#include <corio/net/address.hpp>
#include <corio/io/deadline.hpp>
#include <corio/net/endpoint.hpp>
#include <corio/net/errors.hpp>
#include <corio/net/resolver.hpp>
#include <corio/net/stream_socket.hpp>
#include <corio/net/tcp_listener.hpp>
#include <corio/net/tcp_stream.hpp>
#include <corio/net/udp_socket.hpp>
#include <corio/net/unix_stream.hpp>
