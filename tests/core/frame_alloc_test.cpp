// The frame pool recycles freed frames of the same size class (when it is enabled).
#include <doctest/doctest.h>

#include <corio/detail/frame_alloc.hpp>

TEST_CASE("frame pool: a freed frame is reused by the next frame of its size class") {
  using namespace corio::detail;
  void* a = frame_allocate(200);
  frame_deallocate(a, 200);
  void* b = frame_allocate(192);  // same 16-byte class as 200 rounded up? 200 -> 208; 192 -> 192: different
  void* c = frame_allocate(200);
  if (frame_pool_enabled()) {
    CHECK(c == a);
    CHECK(b != a);
    CHECK(frame_pool_statistics().slab_bytes > 0);
  } else {
    MESSAGE("frame pool disabled in this build (sanitizer or CORIO_FRAME_POOL=OFF)");
    CHECK_FALSE(frame_pool_enabled());
  }
  frame_deallocate(b, 192);
  frame_deallocate(c, 200);
  void* big = frame_allocate(1 << 20);  // above the pooled sizes: plain operator new
  REQUIRE(big != nullptr);
  frame_deallocate(big, 1 << 20);
}
