//! Which failures are worth another attempt, and how long to wait before it. The policy
//! decides; the caller owns the timer (as in tower's `retry`).
use crate::ascii::cat;
use alloc::string::String;

use crate::booking::wire::time::parse_http_date;
use crate::json::decimal;
use crate::{Error, ErrorCode};

/// Why one provider call failed. It carries no text from the provider or the transport: a
/// provider that echoes the request back (patient name, e-mail, phone) in its error bodies, or
/// a `fetch` whose rejection message quotes it, must not reach results, storage or logs. The
/// status and a stable code say what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `fetch` itself failed: offline, DNS, CORS, connection reset.
    Network,
    /// The attempt ran past its timeout and was aborted.
    Timeout,
    /// The provider answered with a non-success status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The raw `Retry-After` header, if any.
        retry_after: Option<String>,
    },
    /// A success status with a body that breaks the contract (a fixed description of how).
    BadResponse(&'static str),
}

impl Failure {
    /// A status failure without a body or headers.
    pub fn status(status: u16) -> Self {
        Failure::Status {
            status,
            retry_after: None,
        }
    }

    /// Whether another attempt with the same idempotency key may succeed: network errors,
    /// timeouts, 408, 409 (still in progress), 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Failure::Network | Failure::Timeout => true,
            Failure::Status { status, .. } => matches!(status, 408 | 409 | 429 | 500..=599),
            Failure::BadResponse(_) => false,
        }
    }

    /// Whether the failure says the provider is unhealthy, and so counts towards opening the
    /// breaker. 409 and 429 are the provider working as designed; 4xx are the caller's fault.
    pub fn counts_against_breaker(&self) -> bool {
        match self {
            Failure::Network | Failure::Timeout => true,
            Failure::Status { status, .. } => matches!(status, 408 | 500..=599),
            Failure::BadResponse(_) => false,
        }
    }

    /// The `Retry-After` hint in milliseconds from `now_ms`, for seconds and HTTP-date forms.
    /// A date in the past means "now"; an unreadable value is ignored.
    pub fn retry_after_ms(&self, now_ms: i64) -> Option<u64> {
        let Failure::Status {
            retry_after: Some(value),
            ..
        } = self
        else {
            return None;
        };
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            // Seconds; past u64::MAX, the longest wait (so more than any limit).
            let seconds = value.bytes().fold(0u64, |n, b| {
                n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
            });
            return Some(seconds.saturating_mul(1000));
        }
        parse_http_date(value).map(|at| at.saturating_sub(now_ms).max(0) as u64)
    }

    /// The failure as an error with a stable code and a fixed message (see [`Failure`]).
    pub fn to_error(&self) -> Error {
        match self {
            Failure::Network => {
                Error::new(ErrorCode::NetworkError, "the provider could not be reached")
            }
            Failure::Timeout => Error::new(ErrorCode::Timeout, "the attempt timed out"),
            Failure::BadResponse(what) => Error::new(
                ErrorCode::BadResponse,
                cat(&["the provider's answer breaks the contract: ", what]),
            ),
            Failure::Status { status, .. } => {
                let kind = match status {
                    409 => ErrorCode::RequestInProgress,
                    429 => ErrorCode::RateLimited,
                    408 | 500..=599 => ErrorCode::ProviderUnavailable,
                    _ => ErrorCode::ProviderRejected,
                };
                let message = cat(&["the provider answered ", &decimal(u64::from(*status))]);
                Error::new(kind, message).with_status(*status)
            }
        }
    }
}

/// What to do after a retryable failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this many milliseconds, then try again.
    RetryAfter(u64),
    /// Stop: the provider asked us to wait longer than we may, or past the deadline.
    GiveUp(Error),
}

