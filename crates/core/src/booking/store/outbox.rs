//! The outbox: follow-up events written in the same step as the booking's state change, then
//! published with their own retries. An entry is never dropped before it is settled: published,
//! compensated, or flagged for reconciliation.
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::booking::wire::contract::AppointmentEvent;
use crate::json::ToJson;
use crate::vecs::remove_at;

/// Where an outbox entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Written, not yet published.
    Pending,
    /// Accepted by the provider's event endpoint.
    Published,
    /// Publishing failed for good; the appointment was cancelled.
    Compensated,
    /// Publishing failed and so did the cancel: a person or a job must reconcile it.
    NeedsReconciliation,
}

impl OutboxStatus {
    const ALL: [OutboxStatus; 4] = [
        OutboxStatus::Pending,
        OutboxStatus::Published,
        OutboxStatus::Compensated,
        OutboxStatus::NeedsReconciliation,
    ];

    /// The status's JavaScript spelling.
    pub const fn name(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Published => "published",
            OutboxStatus::Compensated => "compensated",
            OutboxStatus::NeedsReconciliation => "needs_reconciliation",
        }
    }

    /// The status for its JavaScript spelling.
    pub fn parse(name: &str) -> Option<OutboxStatus> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl ToJson for OutboxStatus {
    fn write_json(&self, out: &mut String) {
        self.name().write_json(out);
    }
}

crate::json_record! {
    /// One follow-up event.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct OutboxEntry {
        /// The event.
        pub event: AppointmentEvent => "event",
        /// The booking it follows.
        pub booking_key: String => "bookingKey",
        /// Where it is.
        pub status: OutboxStatus => "status",
    }
}

/// Follow-up events, oldest first.
#[derive(Debug)]
pub struct Outbox {
    entries: Vec<OutboxEntry>,
    settled_cap: usize,
    /// Booking keys whose entry was written, moved or dropped since the last save.
    changed: Vec<String>,
}

impl Outbox {
    /// An outbox keeping at most `settled_cap` settled (published or compensated) entries;
    /// pending ones and ones needing reconciliation are always kept.
    pub fn new(settled_cap: usize) -> Self {
        Outbox {
            entries: Vec::new(),
            settled_cap,
            changed: Vec::new(),
        }
    }

    /// The entry for `event_id`, if one was written.
    pub fn get(&self, event_id: &str) -> Option<&OutboxEntry> {
        // Newest first: the entry a booking settles is the one it wrote last.
        self.entries.iter().rev().find(|e| e.event.id == event_id)
    }

    /// Writes a pending entry; an event is written once (a second write of the same id is
    /// ignored, so the first body is the one sent on every try).
    pub fn write(&mut self, event: AppointmentEvent, booking_key: &str) {
        if self.get(&event.id).is_some() {
            return;
        }
        self.entries.push(OutboxEntry {
            event,
            booking_key: booking_key.to_owned(),
            status: OutboxStatus::Pending,
        });
        self.changed.push(booking_key.to_owned());
    }

    /// Moves the entry for `event_id` to `status`.
    pub fn settle(&mut self, event_id: &str, status: OutboxStatus) {
        if let Some(entry) = self
            .entries
            .iter_mut()
            .rev()
            .find(|e| e.event.id == event_id)
        {
            entry.status = status;
            self.changed.push(entry.booking_key.clone());
        }
        let settled = |e: &OutboxEntry| {
            matches!(
                e.status,
                OutboxStatus::Published | OutboxStatus::Compensated
            )
        };
        let mut excess = self
            .entries
            .iter()
            .filter(|e| settled(e))
            .count()
            .saturating_sub(self.settled_cap);
        // The oldest settled entries go; they are at the front (entries settle in order).
        let mut i = 0;
        while excess > 0 {
            let Some(entry) = self.entries.get(i) else {
                break;
            };
            if settled(entry) {
                let gone = remove_at(&mut self.entries, i);
                self.changed.push(gone.booking_key);
                excess -= 1;
            } else {
                i += 1;
            }
        }
    }

    /// What storage must change since the last call: for each booking key whose entry was
    /// written, moved or dropped, the JSON of the entry now held (item `o:<booking key>`), or
    /// `None`.
    pub fn changes(&mut self) -> Vec<(String, Option<String>)> {
        let mut changed: Vec<String> = Vec::new();
        for key in core::mem::take(&mut self.changed) {
            if !changed.contains(&key) {
                changed.push(key);
            }
        }
        let mut changes = Vec::new();
        for key in changed {
            let entry = self.entries.iter().find(|e| e.booking_key == key);
            let json = entry.map(ToJson::to_json);
            changes.push((key, json));
        }
        changes
    }

    /// Without a storage: what changed is forgotten (no item holds it).
    pub fn forget_changes(&mut self) {
        self.changed.clear();
    }

    /// Entries read back from storage, appended after the ones held (duplicates by event id
    /// are skipped).
    pub fn restore(&mut self, entries: Vec<OutboxEntry>) {
        for entry in entries {
            if !self.entries.iter().any(|e| e.event.id == entry.event.id) {
                self.entries.push(entry);
            }
        }
    }

    /// An entry as the storage holds it now (another tab may have published it): a settled
    /// status replaces the one held here (an entry never goes back to pending); an entry not
    /// held here is added.
    pub fn merge(&mut self, saved: OutboxEntry) {
        match self
            .entries
            .iter_mut()
            .find(|e| e.event.id == saved.event.id)
        {
            Some(entry) if saved.status != OutboxStatus::Pending => entry.status = saved.status,
            Some(_) => {}
            None => self.entries.push(saved),
        }
    }

    /// Every entry held, oldest first.
    pub fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;
    #[allow(unused_imports)]
    use std::{format, vec};

    fn event(id: &str) -> AppointmentEvent {
        AppointmentEvent {
            id: id.into(),
            kind: "appointment.created".into(),
            appointment_id: "apt".into(),
            calendar_id: "cal".into(),
            slot_start: "2026-11-30T09:30:00Z".into(),
            occurred_at: "2026-11-23T09:30:00.000Z".into(),
            correlation_id: "c".into(),
        }
    }

    #[test]
    fn settled_entries_are_capped_and_unsettled_ones_kept() {
        let mut o = Outbox::new(2);
        o.write(event("stuck"), "k0");
        o.settle("stuck", OutboxStatus::NeedsReconciliation);
        o.write(event("pending"), "k1");
        for i in 0..5u64 {
            let id = ["e", &crate::json::decimal(i)].concat();
            o.write(event(&id), "k");
            o.settle(&id, OutboxStatus::Published);
        }
        let ids: Vec<&str> = o.entries().iter().map(|e| e.event.id.as_str()).collect();
        assert_eq!(ids, ["stuck", "pending", "e3", "e4"]);
    }
}
