// corio/error.hpp - corio's error codes and the exception type every corio operation throws.
//
// Operating-system failures keep errno in std::system_category(), so `e.code() ==
// std::errc::connection_refused` works as usual. Conditions the OS has no errno for (end of stream,
// cancellation by corio, an unusable backend) live in corio::error_category(). Aborted and timed-out
// compare equal to std::errc::operation_canceled and std::errc::timed_out.
#pragma once

#include <string>
#include <system_error>

namespace corio {

enum class errc {
  operation_aborted = 1,  // the operation was cancelled (task cancelled, group cancelled, when_any loser)
  timed_out,              // a deadline given to corio expired (corio::timeout, IO deadlines)
  eof,                    // the peer closed the stream before the expected bytes arrived
  backend_unavailable,    // the requested IO backend cannot be set up on this machine
  runtime_stopped,        // the runtime was destroyed before the task finished
  deadlock,               // block_on: the root task waits and nothing can ever wake it
  not_in_runtime,         // an operation that needs a running corio runtime was used outside one
  already_awaited,        // a task or join handle was awaited a second time
  invalid_argument,       // a corio function was given an argument it cannot use
  closed,                 // the object (e.g. a channel) was closed
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc e) noexcept;
std::error_condition make_error_condition(errc e) noexcept;

// The exception corio throws. what() is "<context>: <message>", e.g. "connect 127.0.0.1:1:
// Connection refused". Catch std::system_error to handle corio and OS errors alike.
class error : public std::system_error {
 public:
  error(std::error_code ec, const std::string& context) : std::system_error(ec, context) {}
};

[[noreturn]] void throw_error(std::error_code ec, const std::string& context);
[[noreturn]] void throw_error(errc e, const std::string& context);
// Throws for a negative errno value as returned by io_uring and raw syscalls (-ECONNREFUSED, ...).
[[noreturn]] void throw_errno(int negative_errno, const std::string& context);

// True when `e` holds a corio::error (or std::system_error) for operation_aborted.
bool is_cancellation(const std::exception_ptr& e) noexcept;

}  // namespace corio

template <>
struct std::is_error_code_enum<corio::errc> : std::true_type {};
