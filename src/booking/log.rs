//! Structured log records. Built as values and handed to the injected sink, which formats
//! them (JSON in JavaScript, `serde_json` in tests); personal data can only enter as a
//! [`MaskedPatient`].

use super::breaker::BreakerTransition;
use super::mask::MaskedPatient;
use super::state::State;
use crate::ErrorCode;
use serde::Serialize;

/// Severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Normal progress.
    Info,
    /// A failure that may still be recovered from (a retry, a rejected call).
    Warn,
    /// A failure the booking does not recover from.
    Error,
}

/// One log record. The fields through `duration_ms` are on every record (`null` when they do
/// not apply); the rest appear only where they mean something.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogRecord {
    /// RFC 3339 UTC with milliseconds.
    pub ts: String,
    /// Severity.
    pub level: Level,
    /// What happened, dotted: `booking.requested`, `attempt.failed`, `breaker.opened`, ...
    pub event: &'static str,
    /// The call's correlation id.
    pub correlation_id: String,
    /// The booking's idempotency key.
    pub idempotency_key: String,
    /// The click's action label, when the call came from `handle`.
    pub action_label: Option<String>,
    /// The attempt number within the current step, from 1.
    pub attempt: Option<u32>,
    /// Retries so far in this call.
    pub retries: u32,
    /// The provider's appointment id, once known.
    pub appointment_id: Option<String>,
    /// The booking's state.
    pub state: State,
    /// The error's stable code, on failures.
    pub error_code: Option<ErrorCode>,
    /// Time since the call started.
    pub duration_ms: Option<u64>,
    /// The step: `create`, `poll`, `publish`, `compensate`, `cancel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<&'static str>,
    /// HTTP status of a provider answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Wait before the next attempt or poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// State before, for `state.changed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'static str>,
    /// A breaker state change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerTransition>,
    /// The request's personal fields, masked (on `booking.requested`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<MaskedPatient>,
}

impl LogRecord {
    /// Whether the record is about a state change (booking or breaker), for observers.
    pub fn is_state_change(&self) -> bool {
        self.from.is_some() || self.breaker.is_some()
    }
}
