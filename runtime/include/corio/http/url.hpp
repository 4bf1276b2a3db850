// corio/http/url.hpp - absolute http:// URLs: parsing, RFC 3986 reference resolution, normalisation.
//
// What it does: url::parse("http://Example.COM:80/a/./b/../c?q#frag") gives the normalised URL
// "http://example.com/a/c?q". Every url object is absolute, http, and normalised the same way, so
// two spellings of one resource compare equal and hash alike (what a crawler de-duplicates on):
//   - scheme and host are lower-cased; an IPv6 literal is written in its canonical form ([::1]);
//   - the default port (80) is dropped, an empty path becomes "/", an empty query ("?") is dropped;
//   - the fragment (#...) is dropped;
//   - dot segments are removed (RFC 3986 section 5.2.4);
//   - percent-escapes are upper-cased ("%2f" -> "%2F") and those of unreserved characters decoded
//     ("%7E" -> "~"); bytes that may not appear in a URL (space, non-ASCII, "<>"\^`{|}) are
//     percent-encoded, as browsers do; tab, CR and LF are removed and '\' in the path means '/'.
// url.resolve(ref) resolves a reference found in a page (an href) against this URL per RFC 3986
// section 5.2, then normalises.
//
// What it rejects, with corio::error whose code() is a corio::http::errc:
//   unsupported_scheme  https ("https is not supported"), and any scheme other than http;
//   invalid_url         no scheme (for parse), no "//host", an empty host, a character not allowed
//                       in a host name, a port that is not a number in 1..65535, userinfo
//                       ("user@host" is not supported), a bad percent-escape ("%zz"), control bytes.
// The overloads taking std::error_code& report the same code there and return std::nullopt instead
// of throwing (for link extraction, where bad hrefs are routine); they still throw std::bad_alloc.
//
// Threads: a url is a value; const member functions may be used from any number of threads.
// Cancellation, buffers: not applicable (no IO; every accessor returns a view into the url object,
// valid while it lives and is not assigned to).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace corio::http {

class url {
 public:
  // An empty url (str() == ""): only a placeholder to assign to; fetching it is invalid_url.
  url() = default;

  // Parses an absolute http URL; throws corio::error (invalid_url, unsupported_scheme).
  static url parse(std::string_view text);
  static std::optional<url> parse(std::string_view text, std::error_code& ec);

  // Resolves `reference` (absolute, scheme-relative "//h/p", absolute-path "/p", relative "p",
  // "?q", "#f", "") against this URL: RFC 3986 section 5.2.2, non-strict (a reference "http:p"
  // without "//" is relative). Throws like parse; resolving against an empty url is invalid_url.
  url resolve(std::string_view reference) const;
  std::optional<url> resolve(std::string_view reference, std::error_code& ec) const;

  // The normalised URL, "http://host[:port]/path[?query]".
  const std::string& str() const noexcept { return text_; }
  bool empty() const noexcept { return text_.empty(); }
  std::string_view scheme() const noexcept { return empty() ? std::string_view{} : std::string_view{"http"}; }
  // Lower-case host name or address; an IPv6 address without its brackets ("::1").
  std::string_view host() const noexcept { return sub(host_begin_, host_end_); }
  // The effective port: 80 when the URL names none.
  std::uint16_t port() const noexcept { return port_; }
  // "host" or "host:port" (port only when not 80; IPv6 in brackets): the Host header's value.
  std::string_view authority() const noexcept { return sub(kSchemeLen, path_begin_); }
  // "host:port" always with the port (IPv6 in brackets): the connection pool's key.
  std::string origin() const;
  // The request-target of an origin-form request: path plus "?query" when there is a query.
  std::string_view target() const noexcept { return sub(path_begin_, text_.size()); }
  std::string_view path() const noexcept { return sub(path_begin_, query_begin_); }
  // The query without its '?'; empty when there is none.
  std::string_view query() const noexcept {
    return query_begin_ < text_.size() ? sub(query_begin_ + 1, text_.size()) : std::string_view{};
  }

  friend bool operator==(const url& a, const url& b) noexcept { return a.text_ == b.text_; }
  friend std::strong_ordering operator<=>(const url& a, const url& b) noexcept { return a.text_ <=> b.text_; }

 private:
  friend struct url_builder;
  static constexpr std::size_t kSchemeLen = 7;  // "http://"
  std::string_view sub(std::size_t b, std::size_t e) const noexcept {
    return b < e && e <= text_.size() ? std::string_view(text_).substr(b, e - b) : std::string_view{};
  }
  std::string text_;
  std::size_t host_begin_ = 0, host_end_ = 0, path_begin_ = 0, query_begin_ = 0;
  std::uint16_t port_ = 0;
};

// True when a and b name the same host and port (what "stay on the start host" means).
bool same_host(const url& a, const url& b) noexcept;

}  // namespace corio::http

template <>
struct std::hash<corio::http::url> {
  std::size_t operator()(const corio::http::url& u) const noexcept { return std::hash<std::string>{}(u.str()); }
};
