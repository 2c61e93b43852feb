//! The browser layer: JavaScript bindings over the pure core. Compiled for wasm32 only.
//!
//! - [`event_like`]: structural (duck-typed) reads of events and elements, `srcElement`
//!   included, which web-sys does not bind;
//! - [`drop_in`]: `getActionLabel`, the legacy contract with `srcElement` fixed;
//! - [`resolve`]: `resolveAction`, the detailed resolver for new code;
//! - [`core`]: the sans-IO booking core for the JavaScript driver (`AppointmentClient`);
//! - [`js_error`]: turns an [`crate::Error`] into a JavaScript `Error` with a `code`.

#[cfg(feature = "client")]
pub mod core;
pub mod drop_in;
pub mod event_like;
pub mod js_error;
pub mod local;
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
