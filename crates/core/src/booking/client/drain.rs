//! An outbox that drains itself. With a storage, events left pending (a page that went away
//! while publishing, a provider that was down) are published without anyone calling
//! `flushOutbox()`: when the storage is loaded, when the page comes back
//! ([`Input::Wake`](crate::booking::io::Input::Wake): online, visible, shown from the back/forward
//! cache), and again with backoff while some stay pending. One tab at a time: each entry is
//! claimed across tabs without waiting (lock `o:<key>`; a tab that finds it taken leaves it to
//! the tab that holds it), its item is read again under the lock (another tab may have
//! published it since this page loaded), and only a still-pending entry is sent.
use crate::ascii::cat;
use alloc::string::String;
use alloc::vec::Vec;

use super::Client;
use crate::booking::io::{ClaimId, Command};
use crate::booking::policy::backoff::Backoff;
use crate::booking::random::Random;
use crate::booking::run::flush::Flush;
use crate::booking::store::outbox::{OutboxEntry, OutboxStatus};
use crate::vecs::remove_at;

/// The drain's schedule and the entries it has claimed.
#[derive(Debug, Default)]
pub struct Drain {
    /// When the next drain is due.
    pub at: Option<i64>,
    /// Drains in a row that left entries pending (the backoff's exponent).
    pub tries: u32,
    /// Claims asked for and not answered yet, with the event each is for.
    pub claims: Vec<(ClaimId, String)>,
}

/// The longest wait between two drains while entries stay pending.
const MAX_WAIT_MS: u64 = 60_000;

impl<R: Random> Client<R> {
    /// Entries pending that nothing in this tab is sending or about to send.
    fn drainable(&self) -> Vec<String> {
        let s = &self.s;
        let mut keys = Vec::new();
        for e in s.outbox.entries() {
            let key = &e.booking_key;
            if e.status == OutboxStatus::Pending
                && !s.flushing.contains(&e.event.id)
                && !self.bookings.iter().any(|b| b.ctx.key == *key)
                // Its booking was cancelling the appointment: no event for it (a re-run cancels).
                && s.store.compensating(key).is_none()
                && !self.drain.claims.iter().any(|(_, id)| *id == e.event.id)
            {
                keys.push(key.clone());
            }
        }
        keys
    }

    /// Drains now, if a storage is on and events are pending (see the module documentation).
    pub(super) fn wake(&mut self) {
        if self.s.persists && !self.drainable().is_empty() {
            self.drain.at = Some(self.s.now);
        }
    }

    /// Runs the drain if it is due: each entry pending here is claimed across tabs.
    pub(super) fn drain_due(&mut self) {
        if self.drain.at.is_none_or(|at| at > self.s.now) {
            return;
        }
        self.drain.at = None;
        for key in self.drainable() {
            let claim = self.s.new_claim();
            let item = cat(&["o:", &key]);
            self.s.out.push_back(Command::Claim {
                claim,
                lock: item.clone(),
                read: item,
                wait: false,
                announced: crate::booking::run::tabs::ANNOUNCED,
            });
            self.drain
                .claims
                .push((claim, cat(&[key.as_str(), ":event"])));
        }
    }

    /// A drain's claim was answered; `false` if `claim` is not a drain's. The entry is taken
    /// as the storage holds it and published if it is still pending.
    pub(super) fn drain_claimed(
        &mut self,
        claim: ClaimId,
        saved: Option<&str>,
        granted: bool,
    ) -> bool {
        let Some(i) = self.drain.claims.iter().position(|(c, _)| *c == claim) else {
            return false;
        };
        let (_, event_id) = remove_at(&mut self.drain.claims, i);
        if !granted {
            return true; // another tab holds the entry: it publishes it
        }
        if let Some(entry) = saved.and_then(OutboxEntry::from_json) {
            if entry.event.id == event_id {
                self.s.outbox.merge(entry);
            }
        }
        let pending = self
            .s
            .outbox
            .get(&event_id)
            .filter(|e| e.status == OutboxStatus::Pending && !self.s.flushing.contains(&e.event.id))
            .cloned();
        let Some(entry) = pending else {
            self.s.out.push_back(Command::Release { claim });
            return true;
        };
        let mut flush = Flush::new(&mut self.s, None, alloc::vec![entry], 0);
        flush.claim = Some(claim);
        if flush.advance(&mut self.s) {
            self.flush_ended(flush);
        } else {
            self.flushes.push(flush);
        }
        true
    }

    /// A flush ended: a drain lets go of its claim, and entries still pending are tried again
    /// later, with backoff.
    pub(super) fn flush_ended(&mut self, flush: Flush) {
        if let Some(claim) = flush.claim {
            self.s.out.push_back(Command::Release { claim });
        }
        if flush.id.is_some() {
            return;
        }
        if flush.pending() == 0 {
            self.drain.tries = 0;
            return;
        }
        let backoff = Backoff {
            base_ms: self.s.config.base_delay_ms.max(1_000),
            max_ms: MAX_WAIT_MS,
        };
        let wait = backoff.ceiling_ms(self.drain.tries) as i64;
        self.drain.tries = self.drain.tries.saturating_add(1);
        let at = self.s.now.saturating_add(wait);
        self.drain.at = Some(self.drain.at.map_or(at, |t| t.min(at)));
    }
}
