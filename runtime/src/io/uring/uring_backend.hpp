// io/uring/uring_backend.hpp - the io_uring backend (the only code that includes <liburing.h>).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "io/backend.hpp"

namespace corio::detail {

// Thrown by make_uring_backend when the kernel or the process cannot use io_uring.
struct uring_unavailable : std::runtime_error {
  uring_unavailable(int err, const std::string& why) : std::runtime_error(why), error(err) {}
  int error;  // errno of the failing call
};

// Sets up a ring. `description` receives the setup flags that took effect.
std::unique_ptr<io_backend> make_uring_backend(const runtime_options& opts, std::string& description);

}  // namespace corio::detail
