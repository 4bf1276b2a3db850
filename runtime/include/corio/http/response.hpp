// corio/http/response.hpp - a parsed HTTP/1.x response.
//
// What it does: holds what response_parser read: status line, headers in arrival order (trailers
// of a chunked body appended after them), the body with chunked framing removed, and whether the
// connection may carry another request. Clients also record the URL that produced it (after
// redirects) and how many redirects they followed.
// Threads, cancellation, buffers: not applicable (a plain value; header_value returns a view into
// this object).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <corio/http/header.hpp>
#include <corio/http/url.hpp>

namespace corio::http {

struct response {
  int status = 0;               // e.g. 200
  std::string reason;           // e.g. "OK" (may be empty)
  int version_major = 1;        // HTTP/1.x
  int version_minor = 1;
  std::vector<header> headers;  // as received
  std::string body;             // decoded; empty for HEAD, 1xx, 204 and 304
  bool chunked = false;         // the body came with Transfer-Encoding: chunked
  bool keep_alive = false;      // HTTP/1.x rules + Connection header: the connection can be reused
  url final_url;                // set by clients: the URL that answered (after redirects)
  int redirects = 0;            // set by clients: redirects followed to get here

  // The value of the first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> header_value(std::string_view name) const noexcept;
};

}  // namespace corio::http
