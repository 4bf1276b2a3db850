// tests/support/counted.hpp - a value type that counts its constructions, copies, moves and
// destructions, to catch results that leak, are copied where they should move, or are destroyed
// twice (after cppcoro's test/counted.hpp).
#pragma once

namespace corio_test {

struct counted {
  static inline int default_constructed = 0;
  static inline int copies = 0;
  static inline int moves = 0;
  static inline int destroyed = 0;
  static void reset() { default_constructed = copies = moves = destroyed = 0; }
  static int alive() { return default_constructed + copies + moves - destroyed; }

  int id = 0;
  counted() { ++default_constructed; }
  explicit counted(int i) : id(i) { ++default_constructed; }
  counted(const counted& o) : id(o.id) { ++copies; }
  counted(counted&& o) noexcept : id(o.id) { ++moves; }
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) noexcept = default;
  ~counted() { ++destroyed; }
};

}  // namespace corio_test
