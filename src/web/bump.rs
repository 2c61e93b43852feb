//! The drop-in build's allocator: a bump allocator that never frees.
//!
//! The drop-in (`getActionLabel`, `resolveAction`) allocates nothing itself; the only heap
//! user is wasm-bindgen's externref slab, a `Vec` that grows geometrically when more page
//! values are alive at once than ever before, and never shrinks. Freeing nothing costs at most
//! the slab's size once more (the buffers it outgrew), and saves the bytes a freeing
//! allocator (the booking client's, `super::classes`) adds to every page that loads the
//! drop-in. The browser tests check the module's memory stays flat under hostile input.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::memory_grow;
use core::cell::Cell;
use core::ptr::null_mut;

const PAGE: usize = 65536;

/// See the module documentation.
pub struct Bump {
    next: Cell<usize>,
    end: Cell<usize>,
}

impl Bump {
    /// An allocator that takes its first page when first asked.
    pub const fn new() -> Self {
        Bump {
            next: Cell::new(0),
            end: Cell::new(0),
        }
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
        let align = layout.align() - 1;
        let mut start = (self.next.get() + align) & !align;
        if start
            .checked_add(layout.size())
            .is_none_or(|end| end > self.end.get())
        {
            let pages = (layout.size() + align) / PAGE + 1;
            let first = memory_grow(0, pages);
            if first == usize::MAX {
                return null_mut();
            }
            // Continue the current region when the new pages follow it; else start anew.
            if first * PAGE != self.end.get() {
                self.next.set(first * PAGE);
            }
            self.end.set((first + pages) * PAGE);
            start = (self.next.get() + align) & !align;
        }
        self.next.set(start + layout.size());
        start as *mut u8
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}
