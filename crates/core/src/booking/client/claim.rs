//! One sender per payload across tabs. With a storage, a call whose payload is not already in
//! flight in this tab first claims the payload ([`Command::Claim`]):
//! the driver takes a lock every tab of the origin shares (the Web Locks API), then reads what
//! the storage holds for the payload now and feeds it back ([`Input::Claimed`](crate::booking::io::Input::Claimed)).
//! Only then is the key chosen, so a second tab booking the same payload finds the first tab's
//! key and result instead of minting a key of its own. The claim is held until the booking
//! ends and its record is saved, then released. A wait is bounded by the call's deadline.
use crate::ascii::cat;
use alloc::borrow::ToOwned;
use alloc::string::String;

use super::Client;
use crate::booking::io::{ClaimId, Command, RequestId};
use crate::booking::random::Random;
use crate::booking::report::event::Event;
use crate::booking::run::booking::Work;
use crate::booking::run::shared::RECORD;
use crate::booking::store::idempotency::Lapsed;
use crate::booking::store::snapshot::{fingerprint_to_hex, SavedRecord};
use crate::booking::wire::outcome::Operation;
use crate::vecs::remove_at;
use crate::{Error, ErrorCode};

/// A call waiting for its claim to be granted.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// The claim.
    pub claim: ClaimId,
    /// The page's call.
    pub id: RequestId,
    /// The click's action label, for `handle`.
    pub label: Option<String>,
    /// Book or cancel.
    pub operation: Operation,
    /// The payload's fingerprint, keyed with the origin's secret (see [`crate::booking::run::shared::Shared::keyed`]).
    pub fingerprint: u64,
    /// The same without the secret: how records saved before there was one know the payload.
    pub legacy: u64,
    /// The key the caller gave, if any.
    pub explicit: Option<String>,
    /// A replay: it sends a booking again only under its record's key (see [`super::replay`]).
    pub replay: bool,
    /// What the call will do once it holds its key.
    pub work: Work,
    /// When the page's call was made.
    pub started_ms: i64,
    /// When waiting for the claim must be over (the call's deadline).
    pub deadline_ms: i64,
}

impl Waiting {
    /// Whether `other` asks for the same run: the same work on the same payload, under the
    /// same key of the caller's (or none).
    fn is_like(&self, other: &Waiting) -> bool {
        self.fingerprint == other.fingerprint
            && self.explicit == other.explicit
            && self.replay == other.replay
            && matches!(
                (&self.work, &other.work),
                (Work::Book(_), Work::Book(_)) | (Work::Cancel(_), Work::Cancel(_))
            )
    }
}

impl<R: Random> Client<R> {
    /// The key a call would use: the caller's, the one of a live record with its payload
    /// (a double click, a retry after a failure), or a fresh one.
    pub(super) fn key_of(&mut self, call: &Waiting) -> String {
        match self.known_key(call) {
            Some(key) => key,
            None => self.s.new_id(),
        }
    }

    /// The key a call has already: a cancel's, the caller's, or a live record's.
    pub(super) fn known_key(&self, call: &Waiting) -> Option<String> {
        match &call.work {
            Work::Cancel(target) => Some(cat(&["cancel:", target.as_str()])),
            Work::Book(_) => call.explicit.clone().or_else(|| self.found(call)),
        }
    }

    /// The key of a live record with the call's payload (by its keyed fingerprint, else by the
    /// plain one of a record saved before the origin had a secret).
    fn found(&self, call: &Waiting) -> Option<String> {
        let now = self.s.now;
        let store = &self.s.store;
        store
            .key_for(call.fingerprint, now)
            .or_else(|| store.key_for(call.legacy, now))
    }

    /// With a storage, claims the payload across tabs first (see [`super::claim`]), unless a
    /// call of this tab holds it already: then the call joins or replays here, as without one.
    pub(super) fn claim_or_start(&mut self, mut call: Waiting) {
        let here = self
            .known_key(&call)
            .is_some_and(|key| self.s.store.in_flight(&key));
        if !self.s.persists || here {
            return self.start(call, None);
        }
        // A call like one already waiting for its claim in this tab (a double click in one
        // tick) waits behind it under the same claim, and then joins the first call's run as
        // it would without a storage, whatever that run's end: it never mints a key of its own.
        if let Some(first) = self
            .claims
            .iter()
            .find(|w| w.claim != 0 && w.is_like(&call))
        {
            call.claim = first.claim;
            self.claims.push(call);
            return;
        }
        call.claim = self.s.new_claim();
        let item = cat(&["p:", &fingerprint_to_hex(call.fingerprint)]);
        self.s.out.push_back(Command::Claim {
            claim: call.claim,
            lock: item.clone(),
            read: item,
            wait: true,
            announced: crate::booking::run::tabs::ANNOUNCED,
        });
        self.claims.push(call);
    }

