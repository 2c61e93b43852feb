//! Structured log records, derived from [`super::event::Event`]s in one place
//! ([`super::event::Event::record`]). Personal data can only enter as a [`MaskedPatient`].
use alloc::string::String;

use crate::booking::policy::breaker::BreakerTransition;
use crate::booking::wire::mask::MaskedPatient;
use crate::booking::wire::state::State;
use crate::json::ToJson;
use crate::ErrorCode;

/// Severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Normal progress.
    Info,
    /// A failure that may still be recovered from (a retry, a rejected call).
    Warn,
    /// A failure the booking does not recover from.
    Error,
}

impl ToJson for Level {
    fn write_json(&self, out: &mut String) {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
        .write_json(out);
    }
}

crate::json_record! {
    /// One log record. The fields through `duration_ms` are on every record (`null` when they
    /// do not apply); the rest appear only where they mean something.
    #[derive(Clone, Debug, PartialEq)]
    pub struct LogRecord {
        /// RFC 3339 UTC with milliseconds.
        pub ts: String => "ts",
        /// Severity.
        pub level: Level => "level",
        /// What happened, dotted: `booking.requested`, `attempt.failed`, ...
        pub event: &'static str => "event",
        /// The call's correlation id.
        pub correlation_id: String => "correlation_id",
        /// The booking's idempotency key.
        pub idempotency_key: String => "idempotency_key",
        /// The click's action label, when the call came from `handle`.
        pub action_label: Option<String> => "action_label",
        /// The attempt number within the current step, from 1.
        pub attempt: Option<u32> => "attempt",
        /// Retries so far in this call.
        pub retries: u32 => "retries",
        /// The provider's appointment id, once known.
        pub appointment_id: Option<String> => "appointment_id",
        /// The booking's state.
        pub state: State => "state",
        /// The error's stable code, on failures.
        pub error_code: Option<ErrorCode> => "error_code",
        /// Time since the call started.
        pub duration_ms: Option<u64> => "duration_ms",
        /// The step: `create`, `poll`, `publish`, `compensate`, `cancel`.
        pub step: Option<&'static str> => "step" [optional],
        /// HTTP status of a provider answer.
        pub status: Option<u16> => "status" [optional],
        /// Wait before the next attempt or poll.
        pub delay_ms: Option<u64> => "delay_ms" [optional],
        /// State before, for `state.changed`.
        pub from: Option<&'static str> => "from" [optional],
        /// A breaker state change.
        pub breaker: Option<BreakerTransition> => "breaker" [optional],
        /// The request's personal fields, masked (on `booking.requested`).
        pub patient: Option<MaskedPatient> => "patient" [optional],
    }
}

impl LogRecord {
    /// Whether the record is about a state change (booking or breaker), for observers.
    pub fn is_state_change(&self) -> bool {
        self.from.is_some() || self.breaker.is_some()
    }
}
