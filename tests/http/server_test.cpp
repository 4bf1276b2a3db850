// corio::http server side: the incremental request parser (fed whole, byte by byte, in pieces;
// pipelining; limits; bad input) and the response writer (round trip through response_parser).
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/server.hpp>

#include <string>

using corio::http::errc;
using corio::http::parser_limits;
using corio::http::request;
using corio::http::request_parser;

namespace {

request parse(std::string_view wire, std::size_t piece, parser_limits limits = {}) {
  request_parser p(limits);
  if (piece == 0) piece = wire.size();
  for (std::size_t off = 0; off < wire.size() && !p.complete(); off += piece) p.feed(wire.substr(off, piece));
  REQUIRE(p.complete());
  return p.take();
}

request parse_all_ways(std::string_view wire, parser_limits limits = {}) {
  request whole = parse(wire, 0, limits);
  for (std::size_t piece : {std::size_t{1}, std::size_t{3}}) {
    CAPTURE(piece);
    request r = parse(wire, piece, limits);
    CHECK(r.method == whole.method);
    CHECK(r.target == whole.target);
    CHECK(r.body == whole.body);
    CHECK(r.keep_alive == whole.keep_alive);
    CHECK(r.headers.size() == whole.headers.size());
  }
  return whole;
}

std::error_code parse_error(std::string_view wire, std::size_t piece, bool eof, parser_limits limits = {}) {
  request_parser p(limits);
  try {
    if (piece == 0) piece = wire.size() ? wire.size() : 1;
    for (std::size_t off = 0; off < wire.size() && !p.complete(); off += piece) p.feed(wire.substr(off, piece));
    if (eof) p.finish();
  } catch (const corio::error& e) {
    return e.code();
  }
  return {};
}

void check_error_all_ways(std::string_view wire, bool eof, errc expected, parser_limits limits = {}) {
  for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{4}}) {
    CAPTURE(piece);
    CHECK(parse_error(wire, piece, eof, limits) == expected);
  }
}

}  // namespace

