// The incremental response parser on libhttp-parser (corio/http/parser.hpp).
//
// How it drives http_parser: callbacks append to `resp`; three of them pause the parser
// (http_parser_pause) so that feed() regains control at an exact byte offset:
//   on_headers_complete  pauses after the header block, so its size on the wire is known exactly
//                        (http_parser resumes on the same byte, the final LF, without re-reading
//                        it as a header byte: the callback is documented to behave as NOADVANCE);
//   on_message_complete  pauses at the end of the response, so the bytes after it are not
//                        consumed (they belong to no request of ours), and also at the end of an
//                        interim 1xx response, after which feed() restarts the parser.
// A callback that finds a limit exceeded records the error in `pending` and returns non-zero;
// http_parser then stops with HPE_CB_*, and feed() throws the recorded error.
#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>

#include <http_parser.h>

#include <string>

namespace corio::http {

struct response_parser::impl {
  http_parser hp{};
  parser_limits limits;
  method req_method = method::get;
  response resp;
  enum class last_cb { none, field, value } last = last_cb::none;
  std::size_t prefix_matched = 0;     // bytes of "HTTP/" seen at the start of the current response
  std::size_t header_wire_bytes = 0;  // bytes of the current header block consumed so far
  std::size_t header_cb_bytes = 0;    // bytes seen by the status/field/value callbacks
  int interim = 0;                    // 1xx responses skipped so far
  bool started = false, headers_done = false, paused_for_headers = false, done = false;
  bool restart_interim = false;
  bool failed = false;
  errc error_code = errc::malformed_response;
  std::string error_detail;

  static const http_parser_settings settings;

  void begin_message() {
    http_parser_init(&hp, HTTP_RESPONSE);
    hp.data = this;
    resp = response{};
    last = last_cb::none;
    header_wire_bytes = header_cb_bytes = prefix_matched = 0;
    headers_done = paused_for_headers = done = restart_interim = false;
  }

  int record(errc code, std::string detail) {
    failed = true;
    error_code = code;
    error_detail = std::move(detail);
    return -1;
  }
  [[noreturn]] void rethrow() const { throw_error(error_code, "HTTP response: " + error_detail); }

  int count_header_bytes(std::size_t n) {
    header_cb_bytes += n;
    if (header_cb_bytes > limits.max_header_bytes) {
      return record(errc::header_too_large, "header block exceeds " + std::to_string(limits.max_header_bytes) + " bytes");
    }
    return 0;
  }

  static impl& self(http_parser* p) { return *static_cast<impl*>(p->data); }

  static int on_status(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    s.resp.reason.append(at, n);
    return s.count_header_bytes(n);
  }
  static int on_header_field(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    std::size_t framing = 0;
    if (s.last != last_cb::field) {
      s.resp.headers.emplace_back();
      framing = 4;  // ": " and CRLF (a lower bound: the wire count below is exact)
    }
    s.resp.headers.back().name.append(at, n);
    s.last = last_cb::field;
    return s.count_header_bytes(n + framing);
  }
  static int on_header_value(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    if (s.resp.headers.empty()) s.resp.headers.emplace_back();  // cannot happen: a value follows a field
    s.resp.headers.back().value.append(at, n);
    s.last = last_cb::value;
    return s.count_header_bytes(n);
  }
  static int on_headers_complete(http_parser* p) {
    auto& s = self(p);
    s.resp.status = static_cast<int>(p->status_code);
    s.resp.version_major = p->http_major;
    s.resp.version_minor = p->http_minor;
    s.resp.chunked = (p->flags & F_CHUNKED) != 0;
    s.headers_done = true;
    s.paused_for_headers = true;
    http_parser_pause(p, 1);
    int status = s.resp.status;
    if (status == 101) return s.record(errc::malformed_response, "unexpected 101 Switching Protocols");
    // No body: HEAD, 1xx, 204, 304 (RFC 9112 6.3), whatever Content-Length says.
    if (s.req_method == method::head || (status >= 100 && status < 200) || status == 204 || status == 304) {
      return 1;
    }
    if ((p->flags & F_CONTENTLENGTH) != 0) {
      if (p->content_length > s.limits.max_body_bytes) {
        return s.record(errc::body_too_large, "Content-Length " + std::to_string(p->content_length) +
                                                  " exceeds " + std::to_string(s.limits.max_body_bytes) + " bytes");
      }
      s.resp.body.reserve(static_cast<std::size_t>(p->content_length));
    }
    return 0;
  }
  static int on_body(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    if (n > s.limits.max_body_bytes - s.resp.body.size()) {
      return s.record(errc::body_too_large, "body exceeds " + std::to_string(s.limits.max_body_bytes) + " bytes");
    }
    s.resp.body.append(at, n);
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    auto& s = self(p);
    if (s.resp.status >= 100 && s.resp.status < 200) {
      s.restart_interim = true;
    } else {
      s.done = true;
      s.resp.keep_alive = http_should_keep_alive(p) != 0;
    }
    http_parser_pause(p, 1);
    return 0;
  }

