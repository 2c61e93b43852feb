//! The idempotency store: one record per key with the payload's fingerprint, its state, its
//! result and an expiry. Bounded by a time to live and a size cap, so a long-lived page does
//! not grow without end; a record still in flight is never evicted. A plain `Vec` searched in
//! order: the cap is small, and it keeps hashing and sorting out of the Wasm build.
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::outcome::BookingResult;
use super::snapshot::{RecordJson, SavedRecord};
use crate::json::ToJson;
use crate::{Error, ErrorCode};

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

#[derive(Debug)]
struct Record {
    key: String,
    fingerprint: u64,
    /// `None` while in flight.
    result: Option<BookingResult>,
    expires_at_ms: i64,
    /// Whether a call without a key may find this record by its fingerprint.
    findable: bool,
    /// Changed since it was last saved.
    dirty: bool,
    /// The appointment a compensation set out to cancel (see [`SavedRecord::compensating`]).
    compensating: Option<String>,
}

impl Record {
    fn expired(&self, now_ms: i64) -> bool {
        self.result.is_some() && now_ms >= self.expires_at_ms
    }

    fn saved(&self) -> SavedRecord {
        SavedRecord {
            key: self.key.clone(),
            fingerprint: self.fingerprint,
            expires_at_ms: self.result.as_ref().map(|_| self.expires_at_ms),
            result: self.result.clone(),
            findable: self.findable,
            compensating: self.compensating.clone(),
        }
    }

    fn json(&self) -> RecordJson<'_> {
        RecordJson {
            key: &self.key,
            fingerprint: self.fingerprint,
            expires_at_ms: self.result.as_ref().map(|_| self.expires_at_ms),
            result: self.result.as_ref(),
            findable: self.findable,
            compensating: self.compensating.as_deref(),
        }
    }
}

/// Records by idempotency key, oldest first.
#[derive(Debug)]
pub struct IdempotencyStore {
    records: Vec<Record>,
    ttl_ms: i64,
    max_entries: usize,
    /// Fingerprints of records dropped (expired, over the cap) since the last save.
    gone: Vec<u64>,
}

impl IdempotencyStore {
    /// A store keeping finished records for `ttl_ms`, at most `max_entries` of them.
    pub fn new(ttl_ms: u64, max_entries: usize) -> Self {
        IdempotencyStore {
            records: Vec::new(),
            ttl_ms: ttl_ms.min(i64::MAX as u64) as i64,
            max_entries: max_entries.max(1),
            gone: Vec::new(),
        }
    }

