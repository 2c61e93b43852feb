//! JSON text in and out, without serde: a writer for the wire bodies, results, log records and
//! views ([`write`](mod@write)), and a small parser for what the core itself saved ([`parse`](mod@parse):
//! snapshots). Integers only: no float formatting or parsing is ever needed here, which keeps
//! `core::fmt`'s float code out of the Wasm build.

pub mod parse;
pub mod write;

pub use parse::{parse, Value};
pub use write::*;