TEST_SUITE("http.server") {
  TEST_CASE("request line, headers, keep-alive rules") {
    request r = parse_all_ways("GET /page/17?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: t\r\n\r\n");
    CHECK(r.method == "GET");
    CHECK(r.target == "/page/17?x=1");
    CHECK(r.version_minor == 1);
    CHECK(r.keep_alive);
    CHECK(r.header_value("host") == "127.0.0.1:8080");
    CHECK(r.body.empty());
    CHECK(parse_all_ways("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").method == "HEAD");
    CHECK(!parse_all_ways("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
    CHECK(!parse_all_ways("GET / HTTP/1.0\r\n\r\n").keep_alive);
    CHECK(parse_all_ways("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  }

  TEST_CASE("request bodies, by Content-Length and chunked, within the limit") {
    CHECK(parse_all_ways("POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello").body == "hello");
    CHECK(parse_all_ways("POST /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
              .body == "abcde");
    parser_limits small;
    small.max_body_bytes = 4;
    check_error_all_ways("POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\n", false, errc::body_too_large, small);
    check_error_all_ways("POST /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n", false,
                         errc::body_too_large, small);
  }

  TEST_CASE("pipelined requests are parsed one at a time") {
    std::string a = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    std::string b = "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    std::string wire = a + b + "GET /c";
    request_parser p;
    std::size_t n = p.feed(wire);
    CHECK(n == a.size());
    CHECK(p.feed("more") == 0);
    CHECK(p.take().target == "/a");
    p.reset();
    std::size_t m = p.feed(std::string_view(wire).substr(n));
    CHECK(m == b.size());
    request rb = p.take();
    CHECK(rb.target == "/b");
    CHECK(!rb.keep_alive);
    p.reset();
    p.feed(std::string_view(wire).substr(n + m));
    CHECK(p.started());
    CHECK(!p.complete());
    CHECK_THROWS_AS(p.finish(), corio::error);  // closed inside the request head
  }

  TEST_CASE("the end of a connection between requests is not an error") {
    request_parser p;
    p.finish();
    p.feed("GET / HTTP/1.1\r\n\r\n");
    REQUIRE(p.complete());
    p.finish();
    p.take();
    p.reset();
    p.finish();
    CHECK(!p.started());
    try {
      p.take();
      FAIL("take succeeded");
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::invalid_argument);
    }
  }

  TEST_CASE("bad requests") {
    for (const char* wire : {"GARBAGE\r\n\r\n", "BREW /pot HTTP/1.1\r\n\r\n", "GET /a b HTTP/1.1\r\n\r\n",
                             "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "GET / HTTP/1.1\r\nX\x01Y: z\r\n\r\n",
                             "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                             "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
                             "CONNECT h:443 HTTP/1.1\r\n\r\n", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"}) {
      std::string wire_text = wire;
      CAPTURE(wire_text);
      check_error_all_ways(wire, false, errc::malformed_request);
    }
    check_error_all_ways("GET / HTTP/1.1\r\nHost: h\r\n", true, errc::truncated);
    check_error_all_ways("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc", true, errc::truncated);
  }

  TEST_CASE("maximum header size is exact, whatever the pieces") {
    parser_limits limits;
    limits.max_header_bytes = 100;
    std::string head = "GET /";
    std::string tail = " HTTP/1.1\r\nHost: h\r\n\r\n";
    std::string exact = head + std::string(100 - head.size() - tail.size(), 'p') + tail;
    REQUIRE(exact.size() == 100);
    CHECK(parse_all_ways(exact, limits).target.size() == 1 + 100 - head.size() - tail.size());
    std::string over = head + std::string(101 - head.size() - tail.size(), 'p') + tail;
    check_error_all_ways(over, false, errc::header_too_large, limits);
    std::string flood = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 50; ++i) flood += "X: y\r\n";
    check_error_all_ways(flood, false, errc::header_too_large, limits);
  }

  TEST_CASE("append_response: bytes, HEAD, close, round trip through response_parser") {
    std::string out;
    corio::http::append_response(out, 200, "<p>hi</p>");
    CHECK(out ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 9\r\n"
          "Connection: keep-alive\r\n\r\n<p>hi</p>");
    corio::http::response_parser rp;
    CHECK(rp.feed(out) == out.size());
    auto r = rp.take();
    CHECK(r.status == 200);
    CHECK(r.body == "<p>hi</p>");
    CHECK(r.keep_alive);

    corio::http::response_options o;
    o.keep_alive = false;
    o.head_only = true;
    o.content_type = "";
    const corio::http::header extra[] = {{"X-Page", "17"}};
    o.extra_headers = extra;
    out.clear();
    corio::http::append_response(out, 404, "not here", o);
    CHECK(out == "HTTP/1.1 404 Not Found\r\nContent-Length: 8\r\nConnection: close\r\nX-Page: 17\r\n\r\n");
    rp.reset(corio::http::method::head);
    CHECK(rp.feed(out) == out.size());
    auto h = rp.take();
    CHECK(h.status == 404);
    CHECK(!h.keep_alive);
    CHECK(h.header_value("Content-Length") == "8");

    CHECK(std::string(corio::http::reason_phrase(503)) == "Service Unavailable");
    CHECK(std::string(corio::http::reason_phrase(299)) == "Unknown");
    CHECK(std::string(corio::http::reason_phrase(-5)) == "Unknown");
  }

  TEST_CASE("append_response rejects bad statuses and header injection") {
    std::string out;
    for (int status : {0, 99, 1000, -1}) {
      CAPTURE(status);
      CHECK_THROWS_AS(corio::http::append_response(out, status, ""), corio::error);
    }
    for (auto h : {corio::http::header{"X", "a\r\n\r\nHTTP/1.1 200 OK"}, corio::http::header{"Content-Length", "1"},
                   corio::http::header{"connection", "close"}, corio::http::header{"Content-Type", "x"},
                   corio::http::header{"A B", "c"}}) {
      CAPTURE(h.name);
      corio::http::response_options o;
      o.extra_headers = {&h, 1};
      try {
        corio::http::append_response(out, 200, "", o);
        FAIL("accepted");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::invalid_argument);
      }
    }
    corio::http::response_options ct;
    ct.content_type = "text/html\r\nX: y";
    CHECK_THROWS_AS(corio::http::append_response(out, 200, "", ct), corio::error);
    CHECK(out.empty());  // nothing half-written
  }
}