    /// How many records are held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.records.iter().position(|r| r.key == key)
    }

    /// Whether a run under `key` is in flight.
    pub fn in_flight(&self, key: &str) -> bool {
        self.find(key)
            .is_some_and(|i| self.records[i].result.is_none())
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
        self.evict(now_ms);
        if let Some(i) = self.find(key) {
            let record = &self.records[i];
            if record.fingerprint != fingerprint && record.fingerprint != legacy {
                return Begin::Conflict;
            }
            match &record.result {
                None => return Begin::Join,
                Some(result) if !result.is_rerunnable() => return Begin::Replay(result.clone()),
                Some(_) => {}
            }
            self.records.remove(i);
        }
        self.records.push(Record {
            key: key.to_owned(),
            fingerprint,
            result: None,
            expires_at_ms: i64::MAX,
            findable: true,
            dirty: true,
            compensating: None,
        });
        Begin::Start
    }

    /// Stores the result of the run under `key` (calls that joined it are answered by the
    /// caller, which knows them).
    pub fn finish(&mut self, key: &str, result: BookingResult, now_ms: i64) {
        if let Some(i) = self.find(key) {
            let record = &mut self.records[i];
            record.expires_at_ms = now_ms.saturating_add(self.ttl_ms);
            record.result = Some(result);
            record.dirty = true;
            record.compensating = None;
        }
    }

    /// Notes, on the record under `key`, that its booking set out to cancel `appointment_id`.
    pub fn set_compensating(&mut self, key: &str, appointment_id: &str) {
        if let Some(i) = self.find(key) {
            self.records[i].compensating = Some(appointment_id.to_owned());
            self.records[i].dirty = true;
        }
    }

    /// The appointment the booking under `key` was cancelling when it was cut short, if any.
    pub fn compensating(&self, key: &str) -> Option<String> {
        self.find(key)
            .and_then(|i| self.records[i].compensating.clone())
    }

    /// Stops calls without a key from finding bookings of `appointment_id` (it was cancelled:
    /// booking the same slot again is a new booking). Keyed replays still return them.
    pub fn forget_appointment(&mut self, appointment_id: &str) {
        for record in &mut self.records {
            if let Some(result) = &record.result {
                if result.appointment_id.as_deref() == Some(appointment_id) {
                    record.dirty |= record.findable;
                    record.findable = false;
                }
            }
        }
    }

    /// Every live record, oldest first, for storage.
    pub fn export(&self, now_ms: i64) -> Vec<SavedRecord> {
        self.records
            .iter()
            .filter(|r| !r.expired(now_ms))
            .map(Record::saved)
            .collect()
    }

    /// What storage must change since the last call: for each payload whose records changed
    /// or went, the JSON of its newest live record (what item `p:<fingerprint>` holds), or
    /// `None` when it has none left. One item per payload, so a change rewrites one item,
    /// never them all.
    pub fn changes(&mut self) -> Vec<(u64, Option<String>)> {
        let mut changed: Vec<u64> = Vec::new();
        let dirty = self
            .records
            .iter_mut()
            .filter_map(|r| core::mem::take(&mut r.dirty).then_some(r.fingerprint));
        for fingerprint in core::mem::take(&mut self.gone).into_iter().chain(dirty) {
            if !changed.contains(&fingerprint) {
                changed.push(fingerprint);
            }
        }
        changed
            .into_iter()
            .map(|fingerprint| {
                let newest = self
                    .records
                    .iter()
                    .rev()
                    .find(|r| r.fingerprint == fingerprint);
                (fingerprint, newest.map(|r| r.json().to_json()))
            })
            .collect()
    }

    /// Takes the record another tab saved for a payload, read under the payload's claim: it
    /// becomes the newest for its fingerprint, replacing a record of this tab under the same
    /// key unless that one is in flight here. Prepared as [`restore`](Self::restore) prepares
    /// records: one left in flight by a page that went away runs again under its key.
    pub fn merge(&mut self, saved: SavedRecord, now_ms: i64) {
        if self.in_flight(&saved.key) {
            return;
        }
        if let Some(i) = self.find(&saved.key) {
            self.records.remove(i);
        }
        self.restore(alloc::vec![saved], now_ms);
    }

    /// Takes records back from storage. A record that was in flight when the page went away
    /// becomes an interrupted failure, which the next call under its key (or with its
    /// payload) runs again with the same key. Returns how many were restored.
    pub fn restore(&mut self, saved: Vec<SavedRecord>, now_ms: i64) -> usize {
        let mut restored = 0;
        for record in saved {
            let (result, expires_at_ms) = match (record.result, record.expires_at_ms) {
                (Some(result), Some(expires)) if expires > now_ms => (result, expires),
                (Some(_), _) => {
                    self.gone.push(record.fingerprint);
                    continue;
                }
                (None, _) => (interrupted(&record.key), now_ms.saturating_add(self.ttl_ms)),
            };
            if self.find(&record.key).is_some() {
                continue;
            }
            self.records.push(Record {
                key: record.key,
                fingerprint: record.fingerprint,
                result: Some(result),
                expires_at_ms,
                findable: record.findable,
                dirty: false,
                compensating: record.compensating,
            });
            restored += 1;
        }
        self.evict(now_ms);
        restored
    }

    /// Drops expired records, then the oldest finished ones while over the cap.
    fn evict(&mut self, now_ms: i64) {
        let gone = &mut self.gone;
        self.records.retain(|r| {
            let expired = r.expired(now_ms);
            if expired {
                gone.push(r.fingerprint);
            }
            !expired
        });
        let mut excess = self.records.len().saturating_sub(self.max_entries - 1);
        // Only finished records go, and never one whose booking must run again under its key
        // (the provider may have acted on it: a new key could book the slot twice); in-flight
        // ones are bounded by the calls under way, rerunnable ones by the time to live. The cap
        // bounds this page's memory only: the record stays in storage until it expires, so a
        // claim on its payload still finds it (deleting it let a later page book the payload
        // under a new key: the 10,000-click soak found 252 double bookings that way).
        self.records.retain(|r| {
            let drop = excess > 0 && r.result.as_ref().is_some_and(|r| !r.is_rerunnable());
            excess -= usize::from(drop);
            !drop
        });
    }
}

