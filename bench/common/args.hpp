// bench/common/args.hpp - a small `--key value` / `--flag` command-line parser with clear errors.
//
//   corio_bench::args a(argc, argv, {"tasks", "impl", "sleep-ms"}, {"json"});
//   long n = a.get_long("tasks", 100000);
// Unknown options, missing values and malformed numbers throw std::invalid_argument with a message
// that names the option; programs print it and exit with status 2.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace corio_bench {

class args {
 public:
  // `valued`: options that take a value; `flags`: options that do not.
  args(int argc, char** argv, std::initializer_list<const char*> valued, std::initializer_list<const char*> flags = {}) {
    std::set<std::string> v(valued.begin(), valued.end()), f(flags.begin(), flags.end());
    for (int i = 0; i < argc; ++i) {
      std::string a = argv[i];
      if (a.rfind("--", 0) != 0) {
        positional_.push_back(a);
        continue;
      }
      std::string key = a.substr(2), value;
      bool has_inline = false;
      if (auto eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
        has_inline = true;
      }
      if (f.count(key)) {
        if (has_inline) throw std::invalid_argument("--" + key + " takes no value");
        values_[key] = "1";
      } else if (v.count(key)) {
        if (!has_inline) {
          if (i + 1 >= argc) throw std::invalid_argument("--" + key + " needs a value");
          value = argv[++i];
        }
        values_[key] = value;
      } else {
        throw std::invalid_argument("unknown option --" + key);
      }
    }
  }

  bool has(const std::string& k) const { return values_.count(k) != 0; }
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = values_.find(k);
    return it == values_.end() ? def : it->second;
  }
  long long get_long(const std::string& k, long long def) const {
    auto it = values_.find(k);
    return it == values_.end() ? def : parse_long(k, it->second);
  }
  double get_double(const std::string& k, double def) const {
    auto it = values_.find(k);
    if (it == values_.end()) return def;
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(it->second.c_str(), &end);
    if (errno || end == it->second.c_str() || *end) throw std::invalid_argument("--" + k + ": not a number: " + it->second);
    return d;
  }
  // A comma-separated list of integers, e.g. --n 10,100,1000 (accepts 1e6 and 1k/1m suffixes).
  std::vector<long long> get_long_list(const std::string& k, std::vector<long long> def) const {
    auto it = values_.find(k);
    if (it == values_.end()) return def;
    std::vector<long long> out;
    std::stringstream ss(it->second);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(parse_long(k, item));
    if (out.empty()) throw std::invalid_argument("--" + k + ": empty list");
    return out;
  }
  std::vector<std::string> get_list(const std::string& k, std::vector<std::string> def) const {
    auto it = values_.find(k);
    if (it == values_.end()) return def;
    std::vector<std::string> out;
    std::stringstream ss(it->second);
    std::string item;
    while (std::getline(ss, item, ',')) if (!item.empty()) out.push_back(item);
    if (out.empty()) throw std::invalid_argument("--" + k + ": empty list");
    return out;
  }
  const std::vector<std::string>& positional() const { return positional_; }

  static long long parse_long(const std::string& k, const std::string& s) {
    if (s.empty()) throw std::invalid_argument("--" + k + ": empty number");
    char* end = nullptr;
    errno = 0;
    double mult = 1;
    std::string body = s;
    char last = body.back();
    if (last == 'k' || last == 'K') mult = 1e3;
    if (last == 'm' || last == 'M') mult = 1e6;
    if (mult != 1) body.pop_back();
    double d = std::strtod(body.c_str(), &end);
    if (errno || end == body.c_str() || *end || d < 0) throw std::invalid_argument("--" + k + ": not a non-negative number: " + s);
    d *= mult;
    if (d > 9.2e18 || d != static_cast<double>(static_cast<long long>(d)))
      throw std::invalid_argument("--" + k + ": not a whole number in range: " + s);
    return static_cast<long long>(d);
  }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace corio_bench
