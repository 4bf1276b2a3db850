// corio/http/parser.hpp - an incremental, transport-agnostic HTTP/1.x response parser.
//
// What it does: feed() it bytes as they arrive, in pieces of any size (one byte at a time works);
// it reports when a whole response has been read. Built on libhttp-parser (Debian
// libhttp-parser-dev, Node.js's former parser), not hand-written: status line, headers,
// Content-Length and chunked bodies, bodies delimited by the end of the connection, keep-alive per
// HTTP/1.0 and 1.1 rules. Interim 1xx responses (100 Continue) are skipped; 101 is an error (corio
// never asks to switch protocols). The parser does no IO, so the blocking client and corio's async
// client share it; one parser can serve many responses in a row (reset() between them).
//
//   response_parser p(limits);
//   p.reset(method::get);
//   while (!p.complete()) {
//     n = read(...);                   // any transport
//     if (n == 0) { p.finish(); break; }  // the peer closed: completes or throws truncated
//     used = p.feed({buf, n});         // used < n: bytes beyond this response (see feed)
//   }
//   response r = p.take();
//
// Errors (corio::error with a corio::http::errc code; after one, reset() before reusing):
//   malformed_response  not HTTP/1.x (garbage status line, bad header syntax, bad chunk size,
//                       conflicting Content-Length, 101 Switching Protocols, > 16 interim 1xx);
//   header_too_large    status line + header block (bytes on the wire, CRLFs included) exceed
//                       max_header_bytes; libhttp-parser's own cap (80 KiB) also applies;
//   body_too_large      the decoded body exceeds max_body_bytes (checked against Content-Length as
//                       soon as the headers arrive, so nothing more is read);
//   truncated           finish() before the end of the response.
//
// Threads: one parser is used by one thread at a time. Cancellation: not applicable (no IO).
// Buffers: feed() copies what it keeps; the bytes need only live for the call.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <corio/http/request.hpp>
#include <corio/http/response.hpp>

namespace corio::http {

struct parser_limits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
};

class response_parser {
 public:
  explicit response_parser(parser_limits limits = {});
  ~response_parser();
  response_parser(response_parser&&) noexcept;
  response_parser& operator=(response_parser&&) noexcept;

  // Prepares for the response to a request made with `m` (a HEAD response has no body).
  void reset(method m = method::get);

  // Parses `bytes`; returns how many it consumed. It stops right after the end of the response:
  // returning less than bytes.size() means the peer sent bytes beyond it, which a client that
  // does not pipeline must treat as a reason not to reuse the connection. Returns 0 once
  // complete(). Throws as listed above.
  std::size_t feed(std::string_view bytes);

  // The peer closed the connection: completes a response whose body runs to the end of the
  // connection; throws truncated when the response is incomplete otherwise (including when no
  // byte at all arrived). Does nothing if already complete().
  void finish();

  bool complete() const noexcept;
  bool started() const noexcept;           // at least one byte of this response was fed
  bool headers_complete() const noexcept;  // the status line and headers are parsed
  // The response so far (status and headers are valid once headers_complete()).
  const response& current() const noexcept;
  // Moves the complete response out. Throws corio::error(corio::errc::invalid_argument) when
  // !complete().
  response take();

  const parser_limits& limits() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace corio::http
