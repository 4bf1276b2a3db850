// bench/common/stats.hpp - percentiles and medians for benchmark reports.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace corio_bench {

// The q-quantile (0 <= q <= 1) by linear interpolation between closest ranks. Sorts `v`.
template <class T>
double percentile(std::vector<T>& v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  double pos = q * static_cast<double>(v.size() - 1);
  auto lo = static_cast<std::size_t>(pos);
  std::size_t hi = std::min(lo + 1, v.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return static_cast<double>(v[lo]) * (1 - frac) + static_cast<double>(v[hi]) * frac;
}

template <class T>
double median(std::vector<T> v) {
  return percentile(v, 0.5);
}

}  // namespace corio_bench
