//! What happened to a call, as one typed value: the only way the core reports progress. Each
//! [`Event`] becomes one log record ([`Event::record`]) and moves the counters
//! ([`Event::count`]); observers of state changes read the record. Nothing else logs or counts.
use alloc::string::String;

use super::log::{Level, LogRecord};
use super::metrics::Metrics;
use crate::booking::policy::breaker::BreakerTransition;
use crate::booking::wire::contract::Step;
use crate::booking::wire::mask::MaskedPatient;
use crate::booking::wire::state::State;
use crate::booking::wire::time::format_rfc3339;
use crate::ErrorCode;

/// One call's context: what every log record of it carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Ctx {
    /// This call's id (also `X-Correlation-Id`).
    pub correlation_id: String,
    /// The idempotency key it runs under.
    pub key: String,
    /// The click's action label, for `handle`.
    pub label: Option<String>,
    /// When the call started.
    pub started_ms: i64,
    /// Where it is in its lifecycle.
    pub state: State,
    /// Guarded attempts made (create or cancel).
    pub attempts: u32,
    /// Waits before a further attempt, over every step.
    pub retries: u32,
    /// The provider's appointment, once known.
    pub appointment_id: Option<String>,
    /// Whether its first event is still to count it as a booking (false for a flush).
    pub uncounted: bool,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `booking.requested`, with the patient masked.
    BookingRequested(MaskedPatient),
    /// `cancel.requested`.
    CancelRequested,
    /// `booking.rejected`: refused before anything was sent or stored.
    Rejected(ErrorCode),
    /// `state.changed`, from this state to the context's.
    StateChanged(State),
    /// `state.invalid_transition` (logged, never applied).
    InvalidTransition(ErrorCode),
    /// `attempt.started`.
    AttemptStarted(Step, u32),
    /// `attempt.succeeded`.
    AttemptSucceeded(Step, u32),
    /// `attempt.failed`, with the code and the provider's status.
    AttemptFailed(Step, u32, ErrorCode, Option<u16>),
    /// `retry.scheduled`, with the wait.
    RetryScheduled(Step, u32, u64),
    /// `call.short_circuited`: the breaker refused; the wait until it may admit a call.
    ShortCircuited(Step, u64),
    /// `breaker.changed`.
    BreakerChanged(BreakerTransition),
    /// `poll.scheduled`, with the wait.
    PollScheduled(u64),
    /// `appointment.confirmed`.
    Confirmed,
    /// `idempotency.replayed`: the stored result's appointment and state.
    Replayed(Option<String>, State),
    /// `idempotency.joined`.
    Joined,
    /// `outbox.written`.
    OutboxWritten,
    /// `outbox.published`; `true` when a `422` under the event's own key settled it.
    OutboxPublished(bool),
    /// `outbox.publish_failed`.
    OutboxPublishFailed(ErrorCode),
    /// `outbox.flush`: a pending event is being published again.
    OutboxFlush,
    /// `compensation.started`, for this failure.
    CompensationStarted(ErrorCode),
    /// `compensation.succeeded`.
    CompensationSucceeded,
    /// `reconciliation.needed`: an appointment may exist that the client could not cancel.
    ReconciliationNeeded(ErrorCode),
    /// `booking.completed`.
    Completed,
    /// `booking.failed`.
    Failed(Option<ErrorCode>),
}

