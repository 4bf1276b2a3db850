// corio/http/request.hpp - the bytes of an HTTP/1.1 GET or HEAD request.
//
// What it does: build_request(method::get, url) returns
//   "GET /path?query HTTP/1.1\r\nHost: host[:port]\r\nUser-Agent: corio-http/0.1\r\n"
//   "Accept: */*\r\nConnection: keep-alive\r\n\r\n"
// (Connection: close when !keep_alive), plus any extra headers before the blank line. Both clients
// (corio::http::client, and the benchmarks' blocking client in bench/httpkit) send exactly these bytes, so execution models
// differ only in how they wait. Requests have no body.
//
// Bad input: an empty url throws corio::error(http::errc::invalid_url); an extra header whose
// name is not an HTTP token, whose value contains CR, LF or NUL, or that repeats a header the
// builder writes itself (Host, Connection, User-Agent, Content-Length, Transfer-Encoding) throws
// corio::error(corio::errc::invalid_argument): a header cannot inject another request.
//
// Threads, cancellation: not applicable (no IO). Buffers: nothing is kept after the call.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <corio/http/header.hpp>
#include <corio/http/url.hpp>

namespace corio::http {

enum class method { get, head };

// "GET" or "HEAD".
const char* to_string(method m) noexcept;

struct request_options {
  bool keep_alive = true;                         // Connection: keep-alive, or Connection: close
  std::string_view user_agent = "corio-http/0.1";  // empty: no User-Agent header
  std::span<const header> extra_headers = {};      // appended in order
};

// Appends the request to `out` (which may already hold other bytes: reuse its capacity).
void append_request(std::string& out, method m, const url& u, const request_options& options = {});
std::string build_request(method m, const url& u, const request_options& options = {});

}  // namespace corio::http
