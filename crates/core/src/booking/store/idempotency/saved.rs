//! The store's life in storage: its records exported and taken back at load
//! ([`IdempotencyStore::restore`]), a record another tab saved taken under its claim
//! ([`IdempotencyStore::merge`]), what storage must change since the last save
//! ([`IdempotencyStore::changes`]), the records re-keyed when the origin's secret changes,
//! and eviction by time to live and size.
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::{IdempotencyStore, ItemChange, Record};
use crate::booking::store::snapshot::SavedRecord;
use crate::booking::wire::outcome::BookingResult;
use crate::json::ToJson;
use crate::vecs::remove_at;
use crate::{Error, ErrorCode};

impl IdempotencyStore {
    /// The origin's secret changed: each record this page made is keyed anew with `keyed`
    /// (its plain fingerprint in, the new one out) and saved under its new name; the item under
    /// the old name goes if it still holds that write.
    pub fn rekey(&mut self, keyed: impl Fn(u64) -> u64) {
        for record in self.records.iter_mut().filter(|r| r.plain != 0) {
            let fingerprint = keyed(record.plain);
            if fingerprint != record.fingerprint {
                let old = core::mem::replace(&mut record.fingerprint, fingerprint);
                self.gone.push((old, record.item.clone()));
                record.dirty = true;
            }
        }
    }

    /// Every record kept, oldest first, for storage.
    pub fn export(&self, now_ms: i64) -> Vec<SavedRecord> {
        self.records
            .iter()
            .filter(|r| !r.gone(now_ms, self.ttl_ms))
            .map(Record::saved)
            .collect()
    }

    /// What storage must change since the last call, per payload (item `p:<fingerprint>`):
    /// the JSON of its newest record when one changed, or, for a record that went, its removal
    /// if the item still holds that record (another tab may have saved a newer one since:
    /// removing that let a later page book the payload again under a new key). One item per
    /// payload, so a change rewrites one item, never them all.
    pub fn changes(&mut self) -> Vec<(u64, ItemChange)> {
        let mut changes: Vec<(u64, ItemChange)> = Vec::new();
        let mut dirty: Vec<u64> = Vec::new();
        for r in &mut self.records {
            if core::mem::take(&mut r.dirty) {
                dirty.push(r.fingerprint);
            }
        }
        for fingerprint in dirty {
            if changes.iter().any(|(f, _)| *f == fingerprint) {
                continue;
            }
            let mut seq = 0;
            for r in self.records.iter().filter(|r| r.fingerprint == fingerprint) {
                seq = seq.max(r.seq.saturating_add(1));
            }
            let newest = self
                .records
                .iter_mut()
                .rev()
                .find(|r| r.fingerprint == fingerprint);
            if let Some(record) = newest {
                record.seq = seq;
                record.rev = self.next_rev;
                self.next_rev = self.next_rev.wrapping_add(2);
                let text = record.json().to_json();
                record.item = Some(text.clone());
                changes.push((fingerprint, ItemChange::Put(text)));
            }
        }
        for (fingerprint, item) in core::mem::take(&mut self.gone) {
            // An item never written by or read into this page is not this page's to remove.
            let Some(text) = item else { continue };
            if !changes.iter().any(|(f, _)| *f == fingerprint) {
                changes.push((fingerprint, ItemChange::RemoveIfHolding(text)));
            }
        }
        changes
    }

    /// Without a storage: what went is forgotten (no item holds it). Changed records stay
    /// marked, so a storage loaded later would still get them.
    pub fn forget_changes(&mut self) {
        self.gone.clear();
    }

    /// Takes the record another tab saved for a payload, read under the payload's claim: it
    /// becomes the newest for its fingerprint, replacing a record of this tab under the same
    /// key unless that one is in flight here or a later write ([`SavedRecord::seq`]).
    /// Prepared as [`restore`](Self::restore) prepares records: one left in flight by a page
    /// that went away runs again under its key. Room is made before it is added, so the cap
    /// never drops the record the call is about to use.
    pub fn merge(&mut self, mut saved: SavedRecord, now_ms: i64) {
        if self.in_flight(&saved.key) {
            return;
        }
        saved.findable &= !self.was_cancelled(&saved);
        if let Some(i) = self.find(&saved.key) {
            // A write of its own newer than the one read (storage can reach a tab late).
            if self.records.get(i).is_some_and(|r| r.seq > saved.seq) {
                return;
            }
            remove_at(&mut self.records, i);
        }
        self.evict(now_ms, 1);
        self.take(alloc::vec![saved], now_ms);
    }

