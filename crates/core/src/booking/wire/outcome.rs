//! What a booking or cancel call resolves to.
use alloc::string::String;

use super::state::State;
use crate::json::ToJson;
use crate::Error;

/// Which operation a result is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A booking (`book`, or a `book-appointment` click).
    Book,
    /// A cancel (`cancel`, or a `cancel-appointment` click).
    Cancel,
}

impl Operation {
    /// The operation's JavaScript spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Book => "book",
            Operation::Cancel => "cancel",
        }
    }

    /// The operation for its JavaScript spelling (`book`, `cancel`).
    pub fn parse(name: &str) -> Option<Operation> {
        [Operation::Book, Operation::Cancel]
            .into_iter()
            .find(|o| o.name() == name)
    }
}

impl ToJson for Operation {
    fn write_json(&self, out: &mut String) {
        self.name().write_json(out);
    }
}

crate::json_record! {
    /// The plain result object `book`, `cancel` and `handle` resolve to (never reject with).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct BookingResult {
        /// Which operation; `null` when the click's label named none (`unknown_action`).
        pub operation: Option<Operation> => "operation",
        /// `completed` or `failed`.
        pub state: State => "state",
        /// The provider's appointment id, when one exists (also on a compensated failure).
        pub appointment_id: Option<String> => "appointmentId",
        /// Why it failed; `null` when completed.
        pub error: Option<Error> => "error",
        /// Calls made for the main step (create or cancel), 0 for a replay or a rejection.
        pub attempts: u32 => "attempts",
        /// Waits before a further attempt, over every step (create, poll, publish, compensation).
        pub retries: u32 => "retries",
        /// The result was stored or joined under this idempotency key, not produced by this call.
        pub idempotent_replay: bool => "idempotentReplay",
        /// This call's correlation id (also sent as `X-Correlation-Id`).
        pub correlation_id: String => "correlationId",
        /// The idempotency key the booking ran (or replayed) under.
        pub idempotency_key: String => "idempotencyKey",
        /// A follow-up failure cancelled the appointment again.
        pub compensated: bool => "compensated",
        /// The action label of the click that started it, for `handle`.
        pub action_label: Option<String> => "actionLabel",
        /// Wall time of this call in milliseconds.
        pub duration_ms: u64 => "durationMs",
    }
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
                        | Aborted
                )
            })
    }
}
