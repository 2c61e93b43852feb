//! What a tab takes from storage: the snapshot it loads ([`Input::Loaded`]) and what other
//! tabs change ([`Input::Changed`]): the shared breaker, the origin's secret, cancels, and
//! outbox entries this tab holds.
use super::Client;
use crate::booking::random::Random;
use crate::booking::store::outbox::{OutboxEntry, OutboxStatus};
use crate::booking::store::snapshot::Snapshot;

impl<R: Random> Client<R> {
    /// Another tab changed storage item `name`; see [`Input::Changed`].
    pub(super) fn changed(&mut self, name: &str, json: Option<&str>) {
        if !self.s.persists {
            return;
        }
        match name.get(..2) {
            Some("b:") => self.s.adopt_breaker(json),
            Some("s:") => self.s.take_secret(json),
            Some("x:") => self.s.take_cancelled(name, json),
            // Records are read under their claim, never taken from an event: an event can be
            // older than what this tab has done since (the random two-tab test found one that
            // put a compensated record back over the booking that followed it).
            // Only news of entries held here (published by another tab, say): entries of
            // bookings other tabs are running are theirs to publish.
            Some("o:") => {
                if let Some(entry) = json.and_then(OutboxEntry::from_json) {
                    if self.s.outbox.get(&entry.event.id).is_some() {
                        self.s.outbox.merge(entry);
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn load(&mut self, json: Option<&str>) {
        self.s.persists = true;
        let seed = u64::from(self.s.random.id_u32()) << 32 | u64::from(self.s.random.id_u32());
        self.s.store.set_durable(seed);
        self.restored.enabled = true;
        if let Some(snapshot) = json.and_then(Snapshot::from_json) {
            let pending = snapshot
                .outbox
                .iter()
                .filter(|e| e.status == OutboxStatus::Pending)
                .count();
            self.restored.records = self.s.store.restore(snapshot.records, self.s.now);
            self.restored.outbox = snapshot.outbox.len();
            self.restored.pending = pending;
            self.s.outbox.restore(snapshot.outbox);
        }
        // Items of records that expired while the page was away are removed, and events left
        // pending are published.
        self.s.persist();
        self.wake();
    }
}
