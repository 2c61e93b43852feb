//! A run's vocabulary: what a booking does once it holds its key ([`Work`]), where it is
//! ([`Phase`]), what moves it ([`BookingInput`]) and what a step left it as ([`RunState`]).
//! The transitions are in [`super::booking`].
use alloc::string::String;

use super::answer::RunError;
use super::attempts::Attempts;
use crate::booking::io::{Answer, CallId, ClaimId};
use crate::booking::wire::request::BookingRequest;
use crate::Error;

/// What the booking does once it holds its key.
#[derive(Clone, Debug, PartialEq)]
pub enum Work {
    /// Create this appointment.
    Book(BookingRequest),
    /// Cancel this appointment (the page's `cancel`).
    Cancel(String),
}

/// Where a booking is.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// The provider is asked whether it still holds `appointment`, which an earlier booking
    /// of the payload made under a key that has expired (see
    /// [`Lapsed`](crate::booking::store::idempotency::Lapsed)); the create goes out only if it does not.
    Checking {
        /// The earlier booking's appointment.
        appointment: String,
        /// The `GET`'s attempts.
        attempts: Attempts,
    },
    /// The create (or the page's cancel) is being attempted.
    Calling(Attempts),
    /// Pending at the provider: the next poll of `url` is due at `until`.
    PollWait {
        /// When to poll.
        until: i64,
        /// Where.
        url: String,
    },
    /// A poll is being attempted.
    Polling(Attempts),
    /// The outbox event is being published.
    Publishing(Attempts),
    /// A flush is publishing this booking's event: wait for it (one sender per key).
    AwaitFlush {
        /// The event's id (its key).
        event_id: String,
    },
    /// The appointment is being cancelled again after `error`.
    Compensating {
        /// The failure that made the booking fail.
        error: Error,
        /// The outbox entry to settle, when it was the event that failed.
        event_id: Option<String>,
        /// The cancel's attempts.
        attempts: Attempts,
    },
}

/// What a step of the machine left it as.
#[derive(Clone, Debug, PartialEq)]
pub enum RunState {
    /// Still going.
    Running,
    /// Ended.
    Ended(Result<(), RunError>),
}

/// What moved a booking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BookingInput {
    /// An answer to a call (perhaps not this booking's).
    Answer(CallId, Answer),
    /// The clock moved.
    Timer,
    /// The answer to a probe's claim across tabs: granted, and the breaker item read.
    Probe(ClaimId, bool, Option<String>),
}
