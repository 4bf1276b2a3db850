// io/asio/asio_backend.hpp - the standalone Asio backend (the only code that includes <asio.hpp>).
#pragma once

#include <memory>

#include "io/backend.hpp"

namespace corio::detail {

std::unique_ptr<io_backend> make_asio_backend();

}  // namespace corio::detail
