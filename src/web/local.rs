//! [`Local`]: a value the module keeps for its one thread, without std's `thread_local!`
//! (the Wasm build is `no_std`). Wasm without the atomics feature runs on one thread only.

#[cfg(target_feature = "atomics")]
compile_error!("Local assumes single-threaded Wasm: build without the atomics target feature");

use core::cell::OnceCell;

/// A lazily made value, like a `thread_local!` on the module's only thread.
pub struct Local<T> {
    cell: OnceCell<T>,
    init: fn() -> T,
}

// SAFETY: without the atomics feature a Wasm module has one thread, so a `Local` is never
// shared between threads (see the compile_error above).
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    /// A value made by `init` on first use.
    pub const fn new(init: fn() -> T) -> Self {
        Local {
            cell: OnceCell::new(),
            init,
        }
    }

    /// Runs `f` on the value, making it first if needed.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(self.cell.get_or_init(self.init))
    }
}
