//! Memory taken from `memory.grow` and handed out front to back, never given back: what both
//! allocators carve their blocks from (`bump` every block, `classes` a block of a class that
//! has none free).

use core::arch::wasm32::memory_grow;
use core::cell::Cell;
use core::ptr::null_mut;

/// A Wasm page.
pub const PAGE: usize = 65536;

/// See the module documentation.
pub struct Region {
    next: Cell<usize>,
    end: Cell<usize>,
}

impl Region {
    /// A region that takes its first pages when first asked.
    pub const fn new() -> Self {
        Region {
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }

    /// `size` bytes at a multiple of `align` (a power of two), never handed out before; null
    /// when memory cannot grow, or when no such address is left below 4 GiB. `size + align`
    /// must not overflow (a `Layout`'s size rounded to its alignment fits `isize`; a class is
    /// at most 2 GiB).
    pub fn carve(&self, size: usize, align: usize) -> *mut u8 {
        let mask = align - 1;
        let Some(mut start) = align_up(self.next.get(), align) else {
            return null_mut();
        };
        if start
            .checked_add(size)
            .is_none_or(|end| end > self.end.get())
        {
            let pages = (size + mask) / PAGE + 1;
            let first = memory_grow(0, pages);
            if first == usize::MAX {
                return null_mut();
            }
            // Wasm memory grows at its end, which is where this region ends (nothing else
            // grows it): the region goes on; else (the first growth) it starts there.
            if first * PAGE != self.end.get() {
                self.next.set(first * PAGE);
            }
            self.end.set((first + pages) * PAGE);
            start = match align_up(self.next.get(), align) {
                Some(start) => start,
                None => return null_mut(),
            };
        }
        self.next.set(start + size);
        start as *mut u8
    }
}

/// The first multiple of `align` (a power of two) at or after `at`; `None` when it would lie
/// past the address space (rounding up would wrap around to a low address already in use).
pub fn align_up(at: usize, align: usize) -> Option<usize> {
    let mask = align - 1;
    Some(at.checked_add(mask)? & !mask)
}

impl Default for Region {
    fn default() -> Self {
        Region::new()
    }
}
