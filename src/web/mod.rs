//! The browser layer: JavaScript bindings over the pure core. Compiled for wasm32 only.
//!
//! - [`event_like`]: structural (duck-typed) reads of events and elements, `srcElement`
//!   included, which web-sys does not bind;
//! - [`drop_in`]: `getActionLabel`, the legacy contract with `srcElement` fixed;
//! - [`resolve`]: `resolveAction`, the detailed resolver for new code;
//! - [`appointment_client`]: `AppointmentClient`, the booking client, over [`effects`] (clock,
//!   timers, crypto, logs) and [`fetch_provider`] (the `/api/v2` calls);
//! - [`js_error`]: turns an [`crate::Error`] into a JavaScript `Error` with a `code`.

#[cfg(feature = "client")]
pub mod appointment_client;
pub mod drop_in;
#[cfg(feature = "client")]
pub mod effects;
pub mod event_like;
#[cfg(feature = "client")]
pub mod fetch_provider;
pub mod js_error;
pub mod resolve;
#[cfg(feature = "client")]
pub mod restore;

use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}
