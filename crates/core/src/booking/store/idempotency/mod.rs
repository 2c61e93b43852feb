//! The idempotency store: one record per key with the payload's fingerprint, its state, its
//! result and an expiry. Bounded by a time to live and a size cap, so a long-lived page does
//! not grow without end; a record still in flight is never evicted. A plain `Vec` searched in
//! order: the cap is small, and it keeps hashing and sorting out of the Wasm build.
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::snapshot::{RecordJson, SavedRecord};
use crate::booking::wire::outcome::BookingResult;
use crate::vecs::remove_at;

/// What to do with a call under a key.
#[derive(Debug, PartialEq)]
pub enum Begin {
    /// Run it: the key is new, or its last run failed in a way worth running again.
    Start,
    /// Return this stored result; call nothing.
    Replay(BookingResult),
    /// A run under this key is in flight: wait for its result.
    Join,
    /// The key was used with a different payload.
    Conflict,
}

crate::json_record! {
    /// A booking whose outcome is unknown, as `client.replay` lists it (no personal data).
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Unknown {
        /// The key it ran under (the one a replay sends again).
        pub idempotency_key: String => "idempotencyKey",
        /// Why it ended without an outcome (`timeout`, `network_error`, ...).
        pub code: &'static str => "code",
        /// When it ended, in ms since the epoch.
        pub ended_at_ms: u64 => "endedAt",
        /// Past `idempotencyTtlMs`: never sent again, to be reconciled at the provider.
        pub expired: bool => "expired",
    }
}

#[derive(Debug)]
struct Record {
    key: String,
    fingerprint: u64,
    /// `None` while in flight.
    result: Option<Box<BookingResult>>,
    expires_at_ms: i64,
    /// Whether a call without a key may find this record by its fingerprint.
    findable: bool,
    /// Changed since it was last saved.
    dirty: bool,
    /// The appointment a compensation set out to cancel (see [`SavedRecord::compensating`]).
    compensating: Option<String>,
    /// See [`SavedRecord::verify`].
    verify: Option<String>,
    /// Which write of it storage holds (see [`SavedRecord::rev`]); 0 when unknown.
    rev: u64,
    /// See [`SavedRecord::seq`].
    seq: u32,
    /// The payload's fingerprint before keying, for records this page made (0 for records
    /// read from storage, which keeps only the keyed one): what re-keys it (see
    /// [`IdempotencyStore::rekey`]). Never saved.
    plain: u64,
    /// The exact text of its item as this page last wrote or read it (`None`: never saved).
    item: Option<String>,
}

impl Record {
    /// Past its time to live: its key is not used again (the provider's window may be over).
    fn expired(&self, now_ms: i64) -> bool {
        self.result.is_some() && now_ms >= self.expires_at_ms
    }

    /// Past a second time to live, during which an expired record only tells a call with its
    /// payload what to ask the provider about (see [`IdempotencyStore::lapsed_for`]).
    fn gone(&self, now_ms: i64, ttl_ms: i64) -> bool {
        self.result.is_some() && now_ms >= self.expires_at_ms.saturating_add(ttl_ms)
    }

    fn saved(&self) -> SavedRecord {
        SavedRecord {
            key: self.key.clone(),
            fingerprint: self.fingerprint,
            expires_at_ms: self.result.as_ref().map(|_| self.expires_at_ms),
            result: self.result.as_deref().cloned(),
            findable: self.findable,
            compensating: self.compensating.clone(),
            verify: self.verify.clone(),
            rev: self.rev,
            seq: self.seq,
            item: self.item.clone(),
        }
    }

    fn json(&self) -> RecordJson<'_> {
        RecordJson {
            key: &self.key,
            fingerprint: self.fingerprint,
            expires_at_ms: self.result.as_ref().map(|_| self.expires_at_ms),
            result: self.result.as_deref(),
            findable: self.findable,
            compensating: self.compensating.as_deref(),
            verify: self.verify.as_deref(),
            rev: self.rev,
            seq: self.seq,
        }
    }
}

/// What an expired record of a payload leaves a new call to do (see
/// [`IdempotencyStore::lapsed_for`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lapsed {
    /// Its booking made this appointment: ask the provider whether it still holds it before
    /// creating another.
    Verify(String),
    /// Its booking was cut short where the provider may have acted (key `0`), and the
    /// provider's window for the key may be over: nothing can be looked up, so calls without
    /// a key of their own are refused.
    Unknown(String),
}

/// A change to a payload's storage item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemChange {
    /// Write this JSON (the payload's newest record).
    Put(String),
    /// Remove the item if it still holds this text, the write of the record this page knew:
    /// not a newer one another tab saved, nor the same key run again.
    RemoveIfHolding(String),
}