/// The stored result of a booking cut short by a reload: rerunnable, so its key is used again.
fn interrupted(key: &str) -> BookingResult {
    BookingResult {
        operation: None,
        state: super::state::State::Failed,
        appointment_id: None,
        error: Some(Error::new(
            ErrorCode::Timeout,
            "interrupted: the page went away before the booking finished",
        )),
        attempts: 0,
        retries: 0,
        idempotent_replay: false,
        correlation_id: String::new(),
        idempotency_key: key.to_owned(),
        compensated: false,
        action_label: None,
        duration_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::outcome::Operation;
    use crate::booking::state::State;
    use crate::{Error, ErrorCode};
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    fn result(state: State, error: Option<ErrorCode>) -> BookingResult {
        BookingResult {
            operation: Some(Operation::Book),
            state,
            appointment_id: Some("apt_1".into()),
            error: error.map(|c| Error::new(c, "x")),
            attempts: 1,
            retries: 0,
            idempotent_replay: false,
            correlation_id: "c".into(),
            idempotency_key: "k".into(),
            compensated: false,
            action_label: None,
            duration_ms: 1,
        }
    }

    #[test]
    fn replay_join_conflict_and_rerun() {
        let mut s = IdempotencyStore::new(1000, 10);
        assert_eq!(s.begin("k1", 7, 0), Begin::Start);
        assert_eq!(s.begin("k1", 7, 1), Begin::Join);
        assert_eq!(s.begin("k1", 8, 1), Begin::Conflict);
        s.finish("k1", result(State::Completed, None), 2);
        assert!(matches!(s.begin("k1", 7, 3), Begin::Replay(r) if r.state == State::Completed));
        assert_eq!(s.begin("k1", 8, 3), Begin::Conflict);

        assert_eq!(s.begin("k2", 9, 0), Begin::Start);
        s.finish(
            "k2",
            result(State::Failed, Some(ErrorCode::RetryExhausted)),
            1,
        );
        assert_eq!(
            s.begin("k2", 9, 2),
            Begin::Start,
            "a retryable failure runs again"
        );
        s.finish(
            "k2",
            result(State::Failed, Some(ErrorCode::ProviderRejected)),
            3,
        );
        assert!(
            matches!(s.begin("k2", 9, 4), Begin::Replay(_)),
            "a refusal is replayed"
        );
    }

    #[test]
    fn records_expire_after_the_ttl_but_not_while_in_flight() {
        let mut s = IdempotencyStore::new(1000, 10);
        s.begin("k", 1, 0);
        assert_eq!(
            s.begin("k", 1, 10_000),
            Begin::Join,
            "in flight never expires"
        );
        s.finish("k", result(State::Completed, None), 10_000);
        assert!(matches!(s.begin("k", 1, 10_999), Begin::Replay(_)));
        assert_eq!(
            s.begin("k", 2, 11_000),
            Begin::Start,
            "expired: the key is free again"
        );
    }

    #[test]
    fn the_cap_evicts_the_oldest_finished_record() {
        let mut s = IdempotencyStore::new(1_000_000, 3);
        for (i, key) in ["a", "b", "c"].iter().enumerate() {
            s.begin(key, i as u64, 0);
        }
        s.finish("b", result(State::Completed, None), 1);
        s.finish("c", result(State::Completed, None), 1);
        s.begin("d", 3, 2);
        assert_eq!(s.len(), 3);
        assert_eq!(s.begin("a", 0, 3), Begin::Join, "in flight is kept");
        assert_eq!(
            s.begin("b", 99, 3),
            Begin::Start,
            "b, the oldest finished, was evicted"
        );
        for i in 0..100u64 {
            let key = ["x", &crate::json::decimal(i)].concat();
            s.begin(&key, 1000 + i, 4);
            s.finish(&key, result(State::Completed, None), 4);
        }
        assert!(s.len() <= 3 + 1, "bounded: {}", s.len());
    }

    #[test]
    fn the_cap_never_evicts_a_booking_that_must_run_again_under_its_key() {
        let mut s = IdempotencyStore::new(1_000_000, 3);
        s.begin("timed-out", 7, 0);
        s.finish(
            "timed-out",
            result(State::Failed, Some(ErrorCode::Timeout)),
            0,
        );
        for i in 0..500u64 {
            let key = ["x", &crate::json::decimal(i)].concat();
            s.begin(&key, 1000 + i, 1);
            s.finish(&key, result(State::Completed, None), 1);
        }
        assert_eq!(
            s.key_for(7, 2).as_deref(),
            Some("timed-out"),
            "the payload still finds its key after 500 other bookings"
        );
        assert!(s.len() <= 3 + 1, "the rest is still bounded: {}", s.len());
        assert_eq!(s.begin("timed-out", 7, 3), Begin::Start, "it runs again");
    }

    #[test]
    fn key_for_finds_live_records_by_payload() {
        let mut s = IdempotencyStore::new(1000, 10);
        assert_eq!(s.key_for(5, 0), None);
        s.begin("k", 5, 0);
        assert_eq!(s.key_for(5, 0).as_deref(), Some("k"));
        s.finish("k", result(State::Completed, None), 0);
        assert_eq!(s.key_for(5, 999).as_deref(), Some("k"));
        assert_eq!(s.key_for(5, 1000), None);
        s.begin("k2", 6, 0);
        s.finish("k2", result(State::Completed, None), 0);
        s.forget_appointment("apt_1");
        assert_eq!(s.key_for(6, 1), None);
        assert!(
            matches!(s.begin("k2", 6, 1), Begin::Replay(_)),
            "keyed replay still works"
        );
    }

    #[test]
    fn records_survive_export_and_restore() {
        let mut s = IdempotencyStore::new(1000, 10);
        s.begin("done", 1, 0);
        s.finish("done", result(State::Completed, None), 0);
        s.begin("flying", 2, 0);
        s.begin("old", 3, 0);
        s.finish("old", result(State::Completed, None), -5000);
        let saved = s.export(10);
        assert_eq!(saved.len(), 2, "the expired record is not saved");

        let mut back = IdempotencyStore::new(1000, 10);
        assert_eq!(back.restore(saved.clone(), 20), 2);
        assert!(
            matches!(back.begin("done", 1, 21), Begin::Replay(r) if r.state == State::Completed)
        );
        assert_eq!(
            back.key_for(2, 21).as_deref(),
            Some("flying"),
            "found by payload after a reload"
        );
        assert_eq!(
            back.begin("flying", 2, 21),
            Begin::Start,
            "an interrupted booking runs again under its key"
        );
        assert_eq!(back.begin("flying", 9, 21), Begin::Conflict);
        assert_eq!(
            IdempotencyStore::new(1000, 10).restore(saved, 5000),
            1,
            "expired by now: only the interrupted one"
        );
    }
}
