// What the request parser (server.cpp) and the response parser (parser.cpp) share: the state of
// one message being parsed by libhttp-parser, the error a callback records, the header-size
// budget, and the callbacks that collect header fields, header values and the body.
//
// A callback that finds a limit exceeded records the error and returns non-zero; http_parser then
// stops with HPE_CB_*, and feed() throws the recorded error (rethrow()).
#pragma once

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>

#include <http_parser.h>

#include <cstddef>
#include <string>
#include <utility>

namespace corio::http::detail {

// Derived: the parser's impl (CRTP: http_parser's `data` points to it). Message: request or
// response (both have `headers` and `body`).
template <class Derived, class Message>
struct message_parser_base {
  http_parser hp{};
  parser_limits limits;
  Message msg;
  bool last_was_field = false;        // the last header callback was on_header_field
  std::size_t header_wire_bytes = 0;  // bytes of the current header block consumed so far
  std::size_t header_cb_bytes = 0;    // bytes seen by the start-line/field/value callbacks
  bool started = false, headers_done = false, paused_for_headers = false, done = false;
  bool failed = false;
  errc error_code;
  std::string error_detail;
  const errc malformed;  // malformed_request or malformed_response
  const char* what;      // "HTTP request" or "HTTP response": the start of every error message

  message_parser_base(errc malformed_, const char* what_) : error_code(malformed_), malformed(malformed_), what(what_) {}

  static Derived& self(http_parser* p) { return *static_cast<Derived*>(p->data); }

  // Starts a new message: http_parser reset, collected data dropped (the error state is kept).
  // Forgets a recorded error and that any byte was fed (with begin_message: parsing starts anew).
  void clear_error() {
    started = failed = false;
    error_detail.clear();
  }

  void begin_message(http_parser_type type) {
    http_parser_init(&hp, type);
    hp.data = static_cast<Derived*>(this);
    msg = Message{};
    last_was_field = false;
    header_wire_bytes = header_cb_bytes = 0;
    headers_done = paused_for_headers = done = false;
  }

  // Hooks of feed() that Derived may hide: look at the bytes before http_parser does; restart
  // after a pause that ended a message other than the one wanted (true: go on parsing).
  void before_execute(const char*, std::size_t) {}
  bool restart_after_pause() { return false; }

  // Throws the error http_parser stopped with.
  [[noreturn]] void fail_with(http_errno err) {
    if (err == HPE_HEADER_OVERFLOW) {
      record(errc::header_too_large, "header block exceeds libhttp-parser's limit");
    } else if (err == HPE_INVALID_EOF_STATE) {
      record(errc::truncated, std::string("connection closed inside the ") + (what + 5));  // "request"/"response"
    } else {
      record(malformed, http_errno_description(err));
    }
    rethrow();
  }

  int record(errc code, std::string detail) {
    failed = true;
    error_code = code;
    error_detail = std::move(detail);
    return -1;
  }
  [[noreturn]] void rethrow() const { throw_error(error_code, std::string(what) + ": " + error_detail); }

  std::string header_limit_text() const {
    return "header block exceeds " + std::to_string(limits.max_header_bytes) + " bytes";
  }
  int count_header_bytes(std::size_t n) {
    header_cb_bytes += n;
    return header_cb_bytes > limits.max_header_bytes ? record(errc::header_too_large, header_limit_text()) : 0;
  }
  // After http_parser_execute consumed n bytes while the header block was being read: counts them
  // (plus the final LF that the pause at on_headers_complete leaves unconsumed).
  void count_header_wire_bytes(std::size_t n) {
    header_wire_bytes += n + (paused_for_headers ? 1 : 0);
    if (header_wire_bytes > limits.max_header_bytes && !failed) record(errc::header_too_large, header_limit_text());
  }
  int check_content_length(const http_parser* p) {
    if ((p->flags & F_CONTENTLENGTH) != 0 && p->content_length > limits.max_body_bytes) {
      return record(errc::body_too_large, "Content-Length " + std::to_string(p->content_length) + " exceeds " +
                                              std::to_string(limits.max_body_bytes) + " bytes");
    }
    return 0;
  }

  static int on_header_field(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    std::size_t framing = 0;
    if (!s.last_was_field) {
      s.msg.headers.emplace_back();
      framing = 4;  // ": " and CRLF (a lower bound: the wire count is exact)
    }
    s.msg.headers.back().name.append(at, n);
    s.last_was_field = true;
    return s.count_header_bytes(n + framing);
  }
  static int on_header_value(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    if (s.msg.headers.empty()) s.msg.headers.emplace_back();  // cannot happen: a value follows a field
    s.msg.headers.back().value.append(at, n);
    s.last_was_field = false;
    return s.count_header_bytes(n);
  }
  static int on_body(http_parser* p, const char* at, std::size_t n) {
    auto& s = self(p);
    if (n > s.limits.max_body_bytes - s.msg.body.size()) {
      return s.record(errc::body_too_large, "body exceeds " + std::to_string(s.limits.max_body_bytes) + " bytes");
    }
    s.msg.body.append(at, n);
    return 0;
  }

  // Feeds bytes to http_parser; returns how many belong to the current message (a complete message
  // leaves the rest unconsumed). Derived provides `settings` and may hide the hooks above.
  std::size_t feed(const char* data, std::size_t len) {
    Derived& d = *static_cast<Derived*>(this);
    if (failed) rethrow();
    if (done || len == 0) return 0;
    started = true;
    std::size_t used = 0;
    while (used < len) {
      d.before_execute(data + used, len - used);
      const bool in_headers = !headers_done;
      const std::size_t n = http_parser_execute(&hp, &Derived::settings, data + used, len - used);
      used += n;
      const auto err = HTTP_PARSER_ERRNO(&hp);
      if (in_headers) count_header_wire_bytes(n);
      if (failed) rethrow();
      if (err == HPE_PAUSED) {
        http_parser_pause(&hp, 0);
        if (paused_for_headers) {
          paused_for_headers = false;
          continue;
        }
        if (d.restart_after_pause()) continue;
        return used;  // the message is complete
      }
      if (err != HPE_OK) d.fail_with(err);
      if (n == 0) break;  // http_parser made no progress without an error: should not happen
    }
    return used;
  }

  // Settings with the shared callbacks; the caller adds its start-line, headers-complete and
  // message-complete callbacks.
  static http_parser_settings base_settings() {
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_header_field = &on_header_field;
    s.on_header_value = &on_header_value;
    s.on_body = &on_body;
    return s;
  }
};

}  // namespace corio::http::detail