/// Records by idempotency key, oldest first.
#[derive(Debug)]
pub struct IdempotencyStore {
    records: Vec<Record>,
    ttl_ms: i64,
    max_entries: usize,
    /// Whether a storage keeps every record (see [`set_durable`](Self::set_durable)).
    durable: bool,
    /// Records that went (past twice their time to live, or re-keyed) since the last save:
    /// fingerprint and the text of their item (which goes too, if it still holds that text).
    gone: Vec<(u64, Option<String>)>,
    /// The rev the next write gets (random per page, see [`set_durable`](Self::set_durable)).
    next_rev: u64,
    /// How long a booking may still run after its page last saved it (its deadline).
    grace_ms: i64,
    /// Appointments a page's cancel cancelled (here or in another tab), and when: their
    /// bookings are not found by payload any more, wherever their records are read from.
    cancelled: Vec<(String, i64)>,
}

impl IdempotencyStore {
    /// A store keeping finished records for `ttl_ms`, at most `max_entries` of them.
    pub fn new(ttl_ms: u64, max_entries: usize) -> Self {
        IdempotencyStore {
            records: Vec::new(),
            ttl_ms: ttl_ms.min(i64::MAX as u64) as i64,
            max_entries: max_entries.max(1),
            durable: false,
            gone: Vec::new(),
            next_rev: 1,
            grace_ms: 0,
            cancelled: Vec::new(),
        }
    }

    /// Appointment `appointment_id` was cancelled at `at_ms` by a page's cancel (this one's or
    /// another tab's, told through storage item `x:<id>`): calls without a key stop finding
    /// its bookings, here and in every record read later, so the slot books anew. Records are
    /// not rewritten (that would need their payload's claim). Returns `false` for news older
    /// than a record can be kept (twice the time to live), whose item can go.
    pub fn cancelled(&mut self, appointment_id: &str, at_ms: i64, now_ms: i64) -> bool {
        if at_ms.saturating_add(self.ttl_ms.saturating_mul(2)) <= now_ms {
            return false;
        }
        if !self.cancelled.iter().any(|(id, _)| id == appointment_id) {
            self.cancelled.push((appointment_id.to_owned(), at_ms));
        }
        self.unfind(appointment_id, false);
        true
    }

    /// A booking found in flight in storage may still be running for this long (its page may
    /// still be retrying): such a record's time to live counts from then.
    pub fn set_grace(&mut self, deadline_ms: u64) {
        self.grace_ms = deadline_ms.min(i64::MAX as u64) as i64;
    }

    /// A storage keeps every record until it expires, and every call reads its payload's record
    /// from it (under the payload's claim) before choosing a key: the cap may then drop any
    /// saved record from memory, one that must run again under its key too.
    /// `rev_seed` (random) numbers this page's writes, so a removal can tell a write it knew
    /// from a later one of another tab.
    pub fn set_durable(&mut self, rev_seed: u64) {
        self.durable = true;
        self.next_rev = rev_seed | 1;
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Keys are unique here; the newest records are the ones a booking looks up again.
    fn find(&self, key: &str) -> Option<usize> {
        self.records.iter().rposition(|r| r.key == key)
    }

    /// The record under `key`.
    fn record(&self, key: &str) -> Option<&Record> {
        self.records.iter().rev().find(|r| r.key == key)
    }

    /// The record under `key`, to change.
    fn record_mut(&mut self, key: &str) -> Option<&mut Record> {
        self.records.iter_mut().rev().find(|r| r.key == key)
    }

    /// Whether a run under `key` is in flight.
    pub fn in_flight(&self, key: &str) -> bool {
        self.record(key).is_some_and(|r| r.result.is_none())
    }

    /// The bookings whose outcome is unknown (see [`BookingResult::is_rerunnable`]) that
    /// ended at `since_ms` or later, oldest first: key, error code, end, and whether the record
    /// is past its time to live (then its key is not sent again). For `client.replay`.
    pub fn unknown(&self, since_ms: i64, now_ms: i64) -> impl Iterator<Item = Unknown> + '_ {
        self.records.iter().filter_map(move |r| {
            let result = r.result.as_ref().filter(|r| r.is_rerunnable())?;
            let ended_at_ms = r.expires_at_ms.saturating_sub(self.ttl_ms);
            (ended_at_ms >= since_ms).then(|| Unknown {
                idempotency_key: r.key.clone(),
                code: result.error.as_ref().map_or("", |e| e.code.as_str()),
                ended_at_ms: ended_at_ms.max(0) as u64,
                expired: r.expired(now_ms),
            })
        })
    }

    /// What replaying the record under `key` would do: `None` without a record, else whether
    /// it is in flight, its outcome unknown, and past its time to live.
    pub fn replay_state(&self, key: &str, now_ms: i64) -> Option<(bool, bool, bool)> {
        let r = self.record(key)?;
        let unknown = r
            .result
            .as_deref()
            .is_some_and(BookingResult::is_rerunnable);
        Some((r.result.is_none(), unknown, r.expired(now_ms)))
    }

    /// The key of a live record with this payload, so a call without a key (a double click,
    /// a retry after a failure) reuses the booking's key instead of making a second booking.
    pub fn key_for(&self, fingerprint: u64, now_ms: i64) -> Option<String> {
        self.records
            .iter()
            .rev()
            .find(|r| r.findable && r.fingerprint == fingerprint && !r.expired(now_ms))
            .map(|r| r.key.clone())
    }

