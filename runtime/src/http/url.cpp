// URL parsing, RFC 3986 section 5.2 resolution and normalisation (corio/http/url.hpp).
#include <corio/error.hpp>
#include <corio/http/error.hpp>
#include <corio/http/url.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>

namespace corio::http {
namespace {

struct failure {
  errc code = errc::invalid_url;
  std::string detail;
};

bool fail(failure& f, errc code, std::string detail) {
  f.code = code;
  f.detail = std::move(detail);
  return false;
}
std::optional<url> no_url(failure& f, errc code, std::string detail) {
  fail(f, code, std::move(detail));
  return std::nullopt;
}

bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_hex(unsigned char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
int hex_value(unsigned char c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }
bool is_unreserved(unsigned char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
// Bytes a URL may not contain literally: browsers percent-encode them in paths and queries.
bool needs_encoding(unsigned char c) {
  return c <= 0x20 || c >= 0x7f || std::strchr("\"<>\\^`{|}", c) != nullptr;
}
const char kHex[] = "0123456789ABCDEF";

void append_escaped(std::string& out, unsigned char c) {
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// The text quoted in error messages: at most 200 bytes, non-printable bytes as \xNN.
std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 200) out += "...";
  return out;
}

// WHATWG-style clean-up of what a page or a user wrote: trims leading and trailing spaces and C0
// controls, removes tab/CR/LF anywhere, rejects other control bytes, reads '\' as '/' before the
// query or fragment.
bool clean(std::string_view in, std::string& out, failure& f) {
  while (!in.empty() && static_cast<unsigned char>(in.front()) <= 0x20) in.remove_prefix(1);
  while (!in.empty() && static_cast<unsigned char>(in.back()) <= 0x20) in.remove_suffix(1);
  out.clear();
  out.reserve(in.size());
  bool in_path = true;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c < 0x20 || c == 0x7f) return fail(f, errc::invalid_url, "control character in URL");
    if (c == '?' || c == '#') in_path = false;
    out += (in_path && c == '\\') ? '/' : ch;
  }
  return true;
}

// RFC 3986 appendix B: scheme, authority, path, query (the fragment is dropped).
struct reference {
  bool has_scheme = false, has_authority = false, has_query = false;
  std::string scheme;  // lower-case
  std::string_view authority, path, query;
};

reference split(std::string_view s) {
  reference r;
  std::size_t p = s.find_first_of(":/?#");
  if (p != std::string_view::npos && p > 0 && s[p] == ':' && is_alpha(static_cast<unsigned char>(s[0]))) {
    bool ok = true;
    for (std::size_t i = 0; i < p; ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      ok = ok && (is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.');
    }
    if (ok) {
      r.has_scheme = true;
      for (std::size_t i = 0; i < p; ++i) r.scheme += lower(s[i]);
      s.remove_prefix(p + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    s.remove_prefix(2);
    std::size_t e = std::min(s.find_first_of("/?#"), s.size());
    r.has_authority = true;
    r.authority = s.substr(0, e);
    s.remove_prefix(e);
  }
  std::size_t e = std::min(s.find_first_of("?#"), s.size());
  r.path = s.substr(0, e);
  s.remove_prefix(e);
  if (!s.empty() && s[0] == '?') {
    r.has_query = true;
    r.query = s.substr(1, std::min(s.find('#'), s.size()) - 1);
  }
  return r;
}

bool check_scheme(const std::string& scheme, failure& f) {
  if (scheme == "http") return true;
  if (scheme == "https") return fail(f, errc::unsupported_scheme, "https is not supported");
  return fail(f, errc::unsupported_scheme, "scheme '" + printable(scheme) + "' is not supported (only http)");
}

// Validates and normalises "host[:port]"; `host_out` keeps the brackets of an IPv6 literal.
bool normalise_authority(std::string_view a, std::string& host_out, std::uint16_t& port, failure& f) {
  if (a.find('@') != std::string_view::npos) {
    return fail(f, errc::invalid_url, "userinfo (user@host) is not supported");
  }
  std::string_view port_text;
  bool has_port = false;
  if (!a.empty() && a[0] == '[') {
    std::size_t close = a.find(']');
    if (close == std::string_view::npos) return fail(f, errc::invalid_url, "unterminated IPv6 address");
    std::string inner(a.substr(1, close - 1));
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return fail(f, errc::invalid_url, "unexpected characters after the IPv6 address");
      has_port = true;
      port_text = rest.substr(1);
    }
    if (inner.find('%') != std::string::npos) {
      return fail(f, errc::invalid_url, "IPv6 zone identifiers are not supported");
    }
    in6_addr addr{};
    char canon[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1 || !inet_ntop(AF_INET6, &addr, canon, sizeof canon)) {
      return fail(f, errc::invalid_url, "bad IPv6 address '" + printable(inner) + "'");
    }
    host_out = std::string("[") + canon + "]";
  } else {
    std::size_t colon = a.rfind(':');
    std::string_view host = a.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = a.substr(colon + 1);
    }
    if (host.empty()) return fail(f, errc::invalid_url, "empty host");
    if (host.size() > 253) return fail(f, errc::invalid_url, "host name longer than 253 characters");
    host_out.clear();
    for (char ch : host) {
      auto c = static_cast<unsigned char>(ch);
      if (!is_unreserved(c)) {
        return fail(f, errc::invalid_url, "character '" + printable(std::string_view(&ch, 1)) + "' is not allowed in a host name");
      }
      host_out += lower(ch);
    }
  }
  port = 80;
  if (has_port && !port_text.empty()) {
    unsigned long v = 0;
    for (char c : port_text) {
      if (!is_digit(static_cast<unsigned char>(c))) return fail(f, errc::invalid_url, "bad port '" + printable(port_text) + "'");
      v = v * 10 + static_cast<unsigned long>(c - '0');
      if (v > 65535) return fail(f, errc::invalid_url, "port '" + printable(port_text) + "' out of range (1-65535)");
    }
    if (v == 0) return fail(f, errc::invalid_url, "port 0 is not a port one can connect to");
    port = static_cast<std::uint16_t>(v);
  }
  return true;
}

// Appends `part` percent-normalised: escapes upper-cased, escapes of unreserved bytes decoded,
// bytes that may not appear literally encoded.
bool append_normalised(std::string& out, std::string_view part, failure& f) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    auto c = static_cast<unsigned char>(part[i]);
    if (c == '%') {
      if (i + 2 >= part.size() || !is_hex(static_cast<unsigned char>(part[i + 1])) ||
          !is_hex(static_cast<unsigned char>(part[i + 2]))) {
        return fail(f, errc::invalid_url, "bad percent-escape '" + printable(part.substr(i, 3)) + "'");
      }
      auto v = static_cast<unsigned char>(hex_value(static_cast<unsigned char>(part[i + 1])) * 16 +
                                          hex_value(static_cast<unsigned char>(part[i + 2])));
      if (is_unreserved(v)) {
        out += static_cast<char>(v);
      } else {
        append_escaped(out, v);
      }
      i += 2;
    } else if (needs_encoding(c)) {
      append_escaped(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return true;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  auto pop_segment = [&out] {
    std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../") {
      in.remove_prefix(3);
      pop_segment();
    } else if (in == "/..") {
      in = "/";
      pop_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      std::size_t n = std::min(in.find('/', in[0] == '/' ? 1 : 0), in.size());
      out.append(in.substr(0, n));
      in.remove_prefix(n);
    }
  }
  return out;
}

}  // namespace

struct url_builder {
  static std::optional<url> build(std::string_view authority, std::string_view path, bool has_query,
                                  std::string_view query, failure& f) {
    std::string host;
    std::uint16_t port = 80;
    if (!normalise_authority(authority, host, port, f)) return std::nullopt;
    std::string p;
    if (!append_normalised(p, path, f)) return std::nullopt;
    p = remove_dot_segments(p);
    if (p.empty() || p[0] != '/') p.insert(p.begin(), '/');
    std::string q;
    if (has_query && !append_normalised(q, query, f)) return std::nullopt;

    url u;
    bool bracketed = host[0] == '[';
    u.text_.reserve(url::kSchemeLen + host.size() + 6 + p.size() + q.size() + 1);
    u.text_ = "http://";
    u.text_ += host;
    u.host_begin_ = url::kSchemeLen + (bracketed ? 1 : 0);
    u.host_end_ = url::kSchemeLen + host.size() - (bracketed ? 1 : 0);
    if (port != 80) {
      u.text_ += ':';
      u.text_ += std::to_string(port);
    }
    u.port_ = port;
    u.path_begin_ = u.text_.size();
    u.text_ += p;
    u.query_begin_ = u.text_.size();
    if (!q.empty()) {
      u.text_ += '?';
      u.text_ += q;
    }
    return u;
  }