/// The wait before the next attempt: `max(hint, backoff)`, never earlier than the provider's
/// `Retry-After`; giving up instead when the hint is above `max_hint_ms` or the wait would end
/// past `deadline_ms` (time left `remaining_ms`).
pub fn decide(
    backoff_ms: u64,
    hint_ms: Option<u64>,
    max_hint_ms: u64,
    remaining_ms: u64,
) -> Decision {
    if let Some(hint) = hint_ms {
        if hint > max_hint_ms {
            return Decision::GiveUp(Error::new(
                ErrorCode::RetryExhausted,
                cat(&[
                    "the provider asked to retry after ",
                    &decimal(hint),
                    " ms, more than the ",
                    &decimal(max_hint_ms),
                    " ms allowed",
                ]),
            ));
        }
    }
    let wait = hint_ms.map_or(backoff_ms, |h| h.max(backoff_ms));
    if wait >= remaining_ms {
        return Decision::GiveUp(Error::new(
            ErrorCode::Timeout,
            cat(&[
                "the next attempt would start after the booking deadline (",
                &decimal(remaining_ms),
                " ms left)",
            ]),
        ));
    }
    Decision::RetryAfter(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    fn with_retry_after(status: u16, value: &str) -> Failure {
        Failure::Status {
            status,
            retry_after: Some(value.into()),
        }
    }

    #[test]
    fn retryable_outcomes() {
        for f in [
            Failure::Network,
            Failure::Timeout,
            Failure::status(408),
            Failure::status(409),
            Failure::status(429),
            Failure::status(500),
            Failure::status(503),
        ] {
            assert!(f.is_retryable(), "{f:?}");
        }
        for f in [
            Failure::status(400),
            Failure::status(404),
            Failure::status(422),
            Failure::BadResponse("x"),
        ] {
            assert!(!f.is_retryable(), "{f:?}");
        }
    }

    #[test]
    fn only_health_failures_count_against_the_breaker() {
        assert!(Failure::Timeout.counts_against_breaker());
        assert!(Failure::status(503).counts_against_breaker());
        assert!(!Failure::status(429).counts_against_breaker());
        assert!(!Failure::status(409).counts_against_breaker());
        assert!(!Failure::status(422).counts_against_breaker());
    }

    #[test]
    fn retry_after_in_seconds_and_dates() {
        let now = 784_111_777_000; // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(with_retry_after(429, "2").retry_after_ms(now), Some(2000));
        assert_eq!(with_retry_after(429, " 0 ").retry_after_ms(now), Some(0));
        assert_eq!(
            with_retry_after(503, "Sun, 06 Nov 1994 08:49:40 GMT").retry_after_ms(now),
            Some(3000)
        );
        assert_eq!(
            with_retry_after(503, "Sun, 06 Nov 1994 08:49:00 GMT").retry_after_ms(now),
            Some(0)
        );
        assert_eq!(with_retry_after(503, "-1").retry_after_ms(now), None);
        for huge in [
            "18446744073709551616",
            "18446744073709552",
            "99999999999999999999999999",
        ] {
            assert_eq!(
                with_retry_after(503, huge).retry_after_ms(now),
                Some(u64::MAX),
                "{huge}"
            );
        }
        assert_eq!(with_retry_after(503, "soon").retry_after_ms(now), None);
        assert_eq!(
            with_retry_after(503, "99999999999999999999999").retry_after_ms(now),
            Some(u64::MAX)
        );
        assert_eq!(Failure::Timeout.retry_after_ms(now), None);
    }

    #[test]
    fn waits_are_never_earlier_than_the_hint() {
        assert_eq!(decide(100, None, 10_000, 60_000), Decision::RetryAfter(100));
        assert_eq!(
            decide(100, Some(2000), 10_000, 60_000),
            Decision::RetryAfter(2000)
        );
        assert_eq!(
            decide(3000, Some(2000), 10_000, 60_000),
            Decision::RetryAfter(3000)
        );
        let Decision::GiveUp(e) = decide(100, Some(20_000), 10_000, 60_000) else {
            unreachable!()
        };
        assert_eq!(e.code, ErrorCode::RetryExhausted);
        let Decision::GiveUp(e) = decide(100, Some(2000), 10_000, 1500) else {
            unreachable!()
        };
        assert_eq!(e.code, ErrorCode::Timeout);
    }

    #[test]
    fn status_failures_map_to_stable_codes() {
        assert_eq!(
            Failure::status(503).to_error().code,
            ErrorCode::ProviderUnavailable
        );
        assert_eq!(Failure::status(429).to_error().code, ErrorCode::RateLimited);
        assert_eq!(
            Failure::status(409).to_error().code,
            ErrorCode::RequestInProgress
        );
        assert_eq!(
            Failure::status(422).to_error().code,
            ErrorCode::ProviderRejected
        );
        assert_eq!(Failure::status(422).to_error().status, Some(422));
        assert_eq!(Failure::Timeout.to_error().code, ErrorCode::Timeout);
    }

    #[test]
    fn error_messages_are_fixed_texts() {
        assert_eq!(
            Failure::status(422).to_error().message,
            "the provider answered 422"
        );
        assert_eq!(
            Failure::Network.to_error().message,
            "the provider could not be reached"
        );
    }
}
