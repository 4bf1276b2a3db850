// corio::http request building and the incremental response parser: every response is parsed fed
// in one piece, byte by byte and in uneven pieces, and must give the same result each way.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/parser.hpp>
#include <corio/http/redirect.hpp>
#include <corio/http/request.hpp>

#include <functional>
#include <string>
#include <vector>

using corio::http::errc;
using corio::http::method;
using corio::http::parser_limits;
using corio::http::response;
using corio::http::response_parser;
using corio::http::url;

namespace {

// Feeds `wire` in pieces of `piece` bytes (0: one piece), then finish() if `eof`. Returns the
// response; `consumed` gets the bytes the parser took.
response parse(std::string_view wire, std::size_t piece, bool eof = false, method m = method::get,
               parser_limits limits = {}, std::size_t* consumed = nullptr) {
  response_parser p(limits);
  p.reset(m);
  std::size_t used = 0;
  if (piece == 0) piece = wire.size() ? wire.size() : 1;
  for (std::size_t off = 0; off < wire.size() && !p.complete(); off += piece) {
    std::string_view chunk = wire.substr(off, piece);
    std::size_t n = p.feed(chunk);
    used += n;
    if (n < chunk.size()) {
      CHECK(p.complete());
      break;
    }
  }
  if (eof) p.finish();
  if (consumed) *consumed = used;
  REQUIRE(p.complete());
  return p.take();
}

// The same response, fed whole, byte by byte and in pieces of 7 bytes, must parse the same.
response parse_all_ways(std::string_view wire, bool eof = false, method m = method::get, parser_limits limits = {}) {
  response whole = parse(wire, 0, eof, m, limits);
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}}) {
    CAPTURE(piece);
    response r = parse(wire, piece, eof, m, limits);
    CHECK(r.status == whole.status);
    CHECK(r.reason == whole.reason);
    CHECK(r.body == whole.body);
    CHECK(r.keep_alive == whole.keep_alive);
    CHECK(r.chunked == whole.chunked);
    REQUIRE(r.headers.size() == whole.headers.size());
    for (std::size_t i = 0; i < r.headers.size(); ++i) {
      CHECK(r.headers[i].name == whole.headers[i].name);
      CHECK(r.headers[i].value == whole.headers[i].value);
    }
  }
  return whole;
}

// The error a response produces, fed in pieces of `piece` bytes (0: whole), then finish() if eof.
std::error_code parse_error(std::string_view wire, std::size_t piece, bool eof, parser_limits limits = {},
                            method m = method::get) {
  response_parser p(limits);
  p.reset(m);
  try {
    if (piece == 0) piece = wire.size() ? wire.size() : 1;
    for (std::size_t off = 0; off < wire.size() && !p.complete(); off += piece) p.feed(wire.substr(off, piece));
    if (eof) p.finish();
  } catch (const corio::error& e) {
    // After an error, the parser keeps failing until reset.
    CHECK_THROWS_AS(p.feed("x"), corio::error);
    return e.code();
  }
  return {};
}

void check_error_all_ways(std::string_view wire, bool eof, errc expected, parser_limits limits = {},
                          method m = method::get) {
  for (std::size_t piece : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
    CAPTURE(piece);
    CHECK(parse_error(wire, piece, eof, limits, m) == expected);
  }
}

}  // namespace

TEST_SUITE("http.request") {
  TEST_CASE("GET and HEAD request bytes") {
    url u = url::parse("http://Example.com:8080/a/b?x=1#frag");
    CHECK(corio::http::build_request(method::get, u) ==
          "GET /a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: corio-http/0.1\r\n"
          "Accept: */*\r\nConnection: keep-alive\r\n\r\n");
    corio::http::request_options o;
    o.keep_alive = false;
    o.user_agent = "";
    CHECK(corio::http::build_request(method::head, url::parse("http://h/"), o) ==
          "HEAD / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    CHECK(corio::http::build_request(method::get, url::parse("http://[::1]:81/")).find("Host: [::1]:81\r\n") !=
          std::string::npos);
    const corio::http::header extra[] = {{"X-Test", "1"}, {"Accept-Language", "en"}};
    o.extra_headers = extra;
    std::string out = "prefix";
    corio::http::append_request(out, method::get, url::parse("http://h/"), o);
    CHECK(out == "prefixGET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\nX-Test: 1\r\n"
                 "Accept-Language: en\r\n\r\n");
  }

  TEST_CASE("request building rejects header injection and empty URLs") {
    url u = url::parse("http://h/");
    auto with = [&](corio::http::header h) {
      corio::http::request_options o;
      o.extra_headers = {&h, 1};
      return corio::http::build_request(method::get, u, o);
    };
    for (auto h : {corio::http::header{"X", "a\r\nHost: evil"}, corio::http::header{"X", "a\nb"},
                   corio::http::header{"X", std::string("a\0b", 3)}, corio::http::header{"Bad Name", "v"},
                   corio::http::header{"", "v"}, corio::http::header{"X:Y", "v"}, corio::http::header{"host", "h2"},
                   corio::http::header{"Connection", "upgrade"}, corio::http::header{"content-length", "5"}}) {
      CAPTURE(h.name);
      try {
        with(h);
        FAIL("accepted");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::invalid_argument);
      }
    }
    corio::http::request_options o;
    o.user_agent = "ua\r\nX: y";
    CHECK_THROWS_AS(corio::http::build_request(method::get, u, o), corio::error);
    try {
      corio::http::build_request(method::get, url{});
      FAIL("accepted");
    } catch (const corio::error& e) {
      CHECK(e.code() == errc::invalid_url);
    }
  }
}

