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
pub mod resolve;

use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}
