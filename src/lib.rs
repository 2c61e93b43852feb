//! raptor-secondary: a drop-in replacement for the legacy `getActionLabel` helper and a
//! resilient in-browser appointment client, compiled to WebAssembly.
//!
//! This package is the Wasm bindings; the logic is the pure core, `raptor-secondary-core`
//! (`crates/core`), which names no wasm-bindgen type and is tested with plain `cargo test`:
//! - `web` (wasm32 only): `getActionLabel` and `resolveAction` over structural reads of page
//!   objects, and the booking core's handle (`__Core`) that the JavaScript driver
//!   (`js/driver.js` under the `AppointmentClient` class of `js/client.js`) feeds and drains.
#![deny(missing_docs)]
// The Wasm build links no std (see the `trap-on-panic` feature and `web::local`).
#![cfg_attr(target_arch = "wasm32", no_std)]
#[cfg(target_arch = "wasm32")]
extern crate alloc;

pub use raptor_secondary_core::{action, ascii, booking, error, json, rollout, Error, ErrorCode};

#[cfg(target_arch = "wasm32")]
pub mod web;

// Single-threaded Wasm (no atomics): the booking client's blocks come in power-of-two classes
// (see `web::classes`); the drop-in alone frees nothing (see `web::bump`).
#[cfg(all(target_arch = "wasm32", feature = "client"))]
#[global_allocator]
static CLASSES: web::classes::Classes = web::classes::Classes::new();

#[cfg(all(target_arch = "wasm32", not(feature = "client")))]
#[global_allocator]
static BUMP: web::bump::Bump = web::bump::Bump::new();
