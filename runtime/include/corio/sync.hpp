// corio/sync.hpp - synchronisation between the tasks of one runtime.
#pragma once

#include <corio/sync/channel.hpp>
#include <corio/sync/event.hpp>
#include <corio/sync/mutex.hpp>
#include <corio/sync/semaphore.hpp>
