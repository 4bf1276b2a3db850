// corio/http/redirect.hpp - which responses are redirects, and where they point.
//
// What it does: the redirect rules both clients follow. A response redirects when its status is
// 301, 302, 303, 307 or 308 and it has a Location header; Location is resolved against the URL of
// the request that got it (RFC 9110 10.2.2: it may be relative). GET and HEAD are the only methods
// corio sends, and every one of these statuses keeps them as they are (303 would turn other
// methods into GET).
// Errors: a Location that cannot be followed (https, garbage) throws corio::error with the code of
// url::resolve (unsupported_scheme, invalid_url).
// Threads, cancellation, buffers: not applicable (no IO).
#pragma once

#include <optional>

#include <corio/http/response.hpp>
#include <corio/http/url.hpp>

namespace corio::http {

// 301, 302, 303, 307, 308.
bool is_redirect_status(int status) noexcept;

// The URL `r` redirects to, or nullopt when r is not a redirect (or has no Location).
std::optional<url> redirect_target(const response& r, const url& request_url);

}  // namespace corio::http