impl Event {
    /// The record's `event` name.
    pub const fn name(&self) -> &'static str {
        match self {
            Event::BookingRequested(_) => "booking.requested",
            Event::CancelRequested => "cancel.requested",
            Event::Rejected(_) => "booking.rejected",
            Event::StateChanged(_) => "state.changed",
            Event::InvalidTransition(_) => "state.invalid_transition",
            Event::AttemptStarted(..) => "attempt.started",
            Event::AttemptSucceeded(..) => "attempt.succeeded",
            Event::AttemptFailed(..) => "attempt.failed",
            Event::RetryScheduled(..) => "retry.scheduled",
            Event::ShortCircuited(..) => "call.short_circuited",
            Event::BreakerChanged(_) => "breaker.changed",
            Event::PollScheduled(_) => "poll.scheduled",
            Event::Confirmed => "appointment.confirmed",
            Event::Replayed(..) => "idempotency.replayed",
            Event::Joined => "idempotency.joined",
            Event::OutboxWritten => "outbox.written",
            Event::OutboxPublished(_) => "outbox.published",
            Event::OutboxPublishFailed(_) => "outbox.publish_failed",
            Event::OutboxFlush => "outbox.flush",
            Event::CompensationStarted(_) => "compensation.started",
            Event::CompensationSucceeded => "compensation.succeeded",
            Event::ReconciliationNeeded(_) => "reconciliation.needed",
            Event::Completed => "booking.completed",
            Event::Failed(_) => "booking.failed",
        }
    }

    /// The record's severity.
    pub fn level(&self) -> Level {
        match self {
            Event::Rejected(_)
            | Event::AttemptFailed(..)
            | Event::ShortCircuited(..)
            | Event::CompensationStarted(_)
            | Event::OutboxPublished(true) => Level::Warn,
            Event::BreakerChanged(t) if t.to == "open" => Level::Warn,
            Event::InvalidTransition(_)
            | Event::OutboxPublishFailed(_)
            | Event::ReconciliationNeeded(_)
            | Event::Failed(_) => Level::Error,
            _ => Level::Info,
        }
    }

    /// The log record of this event in `ctx` at `now_ms`.
    pub fn record(&self, ctx: &Ctx, now_ms: i64) -> LogRecord {
        let mut r = LogRecord {
            ts: format_rfc3339(now_ms),
            level: self.level(),
            event: self.name(),
            correlation_id: ctx.correlation_id.clone(),
            idempotency_key: ctx.key.clone(),
            action_label: ctx.label.clone(),
            attempt: None,
            retries: ctx.retries,
            appointment_id: ctx.appointment_id.clone(),
            state: ctx.state,
            error_code: None,
            duration_ms: Some((now_ms - ctx.started_ms).max(0) as u64),
            step: None,
            status: None,
            delay_ms: None,
            from: None,
            breaker: None,
            patient: None,
        };
        match self {
            Event::BookingRequested(patient) => r.patient = Some(patient.clone()),
            Event::Rejected(code)
            | Event::InvalidTransition(code)
            | Event::OutboxPublishFailed(code)
            | Event::CompensationStarted(code)
            | Event::ReconciliationNeeded(code) => r.error_code = Some(*code),
            Event::Failed(code) => r.error_code = *code,
            Event::StateChanged(from) => r.from = Some(from.name()),
            Event::AttemptStarted(step, n) | Event::AttemptSucceeded(step, n) => {
                r.step = Some(step.name());
                r.attempt = Some(*n);
            }
            Event::AttemptFailed(step, n, code, status) => {
                r.step = Some(step.name());
                r.attempt = Some(*n);
                r.error_code = Some(*code);
                r.status = *status;
            }
            Event::RetryScheduled(step, n, delay) => {
                r.step = Some(step.name());
                r.attempt = Some(*n);
                r.delay_ms = Some(*delay);
            }
            Event::ShortCircuited(step, retry_in) => {
                r.step = Some(step.name());
                r.error_code = Some(ErrorCode::CircuitOpen);
                r.delay_ms = Some(*retry_in);
            }
            Event::BreakerChanged(t) => r.breaker = Some(*t),
            Event::PollScheduled(delay) => r.delay_ms = Some(*delay),
            Event::Replayed(appointment_id, state) => {
                r.appointment_id = appointment_id.clone();
                r.state = *state;
            }
            Event::OutboxPublished(true) => r.status = Some(422),
            _ => {}
        }
        r
    }

    /// Moves the counters this event stands for.
    pub fn count(&self, metrics: &mut Metrics) {
        match self {
            Event::RetryScheduled(..) => metrics.retries += 1,
            Event::Replayed(..) | Event::Joined => metrics.idempotent_hits += 1,
            Event::CompensationSucceeded => metrics.compensations += 1,
            Event::ReconciliationNeeded(_) => metrics.reconciliations += 1,
            Event::BreakerChanged(t) if t.to == "open" => metrics.breaker_opens += 1,
            _ => {}
        }
    }
}
