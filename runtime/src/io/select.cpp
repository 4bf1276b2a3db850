// Backend selection: the one place that decides which backend runs (io/select.hpp).
//
// Probing is simply trying: an io_uring ring is set up; if the kernel or a seccomp filter refuses
// (ENOSYS, EPERM, io_uring_disabled, missing features), `automatic` falls back to Asio and records
// why. CMake decides what is compiled (CORIO_HAS_URING / CORIO_HAS_ASIO); nothing else in corio
// is conditional on a backend.
#include "io/select.hpp"

#include <cstdlib>
#include <cstring>

#include <corio/error.hpp>

#if CORIO_HAS_URING
#include "io/uring/uring_backend.hpp"
#endif
#if CORIO_HAS_ASIO
#include "io/asio/asio_backend.hpp"
#endif

namespace corio::detail {
namespace {

backend_kind from_environment(std::string& note) {
  const char* e = std::getenv("CORIO_BACKEND");
  if (!e || !*e) return backend_kind::automatic;
  note = std::string(" (CORIO_BACKEND=") + e + ")";
  if (!std::strcmp(e, "io_uring") || !std::strcmp(e, "uring")) return backend_kind::io_uring;
  if (!std::strcmp(e, "asio")) return backend_kind::asio;
  if (!std::strcmp(e, "automatic") || !std::strcmp(e, "auto")) return backend_kind::automatic;
  throw_error(errc::invalid_argument,
              std::string("CORIO_BACKEND=") + e + ": expected io_uring, asio or automatic");
}

}  // namespace

backend_choice select_backend(const runtime_options& opts) {
  std::string note;
  backend_kind want = opts.backend;
  if (want == backend_kind::automatic) want = from_environment(note);

  std::string uring_failure;
  if (want == backend_kind::io_uring || want == backend_kind::automatic) {
#if CORIO_HAS_URING
    try {
      std::string desc;
      auto b = make_uring_backend(opts, desc);
      return {std::move(b), (want == backend_kind::io_uring ? "io_uring requested" + note : std::string("io_uring available")) +
                                ": " + desc};
    } catch (const uring_unavailable& e) {
      if (want == backend_kind::io_uring)
        throw_error(errc::backend_unavailable, "io_uring requested" + note + " but unavailable: " + e.what());
      uring_failure = e.what();
    }
#else
    if (want == backend_kind::io_uring)
      throw_error(errc::backend_unavailable, "io_uring requested" + note + " but corio was built without it");
    uring_failure = "corio was built without the io_uring backend";
#endif
  }
#if CORIO_HAS_ASIO
  auto b = make_asio_backend();
  if (want == backend_kind::asio) return {std::move(b), "asio requested" + note};
  return {std::move(b), "io_uring unavailable (" + uring_failure + "); using asio"};
#else
  if (want == backend_kind::asio)
    throw_error(errc::backend_unavailable, "asio requested" + note + " but corio was built without it");
  throw_error(errc::backend_unavailable, "io_uring unavailable (" + uring_failure + ") and corio was built without asio");
#endif
}

}  // namespace corio::detail

#if !CORIO_HAS_ASIO
// Built without the Asio backend: no backend is an Asio one.
namespace corio::detail {
void* asio_context_of(io_backend&) noexcept { return nullptr; }
void add_foreign_asio_ops(io_backend&, std::ptrdiff_t) noexcept {}
}  // namespace corio::detail
#endif
