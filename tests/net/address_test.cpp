// ip_address and endpoint: parsing, printing, and typed errors for bad strings.
#include <doctest/doctest.h>

#include <corio/net.hpp>

#include <string>

using corio::net::endpoint;
using corio::net::ip_address;

TEST_SUITE("net address") {
  TEST_CASE("valid endpoints parse and print back") {
    const char* cases[][2] = {
        {"127.0.0.1:80", "127.0.0.1:80"},         {"0.0.0.0:0", "0.0.0.0:0"},
        {"255.255.255.255:65535", "255.255.255.255:65535"},
        {"[::1]:80", "[::1]:80"},                 {"[::]:0", "[::]:0"},
        {"[2001:db8::1]:8080", "[2001:db8::1]:8080"},
        {"[::ffff:1.2.3.4]:1", "[::ffff:1.2.3.4]:1"}, {"[fe80::1%1]:443", "[fe80::1%1]:443"},
    };
    for (auto& c : cases) {
      INFO(c[0]);
      endpoint e = endpoint::parse(c[0]);
      CHECK(e.to_string() == c[1]);
      CHECK(endpoint::parse(e.to_string()) == e);
    }
    endpoint e = endpoint::parse("10.1.2.3:4567");
    CHECK(e.port() == 4567);
    CHECK(e.address().is_v4());
    CHECK(e.address().to_v4_uint() == 0x0a010203u);
    CHECK(endpoint::parse("[::1]:9").address() == ip_address::loopback(corio::net::ip_family::v6));
    CHECK(endpoint::parse("[fe80::1%1]:443").address().scope_id() == 1);
  }

  TEST_CASE("invalid endpoint strings are typed errors that say what is wrong") {
    const char* bad[][2] = {
        {"", "empty"},
        {"127.0.0.1", "missing :port"},
        {"127.0.0.1:", "missing port"},
        {":80", "missing address"},
        {"::1:80", "brackets"},
        {"[::1]", "missing :port"},
        {"[::1]80", "expected ':'"},
        {"[::1:80", "missing ']'"},
        {"[127.0.0.1]:80", "must not be in brackets"},
        {"256.0.0.1:80", "not an IPv4 address"},
        {"1.2.3:80", "not an IPv4 address"},
        {"01.2.3.4:80", "not an IPv4 address"},
        {"localhost:80", "host names need resolve"},
        {"1.2.3.4:65536", "port"},
        {"1.2.3.4:-1", "port"},
        {"1.2.3.4:+80", "port"},
        {"1.2.3.4:8a", "port"},
        {"1.2.3.4:123456", "port"},
        {"[::g]:80", "not an IPv6 address"},
        {"[fe80::1%nosuchinterface0]:80", "not an IPv6 address"},
    };
    for (auto& b : bad) {
      INFO("input: \"" << b[0] << "\"");
      CHECK_FALSE(endpoint::try_parse(b[0]).has_value());
      try {
        (void)endpoint::parse(b[0]);
        FAIL("parse accepted a bad endpoint");
      } catch (const corio::error& e) {
        CHECK(e.code() == corio::errc::invalid_argument);
        CHECK(e.code() == std::errc::invalid_argument);
        const std::string what = e.what();
        CHECK(what.find(std::string("parse endpoint \"") + b[0] + "\"") == 0);
        CHECK(what.find(b[1]) != std::string::npos);
      }
    }
  }

  TEST_CASE("addresses: parse, classify, refuse names and junk") {
    CHECK(ip_address::parse("127.0.0.1").is_loopback());
    CHECK(ip_address::parse("::1").is_loopback());
    CHECK(ip_address::parse("0.0.0.0").is_unspecified());
    CHECK(ip_address::parse("::").is_unspecified());
    CHECK(ip_address::parse("::1").is_v6());
    CHECK(ip_address::v4(0x7f000001u) == ip_address::parse("127.0.0.1"));
    CHECK(ip_address::parse("2001:db8::1").to_string() == "2001:db8::1");
    for (const char* s : {"", "localhost", "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4", "1:2:3:4:5:6:7:8:9", "[::1]", "::1%"}) {
      INFO("input: \"" << s << "\"");
      CHECK_FALSE(ip_address::try_parse(s).has_value());
      CHECK_THROWS_AS((void)ip_address::parse(s), corio::error);
    }
  }

  TEST_CASE("binding or connecting to an unparsable string throws before any IO") {
    // No runtime is needed to fail a parse.
    CHECK_THROWS_WITH_AS((void)corio::net::tcp_listener::bind("127.0.0.1"),
                         doctest::Contains("missing :port"), corio::error);
  }
}
