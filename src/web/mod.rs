//! The browser layer: JavaScript bindings over the pure core. Compiled for wasm32 only.
//!
//! - [`event_like`]: the page reads (`reads.js`) on a cursor, one call across the boundary
//!   per step, structural (duck-typed), `srcElement` included;
//! - [`drop_in`]: `getActionLabel`, the legacy contract with `srcElement` fixed;
//! - [`resolve`]: `resolveAction`, the detailed resolver for new code;
//! - [`core`]: the sans-IO booking core for the JavaScript driver (`AppointmentClient`);
//! - [`js_error`]: turns an [`crate::Error`] into a JavaScript `Error` with a `code`;
//! - [`bump`]: the drop-in-only build's allocator, which frees nothing;
//! - [`classes`]: the booking client's allocator, power-of-two size classes;
//! - [`region`]: the memory both allocators carve their blocks from.

// The module keeps state in plain statics (`event_like`, `region`, `classes`), sound on Wasm's one thread.
#[cfg(target_feature = "atomics")]
compile_error!("the Wasm build assumes one thread: build without the atomics target feature");

#[cfg(not(feature = "client"))]
pub mod bump;
#[cfg(feature = "client")]
pub mod classes;
#[cfg(feature = "client")]
pub mod core;
pub mod drop_in;
pub mod event_like;
#[cfg(feature = "client")]
pub mod js_error;
pub mod region;
pub mod resolve;

/// Runs once when the module is instantiated.
#[cfg(feature = "panic-hook")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A panic (a bug: every input is checked) traps without formatting a message, so the release
/// build links no formatting code. Only where nothing links std (its own handler would clash):
/// the release package, built with this feature by `npm run build`.
#[cfg(feature = "trap-on-panic")]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
