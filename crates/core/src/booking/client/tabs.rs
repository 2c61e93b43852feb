//! What a tab takes from storage: the items it loads ([`Input::Loaded`]) and what other
//! tabs change ([`Input::Changed`]): the shared breaker, the origin's secret, cancels, and
//! outbox entries this tab holds.
use super::Client;
use crate::booking::io::Command;
use crate::booking::random::Random;
use crate::booking::run::tabs::is_secret;
use crate::booking::store::items::read_items;
use crate::booking::store::outbox::{OutboxEntry, OutboxStatus};
use alloc::string::String;
use alloc::vec::Vec;

impl<R: Random> Client<R> {
    /// Another tab changed storage item `name`; see [`Input::Changed`].
    pub(super) fn changed(&mut self, name: &str, json: Option<&str>) {
        if !self.s.persists {
            return;
        }
        match name.get(..2) {
            Some("b:") => self.s.adopt_breaker(json),
            // Only where tabs converge on it: a settled secret never changes.
            Some("s:") if self.s.converging => self.s.take_secret(json),
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

    /// What the tabs agreed on for the origin's secret ([`Input::Agreed`]). Settled: it keys
    /// every fingerprint of this page, and a copy is kept beside the records. Not settled
    /// (no storage could order the tabs): each page takes what it read back, and the tabs
    /// converge on the lowest, this page watching the item.
    pub(super) fn agreed(&mut self, name: &str, text: Option<String>, settled: bool) {
        if name != "s:" || !self.s.persists {
            return;
        }
        let text = text.filter(|t| is_secret(t));
        if settled && text.is_some() {
            if self.secret_item != text {
                self.s.out.push_back(Command::Save {
                    name: name.into(),
                    json: text.clone(),
                    if_text: None,
                    announce: None,
                });
            }
        } else {
            self.s.converging = true;
            self.s.out.push_back(Command::Watch { name: name.into() });
        }
        self.s.take_secret(text.as_deref());
    }

    /// The storage was read ([`Input::Loaded`]): its records and entries are taken back (a
    /// version 1 snapshot of earlier builds becomes items first), with the breaker other tabs
    /// shared and the appointments pages cancelled; items of records that expired while the
    /// page was away go, and events left pending are published.
    pub(super) fn load(&mut self, items: Vec<(String, String)>) {
        self.s.persists = true;
        let seed = u64::from(self.s.random.id_u32()) << 32 | u64::from(self.s.random.id_u32());
        self.s.store.set_durable(seed);
        self.restored.enabled = true;
        let items = read_items(items);
        for (name, json) in items.writes {
            self.s.out.push_back(Command::Save {
                name,
                json,
                if_text: None,
                announce: None,
            });
        }
        let snapshot = items.snapshot;
        let pending = snapshot
            .outbox
            .iter()
            .filter(|e| e.status == OutboxStatus::Pending)
            .count();
        self.restored.records = self.s.store.restore(snapshot.records, self.s.now);
        self.restored.outbox = snapshot.outbox.len();
        self.restored.pending = pending;
        self.s.outbox.restore(snapshot.outbox);
        self.s.adopt_breaker(items.breaker.as_deref());
        // Appointments pages cancelled: their bookings are not replayed (see the store).
        for (name, text) in items.cancelled {
            self.s.take_cancelled(&name, Some(&text));
        }
        // The origin's secret, agreed by every tab before any page call claims a payload
        // (whose lock and item it names): the one storage holds, else a fresh one.
        let stored = items.secret.clone().filter(|text| is_secret(text));
        if items.secret.is_some() && stored.is_none() {
            // Unreadable: it goes, so that a fresh one can be added in its place.
            self.s.out.push_back(Command::Save {
                name: "s:".into(),
                json: None,
                if_text: None,
                announce: None,
            });
        }
        let proposal = match &stored {
            Some(text) => text.clone(),
            None => self.s.mint_secret(),
        };
        self.secret_item = stored;
        self.s.out.push_back(Command::Agree {
            name: "s:".into(),
            proposal,
            holder: "s=".into(),
        });
        self.s.persist();
        self.wake();
    }
}
