// Redirect rules (corio/http/redirect.hpp).
#include <corio/http/redirect.hpp>

namespace corio::http {

bool is_redirect_status(int status) noexcept {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::optional<url> redirect_target(const response& r, const url& request_url) {
  if (!is_redirect_status(r.status)) return std::nullopt;
  auto location = r.header_value("Location");
  if (!location) return std::nullopt;
  return request_url.resolve(*location);
}

}  // namespace corio::http
