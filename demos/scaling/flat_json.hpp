// demos/scaling/flat_json.hpp - reads fields of the JSON lines that corio's runs print.
//
// Those lines are flat objects written by bench/common/json.hpp (string, number, bool and null
// values; one "walls" array of flat objects). This reader handles exactly that: it finds the
// first occurrence of "key": at top level or in the first object of the array named `in_array`.
// It is not a general JSON parser.
#pragma once

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace corio_scaling {

// The raw text of the value of `key` (a string value without its quotes, unescaped minimally).
inline std::optional<std::string> json_raw(std::string_view line, std::string_view key) {
  std::string pat = "\"" + std::string(key) + "\":";
  std::size_t p = line.find(pat);
  if (p == std::string_view::npos) return std::nullopt;
  p += pat.size();
  if (p >= line.size()) return std::nullopt;
  if (line[p] == '"') {
    std::string out;
    for (std::size_t i = p + 1; i < line.size(); ++i) {
      char c = line[i];
      if (c == '\\' && i + 1 < line.size()) {
        char n = line[++i];
        out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
        continue;
      }
      if (c == '"') return out;
      out += c;
    }
    return std::nullopt;
  }
  std::size_t e = line.find_first_of(",}]", p);
  return std::string(line.substr(p, e == std::string_view::npos ? std::string_view::npos : e - p));
}

inline double json_num(std::string_view line, std::string_view key) {
  auto v = json_raw(line, key);
  if (!v || *v == "null") return NAN;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  return end == v->c_str() ? NAN : d;
}

inline std::string json_str(std::string_view line, std::string_view key) { return json_raw(line, key).value_or(""); }

inline bool json_bool(std::string_view line, std::string_view key) { return json_raw(line, key).value_or("") == "true"; }

// The text of the array value of `key` ("[...]"), for reading its first element's fields.
inline std::string_view json_array(std::string_view line, std::string_view key) {
  std::string pat = "\"" + std::string(key) + "\":[";
  std::size_t p = line.find(pat);
  if (p == std::string_view::npos) return {};
  std::size_t e = line.find(']', p);
  return line.substr(p + pat.size() - 1, e == std::string_view::npos ? std::string_view::npos : e - p - pat.size() + 2);
}

}  // namespace corio_scaling
