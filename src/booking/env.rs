//! The effects the client needs, injected: a clock, a sleeper, a random source, a log sink,
//! and the provider. The browser layer implements them over `Date.now`, `setTimeout`,
//! `crypto.getRandomValues` and `fetch`; tests implement them with a manual clock and a
//! scripted provider.

use super::contract::{Appointment, AppointmentEvent};
use super::log::LogRecord;
use super::request::BookingRequest;
use super::retry::Failure;
use super::snapshot::Snapshot;
use core::future::Future;

/// Clock, timer, randomness and log sink.
pub trait Env {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
    /// Resolves after `ms` milliseconds.
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
    /// A uniformly random `u32` for idempotency keys and correlation ids: a crypto RNG.
    fn random_u32(&self) -> u32;
    /// A uniformly random `u32` for backoff jitter, which only needs to be uniform.
    fn jitter_u32(&self) -> u32 {
        self.random_u32()
    }
    /// Receives every log record, already masked.
    fn emit(&self, record: LogRecord);
    /// Whether a storage is configured: if not, no snapshot is built.
    fn persists(&self) -> bool {
        false
    }
    /// The snapshot saved by an earlier page (only asked when [`persists`](Self::persists)).
    fn load(&self) -> Option<Snapshot> {
        None
    }
    /// Keeps `snapshot` for the next page (called after every change of the idempotency
    /// store or the outbox). Storage failures are the implementation's to report, never the
    /// booking's.
    fn save(&self, _snapshot: &Snapshot) {}
}

/// The headers and limits of one provider call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Sent as `Idempotency-Key`; the same on every retry of a step.
    pub idempotency_key: String,
    /// Sent as `X-Correlation-Id`.
    pub correlation_id: String,
    /// The attempt must be aborted after this long and reported as [`Failure::Timeout`].
    pub timeout_ms: u64,
}

/// The `/api/v2` calendar provider (see [`super::contract`]). Implementations never panic or
/// throw: every failure is a [`Failure`].
pub trait Provider {
    /// `POST /appointments`.
    fn create(
        &self,
        call: Call,
        request: &BookingRequest,
    ) -> impl Future<Output = Result<Appointment, Failure>>;
    /// `GET` of a status URL (absolute, or relative to the provider's origin).
    fn get(&self, call: Call, url: &str) -> impl Future<Output = Result<Appointment, Failure>>;
    /// `POST /appointments/{id}/cancel`.
    fn cancel(
        &self,
        call: Call,
        appointment_id: &str,
    ) -> impl Future<Output = Result<Appointment, Failure>>;
    /// `POST /events`.
    fn publish(
        &self,
        call: Call,
        event: &AppointmentEvent,
    ) -> impl Future<Output = Result<(), Failure>>;
}
