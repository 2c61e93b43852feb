//! The booking client's allocator: blocks in power-of-two size classes, each class a free list.
//!
//! A block of class `k` is `2^k` bytes (8 bytes to 2 GiB) at an address that is a multiple of
//! `2^k`, so any alignment the request asks (a power of two no larger than its class) holds. A
//! freed block goes onto its class's list (linked through its first word) and is handed out
//! again to the next request of that class; blocks are never split or merged. Memory therefore
//! grows only to the most each class held at once, and a workload that repeats itself (a
//! booking after a booking, a hostile input after another) stays flat after its first round.
//! Rounding up to a power of two costs at most twice the bytes asked; the client's allocations
//! are small (keys, ids, a few records), and large ones (a 1 MB request field) are short-lived.
//! Fresh blocks are carved from a [`Region`], as the drop-in's bump allocator carves all of
//! its own. Every call is O(1). It replaced talc (a coalescing allocator): the client page is
//! 0.37 KB gzip lighter; the bench's page holds 2.0 MB of Wasm memory after 100,000 bookings
//! instead of 1.5 MB.

use super::region::Region;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::ptr::null_mut;

/// Classes 0 to 31: 2^31 bytes is the largest block a 32-bit address space can hold.
const CLASSES: usize = 32;

/// See the module documentation.
pub struct Classes {
    /// The first free block of each class (0: none).
    free: [Cell<usize>; CLASSES],
    /// Where fresh blocks are carved from.
    region: Region,
}

impl Classes {
    /// An allocator that takes memory when first asked.
    pub const fn new() -> Self {
        Classes {
            free: [const { Cell::new(0) }; CLASSES],
            region: Region::new(),
        }
    }
}

impl Default for Classes {
    fn default() -> Self {
        Classes::new()
    }
}

/// The class of `layout`: the smallest `k` with `2^k` at least its size, its alignment and 8.
fn class(layout: Layout) -> usize {
    let size = layout.size().max(layout.align()).max(8);
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

// SAFETY: single-threaded Wasm only (`super` refuses the atomics feature).
unsafe impl Sync for Classes {}

// SAFETY: every block handed out lies in memory this allocator took from `memory.grow`, is
// `2^class` bytes (at least the size asked) at a multiple of `2^class` (at least the alignment
// asked: an alignment is a power of two no larger than the class), and is on no free list
// until it is freed.
unsafe impl GlobalAlloc for Classes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let k = class(layout);
        if k >= CLASSES {
            return null_mut();
        }
        let head = self.free[k].get();
        if head != 0 {
            // SAFETY: a free block's first word is the next free block of its class.
            self.free[k].set(unsafe { *(head as *const usize) });
            return head as *mut u8;
        }
        let size = 1usize << k;
        self.region.carve(size, size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let k = class(layout);
        // SAFETY: the block is at least 8 bytes, aligned, and no longer in use.
        unsafe { *(ptr as *mut usize) = self.free[k].get() };
        self.free[k].set(ptr as usize);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller passes a valid layout's alignment and a size that fits it.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(new) == class(layout) {
            return ptr;
        }
        // SAFETY: as `GlobalAlloc::realloc` asks: a fresh block, the bytes both hold, the old
        // block freed.
        unsafe {
            let fresh = self.alloc(new);
            if !fresh.is_null() {
                core::ptr::copy_nonoverlapping(ptr, fresh, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            fresh
        }
    }
}
