// io/select.hpp - the one place that decides which backend runs.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "io/backend.hpp"

namespace corio::detail {

struct backend_choice {
  std::unique_ptr<io_backend> backend;
  std::string reason;  // human-readable: why this backend (and why not the other)
};

// Picks and constructs a backend for `opts` (honouring CORIO_BACKEND when opts.backend is
// automatic). Throws corio::error(errc::backend_unavailable) when an explicitly requested backend
// cannot be set up or was not compiled in.
backend_choice select_backend(const runtime_options& opts);

// Interop (corio/asio.hpp), Asio-only and so not part of io_backend: the asio::io_context of an
// Asio backend (nullptr for any other backend, or when corio was built without Asio), and the
// count of Asio operations user code has pending on it: while any is, poll() runs the io_context
// even when no corio op is in flight. Defined in io/asio/asio_backend.cpp.
void* asio_context_of(io_backend& b) noexcept;
void add_foreign_asio_ops(io_backend& b, std::ptrdiff_t delta) noexcept;

}  // namespace corio::detail