    /// Whether `saved` made an appointment a page's cancel cancelled.
    fn was_cancelled(&self, saved: &SavedRecord) -> bool {
        let appointment = saved
            .result
            .as_ref()
            .and_then(|r| r.appointment_id.as_deref());
        appointment.is_some_and(|a| self.cancelled.iter().any(|(id, _)| id == a))
    }

    /// Takes records back from storage. A record that was in flight when the page went away
    /// becomes an interrupted failure, which the next call under its key (or with its
    /// payload) runs again with the same key. Returns how many were restored.
    pub fn restore(&mut self, saved: Vec<SavedRecord>, now_ms: i64) -> usize {
        let restored = self.take(saved, now_ms);
        self.evict(now_ms, 0);
        restored
    }

    /// Adds saved records not held yet (see [`restore`](Self::restore)), without evicting.
    pub(super) fn take(&mut self, saved: Vec<SavedRecord>, now_ms: i64) -> usize {
        let mut restored = 0;
        for record in saved {
            let (result, expires_at_ms) = match (record.result, record.expires_at_ms) {
                (Some(result), Some(expires)) if expires.saturating_add(self.ttl_ms) > now_ms => {
                    (result, expires)
                }
                (Some(_), _) => {
                    self.gone.push((record.fingerprint, record.item));
                    continue;
                }
                (None, _) => {
                    let expires = now_ms
                        .saturating_add(self.grace_ms)
                        .saturating_add(self.ttl_ms);
                    (interrupted(&record.key), expires)
                }
            };
            if self.find(&record.key).is_some() {
                continue;
            }
            self.records.push(Record {
                key: record.key,
                fingerprint: record.fingerprint,
                result: Some(alloc::boxed::Box::new(result)),
                expires_at_ms,
                findable: record.findable,
                dirty: false,
                compensating: record.compensating,
                verify: record.verify,
                rev: record.rev,
                seq: record.seq,
                plain: 0,
                item: record.item,
            });
            restored += 1;
        }
        restored
    }

    /// Drops records past their second time to live, then the oldest finished ones while more than
    /// `max_entries - room` are held (`room` for a record about to be added).
    pub(super) fn evict(&mut self, now_ms: i64, room: usize) {
        let horizon = now_ms.saturating_sub(self.ttl_ms.saturating_mul(2));
        self.cancelled.retain(|(_, at)| *at > horizon);
        let (gone, ttl) = (&mut self.gone, self.ttl_ms);
        self.records.retain(|r| {
            let expired = r.gone(now_ms, ttl);
            if expired {
                gone.push((r.fingerprint, r.item.clone()));
            }
            !expired
        });
        let mut excess = self
            .records
            .len()
            .saturating_sub(self.max_entries.saturating_sub(room));
        // Only finished records go (in-flight ones are bounded by the calls under way), and with
        // a storage only saved ones (an unsaved change would be lost with the record).
        // The cap bounds this page's memory only: the record stays in storage until it
        // expires, so a claim on its payload still finds it (deleting it let a later page book
        // the payload under a new key: the 10,000-click soak found 252 double bookings that
        // way). Without a storage, a booking that must run again under its key (the provider
        // may have acted on it) is never dropped: a new key could book the slot twice; those
        // are bounded by the time to live.
        if excess == 0 {
            return;
        }
        let durable = self.durable;
        self.records.retain(|r| {
            let drop = excess > 0
                && !(durable && r.dirty)
                && r.result
                    .as_ref()
                    .is_some_and(|r| durable || !r.is_rerunnable());
            excess -= usize::from(drop);
            !drop
        });
    }
}

/// The stored result of a booking cut short by a reload: rerunnable, so its key is used again.
fn interrupted(key: &str) -> BookingResult {
    BookingResult {
        operation: None,
        state: crate::booking::wire::state::State::Failed,
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