    /// Decides a call under `key` with payload `fingerprint`; on [`Begin::Start`] the record is
    /// in flight until [`finish`](Self::finish).
    pub fn begin(&mut self, key: &str, fingerprint: u64, now_ms: i64) -> Begin {
        self.begin_either(key, fingerprint, fingerprint, now_ms)
    }

    /// [`begin`](Self::begin), where a record saved with the `legacy` fingerprint of the
    /// payload (before the origin had a secret) is the same payload too; the record it starts
    /// holds `fingerprint`.
    pub fn begin_either(&mut self, key: &str, fingerprint: u64, legacy: u64, now_ms: i64) -> Begin {
        self.evict(now_ms, 1);
        let mut seq = 0;
        if let Some(i) = self.find(key) {
            // Expired but kept to be looked up: the key starts afresh.
            if let Some(record) = self.records.get(i).filter(|r| !r.expired(now_ms)) {
                if record.fingerprint != fingerprint && record.fingerprint != legacy {
                    return Begin::Conflict;
                }
                match &record.result {
                    None => return Begin::Join,
                    Some(result) if !result.is_rerunnable() => {
                        return Begin::Replay(BookingResult::clone(result))
                    }
                    Some(_) => {}
                }
            }
            seq = remove_at(&mut self.records, i).seq;
        }
        self.records.push(Record {
            key: key.to_owned(),
            fingerprint,
            result: None,
            expires_at_ms: i64::MAX,
            findable: true,
            dirty: true,
            compensating: None,
            verify: None,
            rev: 0,
            seq,
            plain: legacy,
            item: None,
        });
        Begin::Start
    }

    /// Stores the result of the run under `key` (calls that joined it are answered by the
    /// caller, which knows them).
    pub fn finish(&mut self, key: &str, result: BookingResult, now_ms: i64) {
        let expires_at_ms = now_ms.saturating_add(self.ttl_ms);
        if let Some(record) = self.record_mut(key) {
            record.expires_at_ms = expires_at_ms;
            record.result = Some(Box::new(result));
            record.dirty = true;
            record.compensating = None;
        }
    }

    /// Notes, on the record under `key`, that its booking set out to cancel `appointment_id`.
    pub fn set_compensating(&mut self, key: &str, appointment_id: &str) {
        if let Some(record) = self.record_mut(key) {
            record.compensating = Some(appointment_id.to_owned());
            record.dirty = true;
        }
    }

    /// The appointment the booking under `key` was cancelling when it was cut short, if any.
    pub fn compensating(&self, key: &str) -> Option<String> {
        self.record(key).and_then(|r| r.compensating.clone())
    }

    /// What the newest expired record of a payload leaves a call without a key to do, if it is
    /// still kept (a second time to live) and nothing live has the payload: a booking that made
    /// an appointment is checked at the provider first; one cut short where the provider may
    /// have acted cannot be; one whose own lookup failed passes that lookup on. Other records
    /// (a refusal, a compensated booking) leave nothing.
    pub fn lapsed_for(&self, fingerprint: u64, legacy: u64, now_ms: i64) -> Option<Lapsed> {
        let r =
            self.records.iter().rev().find(|r| {
                r.findable && (r.fingerprint == fingerprint || r.fingerprint == legacy)
            })?;
        let result = r.result.as_ref().filter(|_| r.expired(now_ms))?;
        match (&result.appointment_id, result.state, &r.verify) {
            (Some(id), crate::booking::wire::state::State::Completed, _) => {
                Some(Lapsed::Verify(id.clone()))
            }
            // Its own lookup of an earlier appointment never got an answer: that one still is.
            (_, crate::booking::wire::state::State::Failed, Some(id)) => {
                Some(Lapsed::Verify(id.clone()))
            }
            (None, _, None) if result.is_rerunnable() => Some(Lapsed::Unknown(r.key.clone())),
            _ => None,
        }
    }

    /// Notes, on the record under `key`, the appointment to ask the provider about first.
    pub fn set_verify(&mut self, key: &str, appointment_id: Option<String>) {
        if let Some(record) = self.record_mut(key) {
            if record.verify != appointment_id {
                record.verify = appointment_id;
                record.dirty = true;
            }
        }
    }

    /// The appointment the booking under `key` must ask the provider about first, if any.
    pub fn verify(&self, key: &str) -> Option<String> {
        self.record(key).and_then(|r| r.verify.clone())
    }

    /// Stops calls without a key from finding bookings of `appointment_id` (it was cancelled:
    /// booking the same slot again is a new booking). Keyed replays still return them.
    pub fn forget_appointment(&mut self, appointment_id: &str) {
        self.unfind(appointment_id, true);
    }

    /// Makes the bookings of `appointment_id` unfindable by payload; `save`: and saves them.
    fn unfind(&mut self, appointment_id: &str, save: bool) {
        for record in &mut self.records {
            if let Some(result) = &record.result {
                if result.appointment_id.as_deref() == Some(appointment_id) {
                    record.dirty |= save && record.findable;
                    record.findable = false;
                }
            }
        }
    }
}

mod saved;
#[cfg(test)]
mod tests;
