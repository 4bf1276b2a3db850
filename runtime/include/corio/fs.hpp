// corio/fs.hpp - corio's file IO: corio::fs::file, read_file, write_file.
// See each header for what it does, which thread resumes you, what cancellation does and how long
// buffers must live; docs/api-net.md is the guide.
#pragma once

#include <corio/fs/file.hpp>
#include <corio/fs/whole_file.hpp>
