// corio/corio.hpp - the whole public API of corio: the core, networking (corio/net.hpp) and files
// (corio/fs.hpp).
#pragma once

#include <corio/blocking.hpp>
#include <corio/cancel.hpp>
#include <corio/error.hpp>
#include <corio/fs.hpp>
#include <corio/io/async_fd.hpp>
#include <corio/net.hpp>
#include <corio/process/child.hpp>
#include <corio/runtime.hpp>
#include <corio/signal.hpp>
#include <corio/spawn.hpp>
#include <corio/sync.hpp>
#include <corio/task.hpp>
#include <corio/time.hpp>
#include <corio/version.hpp>
#include <corio/when_all.hpp>
#include <corio/when_any.hpp>
#include <corio/yield.hpp>
