// corio::http::url: parsing, RFC 3986 resolution and normalisation, with bad inputs.
#include <doctest/doctest.h>

#include <ostream>  // doctest prints std::error_code with it

#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/url.hpp>

#include <string>
#include <unordered_set>

using corio::http::errc;
using corio::http::url;

namespace {

// The code parse() throws for `text`, checking the non-throwing overload agrees.
std::error_code parse_error(const std::string& text, std::string* what = nullptr) {
  std::error_code ec;
  auto u = url::parse(text, ec);
  CHECK_MESSAGE(!u, text);
  try {
    url::parse(text);
    FAIL("parse accepted " << text);
  } catch (const corio::error& e) {
    CHECK_MESSAGE(e.code() == ec, text);
    if (what) *what = e.what();
    return e.code();
  }
  return {};
}

}  // namespace

TEST_SUITE("http.url") {
  TEST_CASE("parse normalises scheme, host, port, path, query and fragment") {
    struct row {
      const char* in;
      const char* out;
    };
    const row rows[] = {
        {"http://example.com/", "http://example.com/"},
        {"http://example.com", "http://example.com/"},
        {"HTTP://Example.COM:80/a/../b/./c?x=1#frag", "http://example.com/b/c?x=1"},
        {"http://h:8080", "http://h:8080/"},
        {"http://h:/", "http://h/"},
        {"http://127.0.0.1:08080/x", "http://127.0.0.1:8080/x"},
        {"http://h/%7euser/%2fx%2F", "http://h/~user/%2Fx%2F"},
        {"http://h/%2e%2E/x", "http://h/x"},
        {"http://h/a/%2e./b", "http://h/b"},
        {"http://h/a b", "http://h/a%20b"},
        {"http://h/\xC3\xA9t\xC3\xA9", "http://h/%C3%A9t%C3%A9"},
        {"http://h/p?q=a b&r=<x>", "http://h/p?q=a%20b&r=%3Cx%3E"},
        {"http://h/?", "http://h/"},
        {"http://h/p?#f", "http://h/p"},
        {"http://h#f", "http://h/"},
        {"  http://h/x \n", "http://h/x"},
        {"\x01http://h/x\x1f", "http://h/x"},  // leading and trailing C0 controls are trimmed (WHATWG)
        {"http://h/a\tb\r\nc", "http://h/abc"},
        {"http:\\\\h\\a\\b", "http://h/a/b"},
        {"http://h/a/b/../../../..", "http://h/"},
        {"http://h/a//b/", "http://h/a//b/"},
        {"http://h/;p=1/x", "http://h/;p=1/x"},
        {"http://h/?a=%2f&b=%7E", "http://h/?a=%2F&b=~"},
        {"http://[::1]:8080/x", "http://[::1]:8080/x"},
        {"http://[0:0:0::1]/", "http://[::1]/"},
        {"http://[FE80::A]/", "http://[fe80::a]/"},
        {"http://sub_domain.ex-ample.com./", "http://sub_domain.ex-ample.com./"},
    };
    for (const auto& r : rows) {
      std::string in_text = r.in;
      CAPTURE(in_text);
      CHECK(url::parse(r.in).str() == r.out);
      // Normalisation is idempotent.
      CHECK(url::parse(url::parse(r.in).str()).str() == r.out);
    }
  }

  TEST_CASE("components") {
    url u = url::parse("http://Host.Example:8080/a/b?x=1&y=2");
    CHECK(u.scheme() == "http");
    CHECK(u.host() == "host.example");
    CHECK(u.port() == 8080);
    CHECK(u.authority() == "host.example:8080");
    CHECK(u.origin() == "host.example:8080");
    CHECK(u.path() == "/a/b");
    CHECK(u.query() == "x=1&y=2");
    CHECK(u.target() == "/a/b?x=1&y=2");

    url d = url::parse("http://h/");
    CHECK(d.port() == 80);
    CHECK(d.authority() == "h");
    CHECK(d.origin() == "h:80");
    CHECK(d.query().empty());
    CHECK(d.target() == "/");

    url v6 = url::parse("http://[::1]:9/p");
    CHECK(v6.host() == "::1");
    CHECK(v6.authority() == "[::1]:9");
    CHECK(v6.origin() == "[::1]:9");
    CHECK(url::parse("http://[::1]/").origin() == "[::1]:80");

    url empty;
    CHECK(empty.empty());
    CHECK(empty.str().empty());
    CHECK(empty.host().empty());
    CHECK(empty.authority().empty());
    CHECK(empty.path().empty());
    CHECK(empty.target().empty());
    CHECK(empty.origin().empty());
  }

  TEST_CASE("bad URLs are rejected with a typed error") {
    struct row {
      const char* in;
      errc code;
      const char* says;
    };
    const row rows[] = {
        {"", errc::invalid_url, "no scheme"},
        {"   ", errc::invalid_url, "no scheme"},
        {"https://h/", errc::unsupported_scheme, "https is not supported"},
        {"HTTPS://h/x", errc::unsupported_scheme, "https is not supported"},
        {"ftp://h/", errc::unsupported_scheme, "scheme 'ftp' is not supported"},
        {"mailto:x@y.z", errc::unsupported_scheme, "'mailto'"},
        {"javascript:alert(1)", errc::unsupported_scheme, "'javascript'"},
        {"//h/x", errc::invalid_url, "no scheme"},
        {"h/x", errc::invalid_url, "no scheme"},
        {"1http://h/", errc::invalid_url, "no scheme"},
        {"::::", errc::invalid_url, "no scheme"},
        {"http:h", errc::invalid_url, "//host"},
        {"http:/h", errc::invalid_url, "//host"},
        {"http://", errc::invalid_url, "empty host"},
        {"http:///x", errc::invalid_url, "empty host"},
        {"http://:80/", errc::invalid_url, "empty host"},
        {"http://?q", errc::invalid_url, "empty host"},
        {"http://h:abc/", errc::invalid_url, "bad port"},
        {"http://h:-1/", errc::invalid_url, "bad port"},
        {"http://h:8 0/", errc::invalid_url, "bad port"},
        {"http://h:1:2/", errc::invalid_url, "not allowed in a host"},
        {"http://h:0/", errc::invalid_url, "port 0"},
        {"http://h:65536/", errc::invalid_url, "out of range"},
        {"http://h:99999999999999999999999/", errc::invalid_url, "out of range"},
        {"http://user:pw@h/", errc::invalid_url, "userinfo"},
        {"http://@h/", errc::invalid_url, "userinfo"},
        {"http://h/%zz", errc::invalid_url, "percent-escape"},
        {"http://h/%4", errc::invalid_url, "percent-escape"},
        {"http://h/?a=%", errc::invalid_url, "percent-escape"},
        {"http://h o/", errc::invalid_url, "not allowed in a host"},
        {"http://h%41/", errc::invalid_url, "not allowed in a host"},
        {"http://h\xC3\xA9/", errc::invalid_url, "not allowed in a host"},
        {"http://[::1/", errc::invalid_url, "unterminated"},
        {"http://[zz]/", errc::invalid_url, "bad IPv6"},
        {"http://[]/", errc::invalid_url, "bad IPv6"},
        {"http://[::1]x/", errc::invalid_url, "after the IPv6"},
        {"http://[fe80::1%25eth0]/", errc::invalid_url, "zone"},
        {"http://h/a\001b", errc::invalid_url, "control character"},
        {"http://h/a\177b", errc::invalid_url, "control character"},
    };
    for (const auto& r : rows) {
      std::string in_text = r.in;
      CAPTURE(in_text);
      std::string what;
      CHECK(parse_error(r.in, &what) == r.code);
      CHECK_MESSAGE(what.find(r.says) != std::string::npos, what);
    }
    std::string long_host = "http://" + std::string(254, 'a') + "/";
    CHECK(parse_error(long_host) == errc::invalid_url);
    CHECK(url::parse("http://" + std::string(253, 'a') + "/").host().size() == 253);
    std::string with_nul("http://h/\0x", 11);
    CHECK(parse_error(with_nul) == errc::invalid_url);
  }

  TEST_CASE("error codes are typed and printable") {
    std::error_code ec = errc::unsupported_scheme;
    CHECK(ec.category().name() == std::string("corio.http"));
    CHECK(ec.message() == "unsupported URL scheme");
    CHECK(std::error_code(errc::timeout) == std::errc::timed_out);
    CHECK(std::error_code(errc::connection_reset) == std::errc::connection_reset);
    CHECK(std::error_code(errc::truncated) != std::errc::timed_out);
    try {
      url::parse("https://example.com/");
      FAIL("https accepted");
    } catch (const std::system_error& e) {  // corio::error is a std::system_error
      CHECK(std::string(e.what()) == "URL \"https://example.com/\": https is not supported: unsupported URL scheme");
    }
  }

  TEST_CASE("resolve: RFC 3986 section 5.4 examples") {
    // Base of RFC 3986 5.4, with results normalised as corio does (no fragment, "/" for an empty path).
    url base = url::parse("http://a/b/c/d;p?q");
    struct row {
      const char* ref;
      const char* out;
    };
    const row rows[] = {
        // 5.4.1 normal examples
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {"g?y#s", "http://a/b/c/g?y"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        // 5.4.2 abnormal examples
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g"},
        {"g#s/../x", "http://a/b/c/g"},
        {"http:g", "http://a/b/c/g"},  // the non-strict reading, as browsers do
        // absolute and scheme-relative references, normalised
        {"HTTP://X.Y:80/z/../w", "http://x.y/w"},
        {"//x:81", "http://x:81/"},
        {"  ../g  ", "http://a/b/g"},
        {"g h", "http://a/b/c/g%20h"},
        {"..\\g", "http://a/b/g"},
    };
    for (const auto& r : rows) {
      std::string ref_text = r.ref;
      CAPTURE(ref_text);
      CHECK(base.resolve(r.ref).str() == r.out);
      std::error_code ec;
      auto u = base.resolve(r.ref, ec);
      REQUIRE(u);
      CHECK(!ec);
      CHECK(u->str() == r.out);
    }
    // A base without a query keeps none for "#frag" and "".
    CHECK(url::parse("http://a/b").resolve("#x").str() == "http://a/b");
    CHECK(url::parse("http://a/b?").resolve("").str() == "http://a/b");
    CHECK(url::parse("http://a").resolve("g").str() == "http://a/g");
  }

  TEST_CASE("resolve rejects what cannot be fetched") {
    url base = url::parse("http://a/b/c");
    struct row {
      const char* ref;
      errc code;
    };
    const row rows[] = {
        {"g:h", errc::unsupported_scheme},
        {"https://a/", errc::unsupported_scheme},
        {"mailto:me@a", errc::unsupported_scheme},
        {"javascript:void(0)", errc::unsupported_scheme},
        {"data:text/html,hi", errc::unsupported_scheme},
        {"//", errc::invalid_url},
        {"//u@a/", errc::invalid_url},
        {"//a:99999/", errc::invalid_url},
        {"%zz", errc::invalid_url},
        {"/a\002b", errc::invalid_url},
    };
    for (const auto& r : rows) {
      std::string ref_text = r.ref;
      CAPTURE(ref_text);
      std::error_code ec;
      CHECK(!base.resolve(r.ref, ec));
      CHECK(ec == r.code);
      CHECK_THROWS_AS(base.resolve(r.ref), corio::error);
    }
    std::error_code ec;
    CHECK(!url{}.resolve("g", ec));
    CHECK(ec == errc::invalid_url);
  }

  TEST_CASE("same_host, equality and hashing") {
    url a = url::parse("http://h/a");
    CHECK(same_host(a, url::parse("http://H:80/b")));
    CHECK(!same_host(a, url::parse("http://h:81/a")));
    CHECK(!same_host(a, url::parse("http://g/a")));
    CHECK(!same_host(url{}, url{}));
    // Different spellings of one resource are one URL.
    std::unordered_set<url> set;
    for (const char* s : {"http://h/p/x", "HTTP://h:80/p/./x", "http://h/p/y/../x#f", "http://h/%70/x"}) {
      set.insert(url::parse(s));
    }
    CHECK(set.size() == 1);
    CHECK(url::parse("http://h/a") < url::parse("http://h/b"));
    CHECK(url::parse("http://h/a") != url::parse("http://h/a?"  "x"));
  }
}
