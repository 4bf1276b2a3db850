// corio/io/error.hpp - the error types of corio's IO objects (net and fs).
//
// What it does: every failing IO operation throws corio::error (a std::system_error). Its code is
//   - an errno in std::system_category() for what the OS reports: `e.code() ==
//     std::errc::connection_refused`, connection_reset, broken_pipe, too_many_files_open, ...;
//   - corio::errc::timed_out when the operation's deadline (or corio::timeout) passed,
//     corio::errc::operation_aborted when the task was cancelled or the object closed meanwhile,
//     corio::errc::eof when a stream or file ended before the bytes an operation needed,
//     corio::errc::invalid_argument for an address or endpoint string that does not parse;
//   - a getaddrinfo() code in net::resolve_error_category() when name resolution fails
//     (corio/net/errors.hpp).
// what() names the operation and the endpoint, path or name involved, then the reason:
//   "connect 127.0.0.1:1: Connection refused"
//   "read_exact 127.0.0.1:40312: got 10 of 100 bytes: end of stream"
//   "open /no/such/file: No such file or directory"
// incomplete_read (a corio::error with code errc::eof) also tells how many bytes arrived.
// Which thread resumes you / cancellation / buffers: not applicable (types only).
#pragma once

#include <cstddef>
#include <string>
#include <system_error>

#include <corio/error.hpp>

namespace corio {

// Thrown by read_exact-style operations when the stream or file ends early. code() == errc::eof.
class incomplete_read : public error {
 public:
  incomplete_read(const std::string& context, std::size_t got, std::size_t wanted)
      : error(make_error_code(errc::eof), context), got_(got), wanted_(wanted) {}
  // Bytes that arrived (and are in the caller's buffer) before the end.
  std::size_t bytes_read() const noexcept { return got_; }
  std::size_t bytes_expected() const noexcept { return wanted_; }

 private:
  std::size_t got_;
  std::size_t wanted_;
};

}  // namespace corio
