//! raptor-secondary: a drop-in replacement for the legacy `getActionLabel` helper and a
//! resilient in-browser appointment client, compiled to WebAssembly.
//!
//! The crate is split in two layers (see `STYLE.md`):
//! - [`action`], [`booking`], [`error`]: a pure core that names no web-sys or js-sys type and is tested with
//!   plain `cargo test`;
//! - `web` (wasm32 only): thin bindings that translate between JavaScript values and the core.
#![deny(missing_docs)]

pub mod action;
pub mod booking;
pub mod error;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(all(feature = "mock-provider", not(target_arch = "wasm32")))]
pub mod mock;

pub use error::{Error, ErrorCode};