TEST_SUITE("http.parser") {
  TEST_CASE("Content-Length body, headers, reason, keep-alive") {
    response r = parse_all_ways(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\nX-Multi: a\r\nx-multi: b\r\n\r\n"
        "hello world");
    CHECK(r.status == 200);
    CHECK(r.reason == "OK");
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 1);
    CHECK(r.body == "hello world");
    CHECK(r.keep_alive);
    CHECK(!r.chunked);
    REQUIRE(r.headers.size() == 4);
    CHECK(r.headers[0].name == "Content-Type");
    CHECK(r.headers[0].value == "text/html");
    CHECK(r.header_value("content-type") == "text/html");
    CHECK(r.header_value("X-MULTI") == "a");
    CHECK(!r.header_value("Location"));
  }

  TEST_CASE("chunked body with extensions and trailers") {
    std::string wire =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n"
        "1;ext=1\r\n \r\n"
        "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
        "0\r\nX-Trailer: t\r\n\r\n";
    response r = parse_all_ways(wire);
    CHECK(r.chunked);
    CHECK(r.body == "hello abcdefghijklmnopqrstuvwxyz");
    CHECK(r.keep_alive);
    CHECK(r.header_value("X-Trailer") == "t");
    std::size_t used = 0;
    parse(wire + "HTTP/1.1 200 OK\r\n", 0, false, method::get, {}, &used);
    CHECK(used == wire.size());
  }

  TEST_CASE("keep-alive rules of HTTP/1.0 and 1.1") {
    CHECK(!parse_all_ways("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
    CHECK(!parse_all_ways("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
    CHECK(parse_all_ways("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
    CHECK(parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  }

  TEST_CASE("a body delimited by the end of the connection needs finish()") {
    std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
    response_parser p;
    p.reset();
    CHECK(p.feed(wire) == wire.size());
    CHECK(p.headers_complete());
    CHECK(!p.complete());
    CHECK(p.current().status == 200);
    p.finish();
    REQUIRE(p.complete());
    response r = p.take();
    CHECK(r.body == "until the end");
    CHECK(!r.keep_alive);
    CHECK(parse_all_ways(wire, true).body == "until the end");
  }

  TEST_CASE("responses without a body: HEAD, 204, 304, and interim 1xx") {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    response r = parse_all_ways(head, false, method::head);
    CHECK(r.body.empty());
    CHECK(r.keep_alive);
    std::size_t used = 0;
    parse(head + "HTTP/1.1 200 OK\r\n", 0, false, method::head, {}, &used);
    CHECK(used == head.size());

    CHECK(parse_all_ways("HTTP/1.1 204 No Content\r\n\r\n").status == 204);
    response nm = parse_all_ways("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
    CHECK(nm.status == 304);
    CHECK(nm.body.empty());
    CHECK(nm.keep_alive);

    response c = parse_all_ways(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CHECK(c.status == 200);
    CHECK(c.body == "ok");
    CHECK(!c.header_value("Link"));
  }

  TEST_CASE("one parser, several responses in a row, bytes after a response are not consumed") {
    std::string a = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
    std::string b = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n";
    std::string wire = a + b;
    response_parser p;
    p.reset();
    std::size_t n = p.feed(wire);
    CHECK(n == a.size());
    REQUIRE(p.complete());
    CHECK(p.feed("more") == 0);  // complete: nothing more is consumed
    CHECK(p.take().body == "a");
    p.reset();
    CHECK(!p.started());
    CHECK(p.feed(std::string_view(wire).substr(n)) == b.size());
    REQUIRE(p.complete());
    response r = p.take();
    CHECK(r.status == 404);
    CHECK(r.body == "b");
  }

  TEST_CASE("take() before the end is an error, feeding nothing is not") {
    response_parser p;
    p.reset();
    CHECK(p.feed("") == 0);
    CHECK(!p.started());
    p.feed("HTTP/1.1 200 OK\r\n");
    CHECK(p.started());
    CHECK(!p.headers_complete());
    try {
      p.take();
      FAIL("take succeeded");
    } catch (const corio::error& e) {
      CHECK(e.code() == corio::errc::invalid_argument);
    }
  }

  TEST_CASE("malformed responses") {
    const char* bad[] = {
        "GARBAGE\r\n\r\n",
        "HTTX/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello-like byte soup
        "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: a\001b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    };
    for (const char* wire : bad) {
      std::string wire_text = wire;
      CAPTURE(wire_text);
      check_error_all_ways(wire, false, errc::malformed_response);
    }
    std::string many_interim;
    for (int i = 0; i < 17; ++i) many_interim += "HTTP/1.1 100 Continue\r\n\r\n";
    check_error_all_ways(many_interim, false, errc::malformed_response);
  }

  TEST_CASE("truncated responses") {
    const char* cut[] = {
        "H",
        "HTTP/1.1 200 OK\r\nContent-Le",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n",
    };
    for (const char* wire : cut) {
      std::string wire_text = wire;
      CAPTURE(wire_text);
      check_error_all_ways(wire, true, errc::truncated);
    }
    response_parser p;
    p.reset();
    try {
      p.finish();  // no byte at all
      FAIL("finish succeeded");
    } catch (const corio::error& e) {
      CHECK(e.code() == errc::truncated);
      CHECK(std::string(e.what()).find("before any byte") != std::string::npos);
    }
  }

  TEST_CASE("maximum header size is exact, whatever the pieces") {
    std::string head = "HTTP/1.1 200 OK\r\nX-Pad: ";
    std::string tail = "\r\nContent-Length: 0\r\n\r\n";
    parser_limits limits;
    limits.max_header_bytes = 200;
    std::string exact = head + std::string(200 - head.size() - tail.size(), 'p') + tail;
    REQUIRE(exact.size() == 200);
    CHECK(parse_all_ways(exact, false, method::get, limits).status == 200);
    std::string over = head + std::string(201 - head.size() - tail.size(), 'p') + tail;
    check_error_all_ways(over, false, errc::header_too_large, limits);
    // A flood of header lines, of bytes the callbacks never see (whitespace), of a huge value.
    std::string flood = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 100; ++i) flood += "X-" + std::to_string(i) + ": v\r\n";
    check_error_all_ways(flood, false, errc::header_too_large, limits);
    check_error_all_ways("HTTP/1.1 200 OK\r\nX:" + std::string(300, ' ') + "v\r\n", false, errc::header_too_large,
                         limits);
    check_error_all_ways("HTTP/1.1 200 " + std::string(300, 'r') + "\r\n", false, errc::header_too_large, limits);
    // The default limit (64 KiB) and libhttp-parser's own (80 KiB) both stop an endless header.
    std::string endless = "HTTP/1.1 200 OK\r\n";
    while (endless.size() < 100 * 1024) endless += "X-Flood: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    CHECK(parse_error(endless, 4096, false) == errc::header_too_large);
    parser_limits big;
    big.max_header_bytes = 1 << 20;
    CHECK(parse_error(endless, 4096, false, big) == errc::header_too_large);
  }

  TEST_CASE("maximum body size: by Content-Length at once, chunked and read-until-close as it grows") {
    parser_limits limits;
    limits.max_body_bytes = 10;
    CHECK(parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", false, method::get, limits)
              .body.size() == 10);
    // Content-Length over the limit fails on the header alone: no body byte needed.
    check_error_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false, errc::body_too_large, limits);
    check_error_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n", false, errc::body_too_large,
                         limits);
    check_error_all_ways("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nghijk\r\n", false,
                         errc::body_too_large, limits);
    check_error_all_ways("HTTP/1.1 200 OK\r\n\r\n0123456789A", false, errc::body_too_large, limits);
    // HEAD responses have no body, whatever Content-Length says.
    CHECK(parse_all_ways("HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n", false, method::head, limits).status ==
          200);
  }

  TEST_CASE("errors carry context") {
    response_parser p;
    p.reset();
    try {
      p.feed("HTTP/1.1 abc OK\r\n\r\n");
      FAIL("accepted");
    } catch (const corio::error& e) {
      CHECK(std::string(e.what()) == "HTTP response: invalid HTTP status code: malformed HTTP response");
    }
    p.reset();  // usable again after reset
    CHECK(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") > 0);
    CHECK(p.complete());
  }
}

TEST_SUITE("http.redirect") {
  TEST_CASE("redirect statuses and targets") {
    for (int s : {301, 302, 303, 307, 308}) CHECK(corio::http::is_redirect_status(s));
    for (int s : {200, 300, 304, 305, 306, 309, 404}) CHECK(!corio::http::is_redirect_status(s));
    url req = url::parse("http://h/a/b");
    response r;
    r.status = 302;
    CHECK(!corio::http::redirect_target(r, req));  // no Location
    r.headers.push_back({"location", "../c?x#y"});
    CHECK(corio::http::redirect_target(r, req)->str() == "http://h/c?x");
    r.status = 200;
    CHECK(!corio::http::redirect_target(r, req));
    r.status = 301;
    r.headers[0].value = "https://h/";
    try {
      corio::http::redirect_target(r, req);
      FAIL("followed https");
    } catch (const corio::error& e) {
      CHECK(e.code() == errc::unsupported_scheme);
    }
  }
}
