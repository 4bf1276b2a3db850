// Request building (corio/http/request.hpp), header name comparison (corio/http/header.hpp) and
// response::header_value (corio/http/response.hpp).
#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/header.hpp>
#include <corio/http/request.hpp>
#include <corio/http/response.hpp>

#include <cstring>

#include "header_check.hpp"

namespace corio::http {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

// RFC 9110 5.6.2 tchar.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool ok = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
              (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

namespace detail {

void check_header_value(std::string_view name, std::string_view value, std::string_view what) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      throw_error(corio::errc::invalid_argument, std::string(what) + ": header " + std::string(name) +
                                                     " has CR, LF or NUL in its value");
    }
  }
}

void check_header_field(const header& h, std::string_view what, std::initializer_list<std::string_view> reserved) {
  if (!is_token(h.name)) {
    throw_error(corio::errc::invalid_argument, std::string(what) + ": header name \"" + h.name + "\" is not a token");
  }
  check_header_value(h.name, h.value, what);
  for (std::string_view own : reserved) {
    if (header_name_equals(h.name, own)) {
      throw_error(corio::errc::invalid_argument, std::string(what) + ": header " + std::string(own) +
                                                     " is written by corio itself");
    }
  }
}

}  // namespace detail

bool header_name_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> response::header_value(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (header_name_equals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

const char* to_string(method m) noexcept { return m == method::head ? "HEAD" : "GET"; }

void append_request(std::string& out, method m, const url& u, const request_options& options) {
  if (u.empty()) throw_error(errc::invalid_url, "HTTP request: empty URL");
  for (const auto& h : options.extra_headers) {
    detail::check_header_field(h, "HTTP request",
                               {"Host", "Connection", "User-Agent", "Content-Length", "Transfer-Encoding"});
  }
  detail::check_header_value("User-Agent", options.user_agent, "HTTP request");
  out += to_string(m);
  out += ' ';
  out += u.target();
  out += " HTTP/1.1\r\nHost: ";
  out += u.authority();
  out += "\r\n";
  if (!options.user_agent.empty()) {
    out += "User-Agent: ";
    out += options.user_agent;
    out += "\r\n";
  }
  out += "Accept: */*\r\n";
  out += options.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& h : options.extra_headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
}

std::string build_request(method m, const url& u, const request_options& options) {
  std::string out;
  append_request(out, m, u, options);
  return out;
}

}  // namespace corio::http
