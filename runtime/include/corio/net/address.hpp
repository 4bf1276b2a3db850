// corio/net/address.hpp - corio::net::ip_address: an IPv4 or IPv6 address.
//
// What it does: parses and prints textual addresses ("127.0.0.1", "::1", "fe80::1%lo") and holds
// the 4 or 16 bytes in network order, plus the IPv6 scope (interface) id. Parsing is strict: an
// IPv4 address needs four decimal parts ("1.2.3" and "01.2.3.4" are refused), and host names are
// not addresses (use corio::net::resolve for those).
// Errors: parse() throws corio::error with errc::invalid_argument, e.g.
//   "parse address \"300.1.1.1\": not an IPv4 or IPv6 address: invalid argument";
// try_parse() returns std::nullopt instead.
// Which thread resumes you / cancellation / buffers: not applicable (a value type; no IO).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace corio::net {

enum class ip_family : std::uint8_t { v4, v6 };

class ip_address {
 public:
  // 0.0.0.0
  constexpr ip_address() noexcept = default;

  static ip_address v4(std::array<std::uint8_t, 4> bytes) noexcept;
  // From a host-order 32-bit value: v4(0x7f000001) is 127.0.0.1.
  static ip_address v4(std::uint32_t host_order) noexcept;
  static ip_address v6(const std::array<std::uint8_t, 16>& bytes, std::uint32_t scope_id = 0) noexcept;

  static ip_address loopback(ip_family f = ip_family::v4) noexcept;     // 127.0.0.1 or ::1
  static ip_address unspecified(ip_family f = ip_family::v4) noexcept;  // 0.0.0.0 or ::

  // Throws corio::error(errc::invalid_argument) when `s` is not an address.
  static ip_address parse(std::string_view s);
  static std::optional<ip_address> try_parse(std::string_view s) noexcept;

  ip_family family() const noexcept { return v6_ ? ip_family::v6 : ip_family::v4; }
  bool is_v4() const noexcept { return !v6_; }
  bool is_v6() const noexcept { return v6_; }
  bool is_loopback() const noexcept;
  bool is_unspecified() const noexcept;
  // IPv4: the first 4 bytes are used. Network byte order.
  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
  std::uint32_t scope_id() const noexcept { return scope_; }
  // IPv4 as a host-order 32-bit value (0 for IPv6).
  std::uint32_t to_v4_uint() const noexcept;

  // "127.0.0.1", "::1", "fe80::1%2" (scope ids are printed as numbers).
  std::string to_string() const;

  friend bool operator==(const ip_address&, const ip_address&) noexcept = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  std::uint32_t scope_ = 0;
  bool v6_ = false;
};

}  // namespace corio::net
