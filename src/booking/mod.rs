//! The appointment client's pure core: no web-sys or js-sys type, every effect injected
//! ([`env`]), tested with plain `cargo test`.
//!
//! Policies, one per file: [`backoff`] (exponential, full jitter), [`retry`] (what is
//! retryable, `Retry-After`), [`breaker`] (consecutive failures, half-open from the clock),
//! [`state`] (the lifecycle), [`idempotency`] (records by key), [`outbox`] (follow-up events),
//! [`mask`] (personal data), [`request`] (validation), [`router`] (labels to operations),
//! [`snapshot`] (what survives a reload).
//! [`client`] and [`steps`] put them together; [`contract`] is the `/api/v2` wire format.

pub mod backoff;
pub mod breaker;
pub mod client;
pub mod config;
pub mod contract;
pub mod env;
pub mod idempotency;
pub mod log;
pub mod mask;
pub mod metrics;
pub mod outbox;
pub mod outcome;
pub mod request;
pub mod retry;
pub mod router;
pub mod scalar;
pub mod snapshot;
pub mod state;
mod steps;
pub mod time;

pub use client::Client;
pub use config::{ClientConfig, RawClientConfig};
pub use env::{Call, Env, Provider};
pub use outcome::{BookingResult, Operation};
pub use request::{BookingRequest, RawBookingRequest};
pub use state::State;
