//! The wasm build's memory allocator: dlmalloc, as the standard library uses on wasm32, but growing the wasm
//! memory 8 MiB at a time instead of 64 KiB.
//!
//! Every `memory.grow` costs about 0.2 ms in V8 whatever its size (measured in Node 20 and Chromium: 4,096
//! one-page grows take 700 ms, 16 grows of 16 MiB take 26 ms). The standard allocator grows by what each request
//! needs, so reading a 200 MB log made thousands of grows and spent most of its time there. Growing by 8 MiB
//! makes it a few dozen. The unused rest of the last step is reserved address space the browser does not back
//! with memory until it is written.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use dlmalloc::Dlmalloc;

/// How much the wasm memory grows at least, each time the allocator needs more (a power of two).
const GROW_STEP: usize = 8 << 20;

struct Allocator(UnsafeCell<Dlmalloc>);

// SAFETY: this build has no wasm threads (no `atomics` target feature): one thread uses the allocator.
#[cfg(not(target_feature = "atomics"))]
unsafe impl Sync for Allocator {}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(
    const {
        let mut a = Dlmalloc::new();
        assert!(a.set_granularity(GROW_STEP));
        a
    },
));

// SAFETY: each call has the only access to the dlmalloc state (one thread, no re-entrance: dlmalloc does not
// allocate); the contracts are dlmalloc's, which are GlobalAlloc's.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).malloc(layout.size(), layout.align())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).calloc(layout.size(), layout.align())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        (*self.0.get()).free(ptr, layout.size(), layout.align())
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size)
    }
}
