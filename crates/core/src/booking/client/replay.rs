//! Replay (`client.replay`): the bookings whose outcome is unknown (they ended where the
//! provider may have acted: a timeout, a lost answer, a reload mid-booking) are listed, and
//! sent again under their own key when the page hands their requests back. Records keep no
//! request (no personal data is stored), so the page brings the requests; each is matched to
//! its record as a call without a key would be. Only a record whose outcome is unknown and
//! whose key is within `idempotencyTtlMs` is sent again, under that key and with the same body:
//! the provider answers with the appointment it made, or makes the one it never got. Nothing
//! else is sent: a request with no such record is refused with `nothing_to_replay`, one whose
//! record is past its time to live with `idempotency_expired` (to be reconciled at the
//! provider), and one whose outcome is known is answered from its record.
use alloc::string::String;

use super::claim::Waiting;
use super::Client;
use crate::booking::io::{ClaimId, Command};
use crate::booking::random::Random;
use crate::booking::store::idempotency::{Lapsed, Unknown};
use crate::booking::wire::request::RawBookingRequest;
use crate::{Error, ErrorCode};

/// What replaying a request does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Its record's outcome is unknown: sent again under this key.
    Send(String),
    /// Its record's outcome is known (or a run is in flight): answered from it, nothing sent.
    Answer(String),
    /// Its record's outcome is unknown and past its time to live: never sent again.
    Reconcile(String),
    /// No record of it here: nothing is sent.
    NotFound,
}

crate::json_record! {
    /// What `replay({ dryRun: true })` says a request would do.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct ReplayPlan {
        /// `would_send`, `answered`, `reconcile`, `not_found` or `invalid`.
        pub status: &'static str => "status",
        /// The key it would be sent or answered under.
        pub idempotency_key: Option<String> => "idempotencyKey" [optional],
        /// Why it is invalid (`invalid_request`, ...).
        pub code: Option<&'static str> => "code" [optional],
    }
}

impl<R: Random> Client<R> {
    /// The bookings whose outcome is unknown that ended at `since_ms` or later.
    pub fn unknown(&self, since_ms: i64) -> impl Iterator<Item = Unknown> + '_ {
        self.s.store.unknown(since_ms, self.s.now)
    }

    /// What replaying `raw` would do now, from what this page knows (a real replay reads the
    /// storage again under the payload's claim first).
    pub fn replay_plan(&self, raw: &RawBookingRequest) -> ReplayPlan {
        let (status, key) = match self.book_call(0, raw, None, true) {
            Err(error) => {
                let code = Some(error.code.as_str());
                return ReplayPlan {
                    status: "invalid",
                    idempotency_key: None,
                    code,
                };
            }
            Ok(call) => match self.replay_target(&call) {
                Target::Send(key) => ("would_send", Some(key)),
                Target::Answer(key) => ("answered", Some(key)),
                Target::Reconcile(key) => ("reconcile", Some(key)),
                Target::NotFound => ("not_found", None),
            },
        };
        ReplayPlan {
            status,
            idempotency_key: key,
            code: None,
        }
    }

    /// Where a replay of `call` goes, as [`start`](Self::start) would take it.
    #[inline(never)]
    pub(super) fn replay_target(&self, call: &Waiting) -> Target {
        let now = self.s.now;
        if let Some(key) = self.known_key(call) {
            return match self.s.store.replay_state(&key, now) {
                None => Target::NotFound,
                Some((_, _, true)) => Target::Reconcile(key),
                Some((_, true, false)) => Target::Send(key),
                Some(_) => Target::Answer(key),
            };
        }
        match self.s.store.lapsed_for(call.fingerprint, call.legacy, now) {
            Some(Lapsed::Unknown(key)) => Target::Reconcile(key),
            _ => Target::NotFound,
        }
    }

    /// A replay that sends nothing: refused with `idempotency_expired` or `nothing_to_replay`;
    /// `None` when it goes on as a booking.
    pub(super) fn refuse_replay(
        &mut self,
        call: Waiting,
        claim: Option<ClaimId>,
    ) -> Option<Waiting> {
        let (key, error) = match self.replay_target(&call) {
            Target::Send(_) | Target::Answer(_) => return Some(call),
            Target::Reconcile(key) => (key, Error::new(
                ErrorCode::IdempotencyExpired,
                "this booking's outcome is unknown and its key is past idempotencyTtlMs: it is \
                 never sent again; check at the provider",
            )),
            Target::NotFound => (self.s.new_id(), Error::new(
                ErrorCode::NothingToReplay,
                "no booking of this request with an unknown outcome is on record here: nothing \
                 was sent",
            )),
        };
        let mut ctx = self.s.ctx(key, call.label);
        ctx.started_ms = call.started_ms;
        self.s.reject(call.id, ctx, Some(call.operation), error);
        if let Some(claim) = claim {
            self.s.out.push_back(Command::Release { claim });
        }
        None
    }
}
