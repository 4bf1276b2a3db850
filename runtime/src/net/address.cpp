// ip_address and endpoint: parsing and printing (corio/net/address.hpp, corio/net/endpoint.hpp).
#include <corio/net/address.hpp>
#include <corio/net/endpoint.hpp>

#include <arpa/inet.h>
#include <net/if.h>

#include <cstring>

#include <corio/error.hpp>

namespace corio::net {
namespace {

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// inet_pton on a NUL-terminated copy (string_view need not be terminated).
bool pton(int af, std::string_view s, void* out) noexcept {
  char buf[INET6_ADDRSTRLEN + 1];
  if (s.size() >= sizeof buf) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return ::inet_pton(af, buf, out) == 1;
}

std::optional<std::uint32_t> parse_scope(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  if (all_digits(s)) {
    if (s.size() > 9) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : s) v = v * 10 + static_cast<std::uint32_t>(c - '0');
    return v;
  }
  char name[IF_NAMESIZE + 1];
  if (s.size() >= sizeof name) return std::nullopt;
  std::memcpy(name, s.data(), s.size());
  name[s.size()] = '\0';
  unsigned idx = ::if_nametoindex(name);
  if (idx == 0) return std::nullopt;
  return idx;
}

[[noreturn]] void bad(const char* what, std::string_view s, const char* why) {
  throw_error(errc::invalid_argument, std::string("parse ") + what + " \"" + std::string(s) + "\": " + why);
}

}  // namespace

ip_address ip_address::v4(std::array<std::uint8_t, 4> b) noexcept {
  ip_address a;
  std::memcpy(a.bytes_.data(), b.data(), 4);
  return a;
}
ip_address ip_address::v4(std::uint32_t h) noexcept {
  return v4(std::array<std::uint8_t, 4>{static_cast<std::uint8_t>(h >> 24), static_cast<std::uint8_t>(h >> 16),
                                        static_cast<std::uint8_t>(h >> 8), static_cast<std::uint8_t>(h)});
}
ip_address ip_address::v6(const std::array<std::uint8_t, 16>& b, std::uint32_t scope_id) noexcept {
  ip_address a;
  a.bytes_ = b;
  a.scope_ = scope_id;
  a.v6_ = true;
  return a;
}
ip_address ip_address::loopback(ip_family f) noexcept {
  if (f == ip_family::v4) return v4(0x7f000001u);
  std::array<std::uint8_t, 16> b{};
  b[15] = 1;
  return v6(b);
}
ip_address ip_address::unspecified(ip_family f) noexcept {
  return f == ip_family::v4 ? ip_address{} : v6(std::array<std::uint8_t, 16>{});
}

bool ip_address::is_loopback() const noexcept {
  if (!v6_) return bytes_[0] == 127;
  for (int i = 0; i < 15; ++i)
    if (bytes_[i]) return false;
  return bytes_[15] == 1;
}
bool ip_address::is_unspecified() const noexcept {
  const int n = v6_ ? 16 : 4;
  for (int i = 0; i < n; ++i)
    if (bytes_[i]) return false;
  return true;
}
std::uint32_t ip_address::to_v4_uint() const noexcept {
  if (v6_) return 0;
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) | (std::uint32_t{bytes_[2]} << 8) |
         bytes_[3];
}

std::optional<ip_address> ip_address::try_parse(std::string_view s) noexcept {
  if (s.find(':') == std::string_view::npos) {
    // inet_pton(AF_INET) accepts exactly four decimal parts; refuse leading zeros, which other
    // parsers read as octal ("010.0.0.1" would be 8.0.0.1 for inet_aton).
    std::array<std::uint8_t, 4> b{};
    if (!pton(AF_INET, s, b.data())) return std::nullopt;
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
      if (s[i] == '0' && (i == 0 || s[i - 1] == '.') && s[i + 1] != '.') return std::nullopt;
    return v4(b);
  }
  std::uint32_t scope = 0;
  std::string_view addr = s;
  if (auto pct = s.find('%'); pct != std::string_view::npos) {
    auto sc = parse_scope(s.substr(pct + 1));
    if (!sc) return std::nullopt;
    scope = *sc;
    addr = s.substr(0, pct);
  }
  std::array<std::uint8_t, 16> b{};
  if (!pton(AF_INET6, addr, b.data())) return std::nullopt;
  return v6(b, scope);
}

ip_address ip_address::parse(std::string_view s) {
  if (auto a = try_parse(s)) return *a;
  bad("address", s, "not an IPv4 or IPv6 address");
}

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof buf);
  std::string out = buf;
  if (v6_ && scope_) out += "%" + std::to_string(scope_);
  return out;
}

// ---- endpoint -----------------------------------------------------------------------------------

namespace {
// Returns nullptr on success, else the reason.
const char* parse_endpoint(std::string_view s, endpoint& out) noexcept {
  if (s.empty()) return "empty string";
  std::string_view host, port;
  bool bracketed = false;
  if (s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) return "missing ']' after an IPv6 address";
    host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (rest.empty()) return "missing :port";
    if (rest.front() != ':') return "expected ':' after ']'";
    port = rest.substr(1);
    bracketed = true;
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return "missing :port";
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return "an IPv6 address needs brackets, as in [::1]:80";
  }
  if (port.empty()) return "missing port number after ':'";
  if (!all_digits(port) || port.size() > 5) return "port is not a number from 0 to 65535";
  unsigned long p = 0;
  for (char c : port) p = p * 10 + static_cast<unsigned long>(c - '0');
  if (p > 65535) return "port is not a number from 0 to 65535";
  if (host.empty()) return "missing address before ':'";
  auto a = ip_address::try_parse(host);
  if (!a) return bracketed ? "not an IPv6 address inside [ ]" : "not an IPv4 address (host names need resolve())";
  if (bracketed && a->is_v4()) return "an IPv4 address must not be in brackets";
  out = endpoint(*a, static_cast<std::uint16_t>(p));
  return nullptr;
}
}  // namespace

std::optional<endpoint> endpoint::try_parse(std::string_view s) noexcept {
  endpoint e;
  if (parse_endpoint(s, e)) return std::nullopt;
  return e;
}

endpoint endpoint::parse(std::string_view s) {
  endpoint e;
  if (const char* why = parse_endpoint(s, e)) bad("endpoint", s, why);
  return e;
}

std::string endpoint::to_string() const {
  if (addr_.is_v6()) return "[" + addr_.to_string() + "]:" + std::to_string(port_);
  return addr_.to_string() + ":" + std::to_string(port_);
}

}  // namespace corio::net
