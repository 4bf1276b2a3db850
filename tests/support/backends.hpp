// tests/support/backends.hpp - run a test on every IO backend.
//
// TEST_CASE_TEMPLATE("name", B, CORIO_BACKENDS) instantiates a test once per backend; doctest
// names the instances "name<corio_test::uring>" and "name<corio_test::asio>", so the CTest list
// shows both. CORIO_RUNTIME(rt, B) declares a runtime on that backend, or ends the test process with
// exit code 77 (CTest: skipped) when the backend cannot run here (io_uring blocked by seccomp or
// disabled by sysctl). CTest runs each test case in its own process, so that exit skips one case.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>

#include <corio/runtime.hpp>

namespace corio_test {

struct uring {
  static constexpr corio::backend_kind kind = corio::backend_kind::io_uring;
  static constexpr const char* name = "io_uring";
};
struct asio {
  static constexpr corio::backend_kind kind = corio::backend_kind::asio;
  static constexpr const char* name = "asio";
};

// Constructs the runtime in place (runtime is not movable).
template <class B>
std::optional<corio::runtime>& runtime_for(std::optional<corio::runtime>& slot, corio::runtime_options opts = {}) {
  opts.backend = B::kind;
  try {
    slot.emplace(std::move(opts));
  } catch (const std::system_error& e) {
    if (e.code() == corio::errc::backend_unavailable) {
      std::fprintf(stderr, "SKIP: backend %s unavailable: %s\n", B::name, e.what());
      std::exit(77);
    }
    throw;
  }
  return slot;
}

}  // namespace corio_test

#define CORIO_BACKENDS corio_test::uring, corio_test::asio

// Declares `corio::runtime& rt` for backend B (skipping the test if B is unavailable).
#define CORIO_RUNTIME(rt, B, ...)                                 \
  std::optional<corio::runtime> rt##_slot;                        \
  corio_test::runtime_for<B>(rt##_slot __VA_OPT__(, ) __VA_ARGS__); \
  corio::runtime& rt = *rt##_slot
