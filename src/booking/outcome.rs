//! What a booking or cancel call resolves to.

use super::state::State;
use crate::Error;
use serde::Serialize;

/// Which operation a result is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// A booking (`book`, or a `book-appointment` click).
    Book,
    /// A cancel (`cancel`, or a `cancel-appointment` click).
    Cancel,
}

impl Operation {
    /// The operation for its JavaScript spelling (`book`, `cancel`).
    pub fn parse(name: &str) -> Option<Operation> {
        match name {
            "book" => Some(Operation::Book),
            "cancel" => Some(Operation::Cancel),
            _ => None,
        }
    }
}

/// The plain result object `book`, `cancel` and `handle` resolve to (never reject with).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingResult {
    /// Which operation; `null` when the click's label named none (`unknown_action`).
    pub operation: Option<Operation>,
    /// `completed` or `failed`.
    pub state: State,
    /// The provider's appointment id, when one exists (also on a compensated failure).
    pub appointment_id: Option<String>,
    /// Why it failed; `null` when completed.
    pub error: Option<Error>,
    /// Calls made for the main step (create or cancel), 0 for a replay or a rejection.
    pub attempts: u32,
    /// Waits before a further attempt, over every step (create, poll, publish, compensation).
    pub retries: u32,
    /// The result was stored or joined under this idempotency key, not produced by this call.
    pub idempotent_replay: bool,
    /// This call's correlation id (also sent as `X-Correlation-Id`).
    pub correlation_id: String,
    /// The idempotency key the booking ran (or replayed) under.
    pub idempotency_key: String,
    /// A follow-up failure cancelled the appointment again.
    pub compensated: bool,
    /// The action label of the click that started it, for `handle`.
    pub action_label: Option<String>,
    /// Wall time of this call in milliseconds.
    pub duration_ms: u64,
}

impl BookingResult {
    /// Whether a later call under the same key should run again instead of replaying this
    /// result: failures where the provider may not have acted, or may act if asked again.
    pub fn is_rerunnable(&self) -> bool {
        use crate::ErrorCode::*;
        self.state == State::Failed
            && self.error.as_ref().is_some_and(|e| {
                matches!(
                    e.code,
                    RetryExhausted
                        | Timeout
                        | CircuitOpen
                        | NetworkError
                        | ProviderUnavailable
                        | RateLimited
                        | RequestInProgress
                )
            })
    }
}
