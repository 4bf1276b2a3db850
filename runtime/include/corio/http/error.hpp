// corio/http/error.hpp - the typed errors of corio's HTTP/1.1 client, URL parser and server side.
//
// What it does: every failure of corio::http is thrown as corio::error (a std::system_error) whose
// code() is either a corio::http::errc below or an operating-system errno in
// std::system_category() (connection refused, too many open files, ...). what() is
// "<context>: <message>", e.g. "GET http://127.0.0.1:8080/x: body exceeds 1048576 bytes: HTTP body
// too large". The client adds the method and URL to the context; the parser and URL functions do not
// know them.
//
// Comparing: `e.code() == corio::http::errc::body_too_large` tests one error exactly. timeout and
// connection_reset also compare equal to the portable conditions std::errc::timed_out and
// std::errc::connection_reset, so code that handles corio::errc::timed_out from corio's own IO
// deadlines and this timeout alike can test `e.code() == std::errc::timed_out`.
//
// Threads, cancellation, buffers: not applicable (plain values).
#pragma once

#include <string>
#include <system_error>

namespace corio::http {

enum class errc {
  invalid_url = 1,     // not a URL corio can fetch: syntax, empty host, bad port, userinfo, bad %-escape
  unsupported_scheme,  // a scheme other than http (https is not supported)
  malformed_response,  // the peer did not send valid HTTP/1.x (garbage status line, bad header, ...)
  header_too_large,    // the status line + headers exceed parser_limits::max_header_bytes
  body_too_large,      // the body exceeds parser_limits::max_body_bytes
  truncated,           // the connection ended before the end of the response
  timeout,             // the request deadline or the connect timeout passed (== std::errc::timed_out)
  connection_reset,    // the peer reset the connection (== std::errc::connection_reset)
  too_many_redirects,  // more redirects than client_options::max_redirects (e.g. a redirect loop)
  resolve_failed,      // the host name could not be resolved (getaddrinfo)
  html_too_deep,       // the benchmarks' extract_links (bench/httpkit/links.hpp): elements nest too deep
  malformed_request,   // request_parser: the peer did not send a valid HTTP/1.x request
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// Throws corio::error{make_error_code(e), context}.
[[noreturn]] void throw_error(errc e, const std::string& context);

}  // namespace corio::http

template <>
struct std::is_error_code_enum<corio::http::errc> : std::true_type {};
