// bench/common/json.hpp - one JSON object per line (JSON Lines), for every corio benchmark and demo.
//
//   corio_bench::json_line j;
//   j.add("impl", "corio-uring").add("tasks", 1000000).add("wall_s", 0.42);
//   std::cout << j.str() << "\n";
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>

namespace corio_bench {

inline void json_escape(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

class json_line {
 public:
  json_line& add(std::string_view key, std::string_view v) {
    key_(key);
    json_escape(s_, v);
    return *this;
  }
  json_line& add(std::string_view key, const char* v) { return add(key, std::string_view(v)); }
  json_line& add(std::string_view key, const std::string& v) { return add(key, std::string_view(v)); }
  json_line& add(std::string_view key, bool v) {
    key_(key);
    s_ += v ? "true" : "false";
    return *this;
  }
  template <class T>
    requires std::is_arithmetic_v<T>
  json_line& add(std::string_view key, T v) {
    key_(key);
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(v)) {
        s_ += "null";
      } else {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
        s_ += buf;
      }
    } else {
      s_ += std::to_string(v);
    }
    return *this;
  }
  // Adds a value that is already JSON (an array or object built elsewhere).
  json_line& add_raw(std::string_view key, std::string_view json) {
    key_(key);
    s_ += json;
    return *this;
  }
  std::string str() const { return s_.empty() ? "{}" : s_ + "}"; }
  // Rebuilds a line from the text str() produced (used to carry a line across processes).
  static json_line from_raw(const std::string& text) {
    json_line j;
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}' && text != "{}") j.s_ = text.substr(0, text.size() - 1);
    return j;
  }

 private:
  void key_(std::string_view k) {
    s_ += s_.empty() ? "{" : ",";
    json_escape(s_, k);
    s_ += ':';
  }
  std::string s_;
};

}  // namespace corio_bench
