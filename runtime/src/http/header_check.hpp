// Private: validation of header fields a caller asks corio to write, shared by the request builder
// and the response writer, so that no caller-supplied header can inject another or a message.
#pragma once

#include <initializer_list>
#include <string_view>

#include <corio/http/header.hpp>

namespace corio::http::detail {

// Throws corio::error(corio::errc::invalid_argument) when the name is not an HTTP token, the value
// holds CR, LF or NUL, or the name is one of `reserved` (case-insensitive). `what` starts the
// message ("HTTP request", "HTTP response").
void check_header_field(const header& h, std::string_view what, std::initializer_list<std::string_view> reserved);

// Throws like check_header_field when `value` holds CR, LF or NUL.
void check_header_value(std::string_view name, std::string_view value, std::string_view what);

}  // namespace corio::http::detail
