//! One error type with stable, machine-readable codes.
//!
//! Codes are part of the public contract: JavaScript callers branch on `error.code`, so a code
//! is never renamed. The message is for people and may change.
use alloc::boxed::Box;
use alloc::string::String;

use crate::json::ToJson;
use core::fmt;

/// A stable error code, exposed to JavaScript as the `code` property of an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// An options or configuration object had a field of the wrong type or out of range.
    InvalidOptions,
    /// A booking or cancel request failed validation; `field` names the field.
    InvalidRequest,
    /// An idempotency key was used again with a different payload.
    IdempotencyKeyReused,
    /// Every attempt failed with a retryable cause; `cause` holds the last one.
    RetryExhausted,
    /// The circuit breaker is open: no call was made.
    CircuitOpen,
    /// An attempt ran past its timeout, or the booking ran past its overall deadline.
    Timeout,
    /// The provider could not be reached (the fetch itself failed).
    NetworkError,
    /// The provider answered 5xx (or 408): it may work if asked again.
    ProviderUnavailable,
    /// The provider answered 429: too many requests.
    RateLimited,
    /// The provider answered 409: a request with this key is still being processed.
    RequestInProgress,
    /// The provider refused the request (a 4xx other than 408, 409 and 429); not retried.
    ProviderRejected,
    /// The provider answered with a body that does not follow the `/api/v2` contract.
    BadResponse,
    /// The follow-up event could not be published; the appointment was cancelled (or needs
    /// reconciliation, see `compensated`).
    OutboxPublishFailed,
    /// A click carried an action label that no route handles.
    UnknownAction,
    /// A state machine transition that the lifecycle does not allow.
    InvalidTransition,
    /// The caller's `AbortSignal` stopped the call; with `appointmentId` set, the appointment
    /// exists and was kept (its follow-ups finish in the background).
    Aborted,
    /// The payload's last booking was cut short (where the provider may have acted) longer
    /// ago than `idempotencyTtlMs`: it cannot be re-run under its key, nor looked up. A call
    /// with an `idempotencyKey` of the caller's books.
    IdempotencyExpired,
    /// `replay` found no booking of this request whose outcome is unknown to send again
    /// (none on record here, or one past its time to live already answered): nothing was sent.
    NothingToReplay,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::InvalidOptions,
        ErrorCode::InvalidRequest,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::RetryExhausted,
        ErrorCode::CircuitOpen,
        ErrorCode::Timeout,
        ErrorCode::NetworkError,
        ErrorCode::ProviderUnavailable,
        ErrorCode::RateLimited,
        ErrorCode::RequestInProgress,
        ErrorCode::ProviderRejected,
        ErrorCode::BadResponse,
        ErrorCode::OutboxPublishFailed,
        ErrorCode::UnknownAction,
        ErrorCode::InvalidTransition,
        ErrorCode::Aborted,
        ErrorCode::IdempotencyExpired,
        ErrorCode::NothingToReplay,
    ];

    /// The code for its [`as_str`](Self::as_str) spelling.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The code as JavaScript sees it (`snake_case`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::RetryExhausted => "retry_exhausted",
            ErrorCode::CircuitOpen => "circuit_open",
            ErrorCode::Timeout => "timeout",
            ErrorCode::NetworkError => "network_error",
            ErrorCode::ProviderUnavailable => "provider_unavailable",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::RequestInProgress => "request_in_progress",
            ErrorCode::ProviderRejected => "provider_rejected",
            ErrorCode::BadResponse => "bad_response",
            ErrorCode::OutboxPublishFailed => "outbox_publish_failed",
            ErrorCode::UnknownAction => "unknown_action",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::Aborted => "aborted",
            ErrorCode::IdempotencyExpired => "idempotency_expired",
            ErrorCode::NothingToReplay => "nothing_to_replay",
        }
    }
}

impl ToJson for ErrorCode {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

/// An error with a stable [`ErrorCode`] and a human-readable message: its fields
/// ([`ErrorFields`]) behind one pointer, so a `Result` that carries it is two words and `?`
/// moves one.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorFields>);

impl core::ops::Deref for Error {
    type Target = ErrorFields;
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl core::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ToJson for Error {
    fn write_json(&self, out: &mut String) {
        self.0.write_json(out);
    }
}

crate::json_record! {
    /// What an [`Error`] holds.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ErrorFields {
        /// What went wrong, as a stable code.
        pub code: ErrorCode => "code",
        /// What went wrong, for people; names the offending field where there is one.
        pub message: String => "message",
        /// The request field at fault (`invalid_request` only), in its JavaScript spelling.
        pub field: Option<&'static str> => "field" [optional],
        /// The HTTP status the provider answered, where one caused this error.
        pub status: Option<u16> => "status" [optional],
        /// The failure behind this one: the last attempt's for `retry_exhausted`.
        pub cause: Option<Error> => "cause" [optional],
    }
}

impl Error {
    /// The JSON (and JavaScript) name of every field, in order.
    pub const JSON_FIELDS: &'static [&'static str] = ErrorFields::JSON_FIELDS;

    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorFields {
            code,
            message: message.into(),
            field: None,
            status: None,
            cause: None,
        }))
    }

    /// An `invalid_request` error about `field`.
    pub fn invalid_field(field: &'static str, message: impl Into<String>) -> Self {
        let mut error = Error::new(ErrorCode::InvalidRequest, message);
        error.field = Some(field);
        error
    }

    /// This error, caused by `cause`.
    pub fn caused_by(mut self, cause: Error) -> Self {
        self.cause = Some(cause);
        self
    }

    /// This error, with the HTTP status that caused it.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " (caused by {cause})")?;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    #[test]
    fn display_leads_with_the_stable_code() {
        let e = Error::new(ErrorCode::InvalidOptions, "maxDepth must be an integer");
        assert_eq!(
            e.to_string(),
            "invalid_options: maxDepth must be an integer"
        );
    }

    #[test]
    fn display_includes_the_cause_chain() {
        let e = Error::new(ErrorCode::RetryExhausted, "3 attempts failed")
            .caused_by(Error::new(ErrorCode::Timeout, "attempt 3 timed out"));
        assert_eq!(
            e.to_string(),
            "retry_exhausted: 3 attempts failed (caused by timeout: attempt 3 timed out)"
        );
    }

    #[test]
    fn parse_reads_as_str() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("nope"), None);
    }

    #[test]
    fn json_carries_the_cause_chain_and_leaves_out_what_is_absent() {
        let e = Error::new(ErrorCode::RetryExhausted, "gave up")
            .caused_by(Error::new(ErrorCode::ProviderUnavailable, "503").with_status(503));
        assert_eq!(
            e.to_json(),
            r#"{"code":"retry_exhausted","message":"gave up","cause":{"code":"provider_unavailable","message":"503","status":503}}"#
        );
    }
}
