// read_file and write_file (corio/fs/whole_file.hpp).
#include <corio/fs/whole_file.hpp>

#include <corio/fs/file.hpp>

#include <cerrno>

namespace corio::fs {

task<std::string> read_file(std::string path, deadline d, std::size_t max_bytes) {
  file f = co_await file::open(std::move(path), O_RDONLY, 0, d);
  const std::uint64_t hint = f.size();
  if (hint > max_bytes)
    throw error(std::error_code(EFBIG, std::system_category()),
                "read_file " + f.path() + " (" + std::to_string(hint) + " bytes, limit " + std::to_string(max_bytes) + ")");
  std::string out;
  // One read more than the size: it returns 0 and confirms the end (the file may have grown).
  out.resize(static_cast<std::size_t>(hint) + 1 < 4096 ? 4096 : static_cast<std::size_t>(hint) + 1);
  std::size_t done = 0;
  for (;;) {
    if (done == out.size()) {
      if (out.size() > max_bytes)
        throw error(std::error_code(EFBIG, std::system_category()),
                    "read_file " + f.path() + " (more than " + std::to_string(max_bytes) + " bytes)");
      out.resize(out.size() * 2);
    }
    const std::size_t n = co_await f.read_at(out.data() + done, out.size() - done, done, d);
    if (n == 0) break;
    done += n;
  }
  out.resize(done);
  co_return out;
}

task<void> write_file(std::string path, std::string_view data, bool sync, deadline d) {
  file f = co_await file::open(std::move(path), O_WRONLY | O_CREAT | O_TRUNC, 0644, d);
  co_await f.write_all_at(data.data(), data.size(), 0, d);
  if (sync) co_await f.fsync(false, d);
}

}  // namespace corio::fs
