//! The pure core of raptor-secondary: no wasm-bindgen, no serde, no clock, no I/O. Tested with
//! plain `cargo test`; the Wasm bindings (the root package) and the mock provider
//! (`crates/mock-provider`) are built on it.
//!
//! - [`action`]: which action a UI event stands for (the bounded walk, options, reasons);
//! - [`booking`]: the appointment client as a deterministic state machine: inputs with the
//!   current time in, commands out;
//! - [`error`]: one error type with stable codes;
//! - [`json`]: JSON text in and out without serde;
//! - [`rollout`]: who is in a gradual rollout (Unleash's bucket function).
#![deny(missing_docs)]
// No std: the Wasm build links no std panic machinery or formatting (the bindings bring their
// own panic handler); `alloc` has everything used here. Tests and the `std` feature (for
// `std::error::Error`) link std.
#![no_std]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod action;
pub mod ascii;
pub mod booking;
pub mod error;
pub mod json;
pub mod rollout;
pub mod vecs;

pub use error::{Error, ErrorCode};
