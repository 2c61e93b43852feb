//! raptor-secondary: a drop-in replacement for the legacy `getActionLabel` helper and a
//! resilient in-browser appointment client, compiled to WebAssembly.
//!
//! This package is the Wasm bindings; the logic is the pure core, `raptor-secondary-core`
//! (`crates/core`), which names no wasm-bindgen type and is tested with plain `cargo test`:
//! - `web` (wasm32 only): `getActionLabel` and `resolveAction` over structural reads of page
//!   objects, and the booking core's handle (`__Core`) that the JavaScript driver
//!   (`js/raptor_secondary.js`, the `AppointmentClient` class) feeds and drains.
#![deny(missing_docs)]

pub use raptor_secondary_core::{action, booking, error, json, Error, ErrorCode};

#[cfg(target_arch = "wasm32")]
pub mod web;
