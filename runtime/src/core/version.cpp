// The library binary's version (corio/version.hpp): the macros as they were when libcorio was
// compiled, so a caller compiled against other headers sees the difference.
#include <corio/version.hpp>

namespace corio {

const char* version() noexcept { return CORIO_VERSION_STRING; }
int version_major() noexcept { return CORIO_VERSION_MAJOR; }
int version_minor() noexcept { return CORIO_VERSION_MINOR; }
int version_patch() noexcept { return CORIO_VERSION_PATCH; }

}  // namespace corio
