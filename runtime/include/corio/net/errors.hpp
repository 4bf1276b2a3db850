// corio/net/errors.hpp - networking's own error category: name resolution. The error model of
// every IO object (errno codes, timed_out, operation_aborted, incomplete_read) is corio/io/error.hpp.
//
// What it does: resolve() and connect(host, port) throw corio::error with a code in
// resolve_error_category() when getaddrinfo() fails: "resolve nosuchhost.invalid:80: Name or
// service not known".
// Which thread resumes you / cancellation / buffers: not applicable (types only).
#pragma once

#include <system_error>

#include <corio/io/error.hpp>

namespace corio::net {
// getaddrinfo() failures (EAI_NONAME, EAI_AGAIN, ...): value is the EAI_* code, message is
// gai_strerror(). EAI_SYSTEM is reported as the errno in std::system_category() instead.
const std::error_category& resolve_error_category() noexcept;
}  // namespace corio::net
