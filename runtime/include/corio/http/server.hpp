// corio/http/server.hpp - the server side of HTTP/1.1: parsing requests, writing responses.
//
// What it does: what a small HTTP server (the crawler benchmark's site server, test servers) needs
// besides its transport. request_parser is incremental like response_parser (feed bytes as they
// arrive, any split), built on the same libhttp-parser; it stops after one request, so pipelined
// requests are parsed one at a time: feed the bytes it did not consume after reset(). A request
// body (Content-Length or chunked) is read and kept, up to max_body_bytes. request::keep_alive
// applies the HTTP/1.0 and 1.1 rules and the Connection header: when false, answer with
// Connection: close and close. append_response writes a complete response with a Content-Length
// body (or, for HEAD, the same head without the body).
//
// Errors (corio::error with a corio::http::errc; after one, answer 400 if you like, and close):
//   malformed_request   not an HTTP/1.x request (bad method, target, version, header syntax);
//   header_too_large    request line + headers over max_header_bytes (exact, CRLFs included);
//   body_too_large      a request body over max_body_bytes;
//   truncated           finish() in the middle of a request. The peer closing between requests is
//                       the normal end of a connection: finish() then does nothing.
// append_response throws corio::errc::invalid_argument for a status outside 100..999 or a header
// that could inject another (see request.hpp).
//
// Threads: one thread at a time per parser. Cancellation: not applicable (no IO). Buffers: feed()
// copies what it keeps; append_response's arguments need only live for the call.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <corio/http/header.hpp>
#include <corio/http/parser.hpp>

namespace corio::http {

struct request {
  std::string method;           // "GET", "HEAD", ... (as sent; methods libhttp-parser knows)
  std::string target;           // the request-target, e.g. "/page/17?x=1"
  int version_major = 1;
  int version_minor = 1;
  std::vector<header> headers;  // as received
  std::string body;             // decoded; usually empty
  bool keep_alive = false;      // the client allows another request on this connection

  std::optional<std::string_view> header_value(std::string_view name) const noexcept;
};

class request_parser {
 public:
  explicit request_parser(parser_limits limits = {});
  ~request_parser();
  request_parser(request_parser&&) noexcept;
  request_parser& operator=(request_parser&&) noexcept;

  // Prepares for the next request on the connection.
  void reset();
  // Parses `bytes`; returns how many it consumed, stopping right after the end of the request
  // (the rest is the next, pipelined request). Returns 0 once complete().
  std::size_t feed(std::string_view bytes);
  // The peer closed: throws truncated if a request was begun and not complete; otherwise nothing.
  void finish();

  bool complete() const noexcept;
  bool started() const noexcept;
  const request& current() const noexcept;
  // Moves the complete request out; corio::errc::invalid_argument when !complete().
  request take();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct response_options {
  bool keep_alive = true;                                   // Connection: keep-alive, or close
  std::string_view content_type = "text/html; charset=utf-8";  // empty: no Content-Type
  std::span<const header> extra_headers = {};
  bool head_only = false;  // the answer to a HEAD request: the same headers, no body
};

// Appends "HTTP/1.1 <status> <reason>", Content-Type, Content-Length, Connection, the extra
// headers, the blank line and the body.
void append_response(std::string& out, int status, std::string_view body, const response_options& options = {});

// The standard reason phrase ("OK", "Not Found"), or "Unknown" for a status without one.
const char* reason_phrase(int status) noexcept;

}  // namespace corio::http
