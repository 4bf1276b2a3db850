// io/select.hpp - the one place that decides which backend runs.
#pragma once

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
backend_choice select_backend(scheduler& s, const runtime_options& opts);

}  // namespace corio::detail
