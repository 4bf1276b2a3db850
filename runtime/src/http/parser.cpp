// The incremental response parser on libhttp-parser (corio/http/parser.hpp).
//
// How it drives http_parser: callbacks append to `msg`; three of them pause the parser
// (http_parser_pause) so that feed() regains control at an exact byte offset:
//   on_headers_complete  pauses after the header block, so its size on the wire is known exactly
//                        (http_parser resumes on the same byte, the final LF, without re-reading
//                        it as a header byte: the callback is documented to behave as NOADVANCE);
//   on_message_complete  pauses at the end of the response, so the bytes after it are not
//                        consumed (they belong to no request of ours), and also at the end of an
//                        interim 1xx response, after which feed() restarts the parser.
// A callback that finds a limit exceeded records the error and returns non-zero; http_parser then
// stops with HPE_CB_*, and feed() throws the recorded error (message_parser.hpp).
#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>

#include <http_parser.h>

#include <string>

#include "message_parser.hpp"

namespace corio::http {

struct response_parser::impl : detail::message_parser_base<response_parser::impl, response> {
  method req_method = method::get;
  std::size_t prefix_matched = 0;  // bytes of "HTTP/" seen at the start of the current response
  int interim = 0;                 // 1xx responses skipped so far
  bool restart_interim = false;

  static const http_parser_settings settings;

  impl() : message_parser_base(errc::malformed_response, "HTTP response") {}

  void begin_message() {
    message_parser_base::begin_message(HTTP_RESPONSE);
    prefix_matched = 0;
    restart_interim = false;
  }

  static int on_status(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    s.msg.reason.append(at, n);
    return s.count_header_bytes(n);
  }
  static int on_headers_complete(http_parser* p) {
    auto& s = self(p);
    s.msg.status = static_cast<int>(p->status_code);
    s.msg.version_major = p->http_major;
    s.msg.version_minor = p->http_minor;
    s.msg.chunked = (p->flags & F_CHUNKED) != 0;
    s.headers_done = true;
    s.paused_for_headers = true;
    http_parser_pause(p, 1);
    int status = s.msg.status;
    if (status == 101) return s.record(errc::malformed_response, "unexpected 101 Switching Protocols");
    // No body: HEAD, 1xx, 204, 304 (RFC 9112 6.3), whatever Content-Length says.
    if (s.req_method == method::head || (status >= 100 && status < 200) || status == 204 || status == 304) {
      return 1;
    }
    if (s.check_content_length(p) != 0) return -1;
    if ((p->flags & F_CONTENTLENGTH) != 0) s.msg.body.reserve(static_cast<std::size_t>(p->content_length));
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    auto& s = self(p);
    if (s.msg.status >= 100 && s.msg.status < 200) {
      s.restart_interim = true;
    } else {
      s.done = true;
      s.msg.keep_alive = http_should_keep_alive(p) != 0;
    }
    http_parser_pause(p, 1);
    return 0;
  }

  void before_execute(const char* data, std::size_t n) {
    if (prefix_matched < 5) check_prefix(data, n);
  }
  bool restart_after_pause() {
    if (!restart_interim) return false;
    if (++interim > 16) {
      record(errc::malformed_response, "more than 16 interim 1xx responses");
      rethrow();
    }
    begin_message();
    return true;
  }

  // libhttp-parser, built non-strict, reads "HTTX/1.1" as a status line; corio insists on the
  // "HTTP/" that starts every HTTP/1.x response (after the empty lines the parser skips).
  void check_prefix(const char* p, std::size_t n) {
    static constexpr char kPrefix[] = "HTTP/";
    for (std::size_t k = 0; k < n && prefix_matched < 5; ++k) {
      if (prefix_matched == 0 && (p[k] == '\r' || p[k] == '\n')) continue;
      if (p[k] != kPrefix[prefix_matched]) {
        record(errc::malformed_response, "the response does not start with \"HTTP/\"");
        rethrow();
      }
      ++prefix_matched;
    }
  }

  void finish() {
    if (done) return;
    if (failed) rethrow();
    if (!started) {
      record(errc::truncated, "connection closed before any byte of the response");
      rethrow();
    }
    http_parser_execute(&hp, &settings, nullptr, 0);  // length 0 means end of input
    if (done) return;
    if (failed) rethrow();
    auto err = HTTP_PARSER_ERRNO(&hp);
    if (err != HPE_OK && err != HPE_INVALID_EOF_STATE && err != HPE_PAUSED) fail_with(err);
    std::string where;
    if (!headers_done) {
      where = "connection closed inside the header block";
    } else {
      where = "connection closed after " + std::to_string(msg.body.size()) + " body bytes";
      if (!msg.chunked && hp.content_length != ULLONG_MAX) {
        where += ", " + std::to_string(hp.content_length) + " more expected";
      }
    }
    record(errc::truncated, where);
    rethrow();
  }
};

const http_parser_settings response_parser::impl::settings = [] {
  http_parser_settings s = base_settings();
  s.on_status = &impl::on_status;
  s.on_headers_complete = &impl::on_headers_complete;
  s.on_message_complete = &impl::on_message_complete;
  return s;
}();

response_parser::response_parser(parser_limits limits) : impl_(std::make_unique<impl>()) {
  impl_->limits = limits;
  reset(method::get);
}
response_parser::~response_parser() = default;
response_parser::response_parser(response_parser&&) noexcept = default;
response_parser& response_parser::operator=(response_parser&&) noexcept = default;

void response_parser::reset(method m) {
  impl_->req_method = m;
  impl_->interim = 0;
  impl_->begin_message();
  impl_->clear_error();
}

std::size_t response_parser::feed(std::string_view bytes) { return impl_->feed(bytes.data(), bytes.size()); }
void response_parser::finish() { impl_->finish(); }
bool response_parser::complete() const noexcept { return impl_->done; }
bool response_parser::started() const noexcept { return impl_->started; }
bool response_parser::headers_complete() const noexcept { return impl_->headers_done; }
const response& response_parser::current() const noexcept { return impl_->msg; }
const parser_limits& response_parser::limits() const noexcept { return impl_->limits; }

response response_parser::take() {
  if (!impl_->done) throw_error(corio::errc::invalid_argument, "response_parser::take: the response is not complete");
  return std::move(impl_->msg);
}

}  // namespace corio::http
