// The server side of HTTP/1.1 (corio/http/server.hpp): the request parser on libhttp-parser and
// the response writer. The parser drives http_parser as parser.cpp does (see the comment there):
// it pauses after the header block, to count its bytes on the wire exactly, and after the
// request, so that pipelined bytes stay unconsumed.
#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/server.hpp>

#include <http_parser.h>

#include "header_check.hpp"
#include "message_parser.hpp"

namespace corio::http {

std::optional<std::string_view> request::header_value(std::string_view name) const noexcept {
  for (const auto& h : headers) {
    if (header_name_equals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

struct request_parser::impl : detail::message_parser_base<request_parser::impl, request> {
  static const http_parser_settings settings;

  impl() : message_parser_base(errc::malformed_request, "HTTP request") {}

  static int on_url(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    s.msg.target.append(at, n);
    return s.count_header_bytes(n);
  }
  static int on_headers_complete(http_parser* p) {
    auto& s = self(p);
    s.msg.method = http_method_str(static_cast<http_method>(p->method));
    s.msg.version_major = p->http_major;
    s.msg.version_minor = p->http_minor;
    s.headers_done = s.paused_for_headers = true;
    http_parser_pause(p, 1);
    if (p->upgrade) return s.record(errc::malformed_request, "protocol upgrades and CONNECT are not supported");
    return s.check_content_length(p);
  }
  void begin() {
    begin_message(HTTP_REQUEST);
    clear_error();
  }

  static int on_message_complete(http_parser* p) {
    auto& s = self(p);
    s.done = true;
    s.msg.keep_alive = http_should_keep_alive(p) != 0;
    http_parser_pause(p, 1);
    return 0;
  }

};

const http_parser_settings request_parser::impl::settings = [] {
  http_parser_settings s = base_settings();
  s.on_url = &impl::on_url;
  s.on_headers_complete = &impl::on_headers_complete;
  s.on_message_complete = &impl::on_message_complete;
  return s;
}();

request_parser::request_parser(parser_limits limits) : impl_(std::make_unique<impl>()) {
  impl_->limits = limits;
  impl_->begin();
}
request_parser::~request_parser() = default;
request_parser::request_parser(request_parser&&) noexcept = default;
request_parser& request_parser::operator=(request_parser&&) noexcept = default;

void request_parser::reset() { impl_->begin(); }
std::size_t request_parser::feed(std::string_view bytes) { return impl_->feed(bytes.data(), bytes.size()); }
bool request_parser::complete() const noexcept { return impl_->done; }
bool request_parser::started() const noexcept { return impl_->started; }
const request& request_parser::current() const noexcept { return impl_->msg; }

void request_parser::finish() {
  if (impl_->failed) impl_->rethrow();
  if (impl_->done || !impl_->started) return;
  impl_->record(errc::truncated, impl_->headers_done ? "connection closed inside the request body"
                                                     : "connection closed inside the request head");
  impl_->rethrow();
}

request request_parser::take() {
  if (!impl_->done) throw_error(corio::errc::invalid_argument, "request_parser::take: the request is not complete");
  return std::move(impl_->msg);
}

const char* reason_phrase(int status) noexcept {
  if (status < 100 || status > 999) return "Unknown";
  const char* s = http_status_str(static_cast<http_status>(status));
  return (s && *s && std::string_view(s) != "<unknown>") ? s : "Unknown";
}

void append_response(std::string& out, int status, std::string_view body, const response_options& options) {
  if (status < 100 || status > 999) {
    throw_error(corio::errc::invalid_argument, "HTTP response: status " + std::to_string(status) + " is not 100..999");
  }
  detail::check_header_value("Content-Type", options.content_type, "HTTP response");
  for (const auto& h : options.extra_headers) {
    detail::check_header_field(h, "HTTP response", {"Content-Length", "Transfer-Encoding", "Connection"});
    if (!options.content_type.empty() && header_name_equals(h.name, "Content-Type")) {
      throw_error(corio::errc::invalid_argument, "HTTP response: Content-Type given twice");
    }
  }
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
  if (!options.content_type.empty()) {
    out += "Content-Type: ";
    out += options.content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(body.size());
  out += options.keep_alive ? "\r\nConnection: keep-alive\r\n" : "\r\nConnection: close\r\n";
  for (const auto& h : options.extra_headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  if (!options.head_only) out += body;
}

}  // namespace corio::http
