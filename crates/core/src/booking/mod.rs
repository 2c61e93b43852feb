//! The appointment client's core, sans-IO: a deterministic state machine ([`Client`]) that
//! takes inputs with the current time and yields commands; it never awaits and never reads a
//! clock. Names no web-sys or js-sys type; tested with plain `cargo test`.
//!
//! - the machine: [`client`] (routes inputs, holds bookings), [`booking`] (one booking's
//!   phases), [`attempts`] (one step's attempts, reused by every phase), [`flush`] (publishing
//!   events left pending), [`shared`] (what bookings share), [`io`] (inputs and commands),
//!   [`event`] (what happened: the one source of log records and counters);
//! - across tabs: [`claim`] (one sender per payload), [`drain`] (the outbox draining itself);
//! - [`replay`]: bookings whose outcome is unknown, listed and sent again under their key;
//! - the policies, one per file: [`backoff`], [`retry`], [`breaker`], [`state`],
//!   [`idempotency`], [`outbox`], [`mask`], [`request`] (validation), [`config`], [`router`];
//! - the data: [`contract`] (the `/api/v2` wire format), [`outcome`] (results), [`log`],
//!   [`metrics`], [`snapshot`] (what survives a reload), [`scalar`] (raw input fields),
//!   [`time`], [`random`].

pub mod attempts;
pub mod backoff;
// One booking's phases, found by its name.
#[allow(clippy::module_inception)]
pub mod booking;
pub mod breaker;
pub mod claim;
pub mod client;
pub mod config;
pub mod contract;
pub mod drain;
pub mod event;
pub mod flush;
pub mod follow_up;
pub mod idempotency;
pub mod io;
pub mod log;
pub mod mask;
pub mod metrics;
pub mod outbox;
pub mod outcome;
pub mod random;
pub mod replay;
pub mod request;
pub mod retry;
pub mod router;
pub mod scalar;
pub mod shared;
pub mod snapshot;
pub mod state;
pub mod time;
pub mod views;

pub use client::Client;
pub use config::{ClientConfig, RawClientConfig};
pub use io::{Answer, CallId, ClaimId, Command, Input, RequestId, Send, Step};
pub use outcome::{BookingResult, Operation};
pub use random::{ChaCha, Random};
pub use request::{BookingRequest, RawBookingRequest};
pub use state::State;
pub use views::{BreakerView, Restored};
