// corio/net/endpoint.hpp - corio::net::endpoint: an IP address and a port.
//
// What it does: the address of a TCP or UDP socket. Text form "127.0.0.1:80" for IPv4 and
// "[::1]:80" for IPv6 (brackets required, so that the port cannot be mistaken for part of the
// address); a scope may follow the IPv6 address: "[fe80::1%lo]:80". Port 0 asks the kernel to
// choose a free port when binding (read the result back with local_endpoint()).
// Errors: parse() throws corio::error with errc::invalid_argument and says what is wrong:
//   "parse endpoint \"127.0.0.1\": missing :port: invalid argument"
//   "parse endpoint \"::1:80\": an IPv6 address needs brackets, as in [::1]:80: invalid argument"
//   "parse endpoint \"1.2.3.4:99999\": port is not a number from 0 to 65535: invalid argument"
// Host names are not endpoints: resolve them with corio::net::resolve.
// Which thread resumes you / cancellation / buffers: not applicable (a value type; no IO).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <corio/net/address.hpp>

namespace corio::net {

class endpoint {
 public:
  constexpr endpoint() noexcept = default;  // 0.0.0.0:0
  endpoint(ip_address a, std::uint16_t port) noexcept : addr_(a), port_(port) {}

  static endpoint parse(std::string_view s);
  static std::optional<endpoint> try_parse(std::string_view s) noexcept;

  const ip_address& address() const noexcept { return addr_; }
  std::uint16_t port() const noexcept { return port_; }
  ip_family family() const noexcept { return addr_.family(); }
  bool is_v6() const noexcept { return addr_.is_v6(); }

  std::string to_string() const;

  friend bool operator==(const endpoint&, const endpoint&) noexcept = default;

 private:
  ip_address addr_;
  std::uint16_t port_ = 0;
};

}  // namespace corio::net
