// corio/detail/frame_alloc.hpp - allocation of coroutine frames.
//
// Every corio::task frame is allocated here. By default small frames come from a per-thread
// recycling pool (size classes of 16 bytes up to 1 KiB, carved from 64 KiB slabs), so spawning and
// finishing a short task costs no malloc/free pair and no allocator header. Memory of freed frames
// is kept for reuse by later frames (like a slab allocator), it is not returned to the OS. The pool
// is bypassed (plain operator new) when corio is built with CORIO_FRAME_POOL=OFF, under
// AddressSanitizer (so ASan sees every frame), or at run time with CORIO_FRAME_POOL=0.
#pragma once

#include <cstddef>

namespace corio::detail {

void* frame_allocate(std::size_t n);                     // throws std::bad_alloc
void frame_deallocate(void* p, std::size_t n) noexcept;  // n: the size given to frame_allocate

struct frame_pool_stats {
  std::size_t slab_bytes;  // bytes reserved in slabs by all threads (never returned)
};
frame_pool_stats frame_pool_statistics() noexcept;
bool frame_pool_enabled() noexcept;

}  // namespace corio::detail