  std::size_t feed(const char* data, std::size_t len) {
    if (failed) rethrow();
    if (done || len == 0) return 0;
    started = true;
    std::size_t used = 0;
    while (used < len) {
      if (prefix_matched < 5) check_prefix(data + used, len - used);
      bool in_headers = !headers_done;
      std::size_t n = http_parser_execute(&hp, &settings, data + used, len - used);
      used += n;
      auto err = HTTP_PARSER_ERRNO(&hp);
      if (in_headers) {
        // Paused at the end of the header block: http_parser stopped before the final LF.
        header_wire_bytes += n + (paused_for_headers ? 1 : 0);
        if (header_wire_bytes > limits.max_header_bytes && !failed) {
          record(errc::header_too_large, "header block exceeds " + std::to_string(limits.max_header_bytes) + " bytes");
        }
      }
      if (failed) rethrow();
      if (err == HPE_PAUSED) {
        http_parser_pause(&hp, 0);
        if (paused_for_headers) {
          paused_for_headers = false;
          continue;
        }
        if (restart_interim) {
          if (++interim > 16) {
            record(errc::malformed_response, "more than 16 interim 1xx responses");
            rethrow();
          }
          begin_message();
          continue;
        }
        return used;  // done
      }
      if (err != HPE_OK) fail_with(err);
      if (n == 0) break;  // http_parser made no progress without an error: should not happen
    }
    return used;
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
      where = "connection closed after " + std::to_string(resp.body.size()) + " body bytes";
      if (!resp.chunked && hp.content_length != ULLONG_MAX) {
        where += ", " + std::to_string(hp.content_length) + " more expected";
      }
    }
    record(errc::truncated, where);
    rethrow();
  }

  [[noreturn]] void fail_with(http_errno err) {
    if (err == HPE_HEADER_OVERFLOW) {
      record(errc::header_too_large, "header block exceeds libhttp-parser's limit");
    } else if (err == HPE_INVALID_EOF_STATE) {
      record(errc::truncated, "connection closed inside the response");
    } else {
      record(errc::malformed_response, std::string(http_errno_description(err)));
    }
    rethrow();
  }
};

const http_parser_settings response_parser::impl::settings = [] {
  http_parser_settings s;
  http_parser_settings_init(&s);
  s.on_status = &impl::on_status;
  s.on_header_field = &impl::on_header_field;
  s.on_header_value = &impl::on_header_value;
  s.on_headers_complete = &impl::on_headers_complete;
  s.on_body = &impl::on_body;
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
  impl_->started = impl_->failed = false;
  impl_->interim = 0;
  impl_->error_detail.clear();
  impl_->begin_message();
}

std::size_t response_parser::feed(std::string_view bytes) { return impl_->feed(bytes.data(), bytes.size()); }
void response_parser::finish() { impl_->finish(); }
bool response_parser::complete() const noexcept { return impl_->done; }
bool response_parser::started() const noexcept { return impl_->started; }
bool response_parser::headers_complete() const noexcept { return impl_->headers_done; }
const response& response_parser::current() const noexcept { return impl_->resp; }
const parser_limits& response_parser::limits() const noexcept { return impl_->limits; }

response response_parser::take() {
  if (!impl_->done) throw_error(corio::errc::invalid_argument, "response_parser::take: the response is not complete");
  return std::move(impl_->resp);
}

}  // namespace corio::http
