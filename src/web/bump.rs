//! The drop-in build's allocator: a bump allocator that never frees.
//!
//! The drop-in (`getActionLabel`, `resolveAction`) allocates nothing itself; the only heap
//! user is wasm-bindgen's externref slab, a `Vec` that grows geometrically when more page
//! values are alive at once than ever before, and never shrinks. Freeing nothing costs at most
//! the slab's size once more (the buffers it outgrew), and saves the bytes a freeing
//! allocator (the booking client's, `super::classes`) adds to every page that loads the
//! drop-in. The browser tests check the module's memory stays flat under hostile input.

use super::region::Region;
use core::alloc::{GlobalAlloc, Layout};

/// See the module documentation.
pub struct Bump(Region);

impl Bump {
    /// An allocator that takes its first page when first asked.
    pub const fn new() -> Self {
        Bump(Region::new())
    }
}

impl Default for Bump {
    fn default() -> Self {
        Bump::new()
    }
}

// SAFETY: single-threaded Wasm only (`super` refuses the atomics feature).
unsafe impl Sync for Bump {}

// SAFETY: every block handed out lies in memory this allocator took from `memory.grow`, is
// aligned as asked, and is handed out once.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0.carve(layout.size(), layout.align())
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}
