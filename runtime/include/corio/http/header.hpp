// corio/http/header.hpp - one HTTP header field, and the case-insensitive name comparison.
//
// What it does: a `header` is a name/value pair as it appears on the wire (name as the peer spelt
// it, value without surrounding whitespace). Field names compare case-insensitively (RFC 9110
// 5.1): use header_name_equals.
// Threads, cancellation, buffers: not applicable (plain values).
#pragma once

#include <string>
#include <string_view>

namespace corio::http {

struct header {
  std::string name;
  std::string value;
};

// ASCII case-insensitive equality, for header field names.
bool header_name_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace corio::http
