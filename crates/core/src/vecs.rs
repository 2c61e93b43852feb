//! Removals and index reads of the core's lists, in one place each. An index that can be out
//! of bounds is a bug (every index here comes from a search of the same list just before), and
//! the panic traps; what these save is the panic's location: a call site that panics gets its
//! own, file path included, and these share one (issue 21: -0.3 KB gzip of the client page).

use alloc::vec::Vec;

/// `v.remove(i)`: the item at `i`, the items after it moved up.
pub fn remove_at<T>(v: &mut Vec<T>, i: usize) -> T {
    v.remove(i)
}

/// `&mut v[i]`.
pub fn at_mut<T>(v: &mut [T], i: usize) -> &mut T {
    &mut v[i]
}
