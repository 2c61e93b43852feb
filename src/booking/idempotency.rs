//! The idempotency store: one record per key with the payload's fingerprint, its state, its
//! result and an expiry. Bounded by a time to live and a size cap, so a long-lived page does
//! not grow without end; a record still in flight is never evicted.

use super::outcome::BookingResult;
use super::snapshot::{fingerprint_from_hex, fingerprint_to_hex, SavedRecord};
use crate::{Error, ErrorCode};
use std::collections::HashMap;
use std::task::{Poll, Waker};

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
enum Entry {
    InFlight(Vec<Waker>),
    Done(BookingResult),
}

#[derive(Debug)]
struct Record {
    fingerprint: u64,
    entry: Entry,
    expires_at_ms: i64,
    /// Insertion order, for evicting the oldest first.
    seq: u64,
    /// Whether a call without a key may find this record by its fingerprint.
    findable: bool,
}

/// Records by idempotency key.
#[derive(Debug)]
pub struct IdempotencyStore {
    records: HashMap<String, Record>,
    ttl_ms: i64,
    max_entries: usize,
    seq: u64,
}

impl IdempotencyStore {
    /// A store keeping finished records for `ttl_ms`, at most `max_entries` of them.
    pub fn new(ttl_ms: u64, max_entries: usize) -> Self {
        IdempotencyStore {
            records: HashMap::new(),
            ttl_ms: ttl_ms.min(i64::MAX as u64) as i64,
            max_entries: max_entries.max(1),
            seq: 0,
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

    /// The key of a live record with this payload, so a call without a key (a double click,
    /// a retry after a failure) reuses the booking's key instead of making a second booking.
    pub fn key_for(&self, fingerprint: u64, now_ms: i64) -> Option<String> {
        self.records
            .iter()
            .filter(|(_, r)| r.findable && r.fingerprint == fingerprint && !r.expired(now_ms))
            .max_by_key(|(_, r)| r.seq)
            .map(|(k, _)| k.clone())
    }

    /// Decides a call under `key` with payload `fingerprint`; on [`Begin::Start`] the record is
    /// in flight until [`finish`](Self::finish).
    pub fn begin(&mut self, key: &str, fingerprint: u64, now_ms: i64) -> Begin {
        self.evict(now_ms);
        if let Some(record) = self.records.get_mut(key) {
            if !record.expired(now_ms) {
                if record.fingerprint != fingerprint {
                    return Begin::Conflict;
                }
                match &record.entry {
                    Entry::InFlight(_) => return Begin::Join,
                    Entry::Done(result) if !result.is_rerunnable() => {
                        return Begin::Replay(result.clone())
                    }
                    Entry::Done(_) => {}
                }
            }
        }
        self.seq += 1;
        self.records.insert(
            key.to_owned(),
            Record {
                fingerprint,
                entry: Entry::InFlight(Vec::new()),
                expires_at_ms: i64::MAX,
                seq: self.seq,
                findable: true,
            },
        );
        Begin::Start
    }

    /// Stores the result of the run under `key` and wakes every call that joined it.
    pub fn finish(&mut self, key: &str, result: BookingResult, now_ms: i64) {
        if let Some(record) = self.records.get_mut(key) {
            record.expires_at_ms = now_ms.saturating_add(self.ttl_ms);
            let waiters = match std::mem::replace(&mut record.entry, Entry::Done(result)) {
                Entry::InFlight(waiters) => waiters,
                Entry::Done(_) => Vec::new(),
            };
            waiters.into_iter().for_each(Waker::wake);
        }
    }

    /// The result of the run under `key` once it has finished; registers `waker` until then.
    /// `Ready(None)` if there is no such record.
    pub fn poll_join(&mut self, key: &str, waker: &Waker) -> Poll<Option<BookingResult>> {
        match self.records.get_mut(key).map(|r| &mut r.entry) {
            None => Poll::Ready(None),
            Some(Entry::Done(result)) => Poll::Ready(Some(result.clone())),
            Some(Entry::InFlight(waiters)) => {
                if !waiters.iter().any(|w| w.will_wake(waker)) {
                    waiters.push(waker.clone());
                }
                Poll::Pending
            }
        }
    }

    /// Stops calls without a key from finding bookings of `appointment_id` (it was cancelled:
    /// booking the same slot again is a new booking). Keyed replays still return them.
    pub fn forget_appointment(&mut self, appointment_id: &str) {
        for record in self.records.values_mut() {
            if let Entry::Done(result) = &record.entry {
                if result.appointment_id.as_deref() == Some(appointment_id) {
                    record.findable = false;
                }
            }
        }
    }

    /// Every live record, for storage.
    pub fn export(&self, now_ms: i64) -> Vec<SavedRecord> {
        let mut records: Vec<(&String, &Record)> = self
            .records
            .iter()
            .filter(|(_, r)| !r.expired(now_ms))
            .collect();
        records.sort_by_key(|(_, r)| r.seq);
        records
            .into_iter()
            .map(|(key, r)| {
                let (expires_at_ms, result) = match &r.entry {
                    Entry::InFlight(_) => (None, None),
                    Entry::Done(result) => (Some(r.expires_at_ms), Some(result.clone())),
                };
                SavedRecord {
                    key: key.clone(),
                    fingerprint: fingerprint_to_hex(r.fingerprint),
                    expires_at_ms,
                    result,
                    findable: r.findable,
                }
            })
            .collect()
    }

    /// Takes records back from storage. A record that was in flight when the page went away
    /// becomes an interrupted failure, which the next call under its key (or with its
    /// payload) runs again with the same key. Returns how many were restored.
    pub fn restore(&mut self, saved: Vec<SavedRecord>, now_ms: i64) -> usize {
        let mut restored = 0;
        for record in saved {
            let Some(fingerprint) = fingerprint_from_hex(&record.fingerprint) else {
                continue;
            };
            let (entry, expires_at_ms) = match (record.result, record.expires_at_ms) {
                (Some(result), Some(expires)) if expires > now_ms => (Entry::Done(result), expires),
                (Some(_), _) => continue,
                (None, _) => (
                    Entry::Done(interrupted(&record.key)),
                    now_ms.saturating_add(self.ttl_ms),
                ),
            };
            if self.records.contains_key(&record.key) {
                continue;
            }
            self.seq += 1;
            let findable = record.findable;
            self.records.insert(
                record.key,
                Record {
                    fingerprint,
                    entry,
                    expires_at_ms,
                    seq: self.seq,
                    findable,
                },
            );
            restored += 1;
        }
        self.evict(now_ms);
        restored
    }

    /// Drops expired records, then the oldest finished ones while over the cap.
    fn evict(&mut self, now_ms: i64) {
        self.records.retain(|_, r| !r.expired(now_ms));
        while self.records.len() >= self.max_entries {
            let oldest = self
                .records
                .iter()
                .filter(|(_, r)| matches!(r.entry, Entry::Done(_)))
                .min_by_key(|(_, r)| r.seq)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(key) => self.records.remove(&key),
                // Only in-flight records left: they are bounded by the calls under way.
                None => break,
            };
        }
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

impl Record {
    fn expired(&self, now_ms: i64) -> bool {
        matches!(self.entry, Entry::Done(_)) && now_ms >= self.expires_at_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::outcome::Operation;
    use crate::booking::state::State;
    use crate::{Error, ErrorCode};

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
        for i in 0..100 {
            s.begin(&format!("x{i}"), 1000 + i, 4);
            s.finish(&format!("x{i}"), result(State::Completed, None), 4);
        }
        assert!(s.len() <= 3 + 1, "bounded: {}", s.len());
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

    #[test]
    fn finishing_wakes_joiners() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        struct Count(AtomicUsize);
        impl std::task::Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut s = IdempotencyStore::new(1000, 10);
        s.begin("k", 1, 0);
        assert!(s.poll_join("k", &waker).is_pending());
        assert!(s.poll_join("k", &waker).is_pending());
        s.finish("k", result(State::Completed, None), 1);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(s.poll_join("k", &waker), Poll::Ready(Some(_))));
        assert_eq!(s.poll_join("missing", &waker), Poll::Ready(None));
    }
}