    /// Claim `claim` was granted: the newest record of the payload, of what the storage holds
    /// now and what tabs announced, is taken in, then the call starts holding the claim.
    pub(super) fn claimed(&mut self, claim: ClaimId, saved: Option<&str>, announced: &[String]) {
        let Some(i) = self.claims.iter().position(|w| w.claim == claim) else {
            return; // released before it was granted: the driver feeds nothing then
        };
        let call = remove_at(&mut self.claims, i);
        if let Some(record) = newest(call.fingerprint, saved, announced) {
            self.s.store.merge(record, self.s.now);
        }
        self.start(call, Some(claim));
        // The calls that waited behind it, in order: they join its run while it is in flight;
        // one that ended at once (a replay, a deadline already past) let the claim go, and
        // then the first of them claims the payload again and the others wait behind it.
        for w in self.claims.iter_mut().filter(|w| w.claim == claim) {
            w.claim = 0; // none yet: no call is seen waiting behind these
        }
        while let Some(i) = self.claims.iter().position(|w| w.claim == 0) {
            let call = remove_at(&mut self.claims, i);
            self.claim_or_start(call);
        }
    }

    /// Call `i` stops waiting for its claim: the claim is let go unless a call waits behind
    /// it (which then waits on in its place).
    pub(super) fn stop_waiting(&mut self, i: usize) -> Waiting {
        let call = remove_at(&mut self.claims, i);
        if !self.claims.iter().any(|w| w.claim == call.claim) {
            self.s.out.push_back(Command::Release { claim: call.claim });
        }
        call
    }

    /// A call whose claim was not granted by its deadline: another tab holds the payload.
    pub(super) fn claim_expired(&mut self, i: usize) {
        let call = self.stop_waiting(i);
        let key = self.key_of(&call);
        let mut ctx = self.s.ctx(key, call.label);
        ctx.started_ms = call.started_ms;
        let error = Error::new(
            ErrorCode::RequestInProgress,
            "another tab is booking this payload and did not finish before the deadline",
        );
        self.s.reject(call.id, ctx, Some(call.operation), error);
    }

    /// Takes the call's key, logs the request, then runs, joins or replays it. A booking whose
    /// payload has only an expired record is checked at the provider first, or refused (see
    /// [`Lapsed`]).
    pub(super) fn start(&mut self, call: Waiting, claim: Option<ClaimId>) {
        let mut call = match call.replay {
            true => match self.refuse_replay(call, claim) {
                Some(call) => call,
                None => return,
            },
            false => call,
        };
        // The key it has; else, for a booking whose payload has only an expired record, what
        // that record leaves to do; else a fresh key.
        let known = self.known_key(&call);
        let lapsed = match (&call.work, &known) {
            (Work::Book(_), None) => {
                let store = &self.s.store;
                store.lapsed_for(call.fingerprint, call.legacy, self.s.now)
            }
            _ => None,
        };
        let (key, verify) = match (known, lapsed) {
            (Some(key), _) => (key, None),
            (None, Some(Lapsed::Unknown(key))) => return self.refuse_lapsed(call, claim, key),
            (None, Some(Lapsed::Verify(appointment))) => (self.s.new_id(), Some(appointment)),
            (None, None) => (self.s.new_id(), None),
        };
        let mut ctx = self.s.ctx(key, call.label.take());
        ctx.started_ms = call.started_ms;
        match &call.work {
            Work::Book(request) => {
                let patient = crate::booking::wire::mask::MaskedPatient::of(request);
                self.s.emit(&mut ctx, Event::BookingRequested(patient));
            }
            Work::Cancel(target) => {
                ctx.appointment_id = Some(target.clone());
                self.s.emit(&mut ctx, Event::CancelRequested);
            }
        }
        self.run(call, ctx, claim, verify);
    }

    /// The payload's last booking, under `key`, was cut short where the provider may have
    /// acted, longer ago than the provider is assumed to remember keys: re-sending under the
    /// key, or under a new one, could book the slot twice, and there is no appointment to ask
    /// about. Calls without a key are refused with `idempotency_expired` while the record is
    /// kept (a second time to live); a call with a key of the caller's books.
    fn refuse_lapsed(&mut self, call: Waiting, claim: Option<ClaimId>, key: String) {
        let mut ctx = self.s.ctx(key, call.label);
        ctx.started_ms = call.started_ms;
        let error = Error::new(
            ErrorCode::IdempotencyExpired,
            "this payload's last booking was cut short over idempotencyTtlMs ago and the provider \
             may hold it: check, then book with a new idempotencyKey",
        );
        self.s.reject(call.id, ctx, Some(call.operation), error);
        if let Some(claim) = claim {
            self.s.out.push_back(Command::Release { claim });
        }
    }
}

/// The newest record of payload `fingerprint` a claim read: the storage item `saved`, or one a
/// tab announced (`p=<fingerprint> <json>`: localStorage can reach this tab late, the lock
/// registry cannot), by [`SavedRecord::seq`]; on a tie, the item.
fn newest(fingerprint: u64, saved: Option<&str>, announced: &[String]) -> Option<SavedRecord> {
    let hex = fingerprint_to_hex(fingerprint);
    let mut newest: Option<SavedRecord> = None;
    let mut text = saved;
    let mut told = announced.iter();
    loop {
        if let Some(mut record) = text.and_then(SavedRecord::from_json) {
            if record.fingerprint == fingerprint
                && newest.as_ref().is_none_or(|n| record.seq > n.seq)
            {
                record.item = text.map(str::to_owned);
                newest = Some(record);
            }
        }
        let Some(next) = told.next() else {
            return newest;
        };
        text = next
            .strip_prefix(RECORD)
            .and_then(|t| t.strip_prefix(hex.as_str()))
            .and_then(|t| t.strip_prefix(' '));
    }
}