  static std::optional<url> parse(std::string_view text, failure& f) {
    std::string cleaned;
    if (!clean(text, cleaned, f)) return std::nullopt;
    reference r = split(cleaned);
    if (!r.has_scheme) return no_url(f, errc::invalid_url, "not an absolute URL (no scheme)");
    if (!check_scheme(r.scheme, f)) return std::nullopt;
    if (!r.has_authority) return no_url(f, errc::invalid_url, "no \"//host\" after \"http:\"");
    return build(r.authority, r.path, r.has_query, r.query, f);
  }

  static std::optional<url> resolve(const url& base, std::string_view text, failure& f) {
    if (base.empty()) return no_url(f, errc::invalid_url, "cannot resolve against an empty URL");
    std::string cleaned;
    if (!clean(text, cleaned, f)) return std::nullopt;
    reference r = split(cleaned);
    if (r.has_scheme) {
      if (r.scheme == "http" && !r.has_authority) {
        r.has_scheme = false;  // RFC 3986 5.2.2, non-strict: "http:page" is relative to an http base
      } else {
        if (!check_scheme(r.scheme, f)) return std::nullopt;
      }
    }
    if (r.has_authority) return build(r.authority, r.path, r.has_query, r.query, f);
    std::string path;
    bool has_query = r.has_query;
    std::string_view query = r.query;
    if (r.path.empty()) {
      path = base.path();
      if (!r.has_query) {
        query = base.query();
        has_query = !query.empty();
      }
    } else if (r.path[0] == '/') {
      path = r.path;
    } else {
      std::string_view bp = base.path();
      path = bp.substr(0, bp.rfind('/') + 1);  // base paths always start with '/'
      path += r.path;
    }
    return build(base.authority(), path, has_query, query, f);
  }
};

namespace {
[[noreturn]] void throw_failure(const failure& f, std::string_view what, std::string_view text) {
  throw_error(f.code, std::string(what) + " \"" + printable(text) + "\": " + f.detail);
}
}  // namespace

url url::parse(std::string_view text) {
  failure f;
  auto u = url_builder::parse(text, f);
  if (!u) throw_failure(f, "URL", text);
  return std::move(*u);
}

std::optional<url> url::parse(std::string_view text, std::error_code& ec) {
  failure f;
  auto u = url_builder::parse(text, f);
  ec = u ? std::error_code{} : make_error_code(f.code);
  return u;
}

url url::resolve(std::string_view reference) const {
  failure f;
  auto u = url_builder::resolve(*this, reference, f);
  if (!u) throw_failure(f, "reference", reference);
  return std::move(*u);
}

std::optional<url> url::resolve(std::string_view reference, std::error_code& ec) const {
  failure f;
  auto u = url_builder::resolve(*this, reference, f);
  ec = u ? std::error_code{} : make_error_code(f.code);
  return u;
}

std::string url::origin() const {
  if (empty()) return {};
  bool bracketed = host_begin_ == kSchemeLen + 1;
  std::string o(sub(kSchemeLen, host_end_ + (bracketed ? 1 : 0)));
  o += ':';
  o += std::to_string(port_);
  return o;
}

bool same_host(const url& a, const url& b) noexcept {
  return !a.empty() && a.host() == b.host() && a.port() == b.port();
}

}  // namespace corio::http
