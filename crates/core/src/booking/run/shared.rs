//! The state every booking of one client shares, as quinn's `Endpoint` holds what its
//! connections share: settings, the clock, the random source, the breaker, the idempotency
//! store, the outbox, the counters and the command queue; and the few acts every part needs:
//! ids, events and state moves reported, calls sent, changes saved. Bookings
//! ([`super::booking`]) and flushes ([`super::flush`]) act on it; the
//! [`Client`](crate::booking::Client) routes inputs to them. How a call is answered is in
//! [`super::answer`]; what tabs share through storage, in [`super::tabs`].
use crate::ascii::cat;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::booking::io::{CallId, ClaimId, Command, Send};
use crate::booking::policy::breaker::{Breaker, BreakerState};
use crate::booking::policy::config::ClientConfig;
use crate::booking::random::{uuid, Random};
use crate::booking::report::event::{Ctx, Event};
use crate::booking::report::metrics::Metrics;
use crate::booking::store::idempotency::{IdempotencyStore, ItemChange};
use crate::booking::store::outbox::Outbox;
use crate::booking::store::snapshot::fingerprint_to_hex;
use crate::booking::wire::contract::Step;
use crate::booking::wire::state::State;

/// See the module documentation.
pub struct Shared<R> {
    /// The settings.
    pub config: ClientConfig,
    /// Ids and jitter.
    pub random: R,
    /// The latest time an input brought (time only moves forward).
    pub now: i64,
    /// The circuit breaker, shared by every booking.
    pub breaker: Breaker,
    /// Idempotency records.
    pub store: IdempotencyStore,
    /// Follow-up events.
    pub outbox: Outbox,
    /// Counters, moved only by events and results.
    pub metrics: Metrics,
    /// Whether a storage was loaded (then every change is persisted).
    pub persists: bool,
    /// Whether anything reads log records (see [`Client::set_logging`]); counters move either
    /// way.
    ///
    /// [`Client::set_logging`]: crate::booking::Client::set_logging
    pub logging: bool,
    /// Commands waiting for the driver.
    pub out: Queue<Command>,
    /// Events a flush has taken on (queued or in flight): one sender per event key.
    pub flushing: Vec<String>,
    /// The breaker state last saved for other tabs or taken from them (storage item `b:`).
    pub shared_breaker: Option<BreakerState>,
    /// The origin's secret (storage item `s:`), which keys the fingerprints kept in storage.
    pub secret: Option<[u32; 8]>,
    /// Whether the tabs converge on the lowest secret (no storage settled one for them).
    pub converging: bool,
    next_call: CallId,
    next_claim: ClaimId,
}

impl<R: Random> Shared<R> {
    /// The shared state of a new client.
    pub fn new(config: ClientConfig, random: R, now: i64) -> Self {
        let mut store = IdempotencyStore::new(
            config.idempotency_ttl_ms,
            config.idempotency_max_entries as usize,
        );
        store.set_grace(config.deadline_ms);
        Shared {
            breaker: Breaker::new(config.breaker()),
            store,
            outbox: Outbox::new(config.idempotency_max_entries as usize),
            config,
            random,
            now,
            metrics: Metrics::default(),
            persists: false,
            logging: true,
            out: Queue::default(),
            flushing: Vec::new(),
            shared_breaker: Some(BreakerState::Closed { failures: 0 }),
            secret: None,
            converging: false,
            next_call: 1,
            next_claim: 0,
        }
    }

    /// A random UUID v4: idempotency keys and correlation ids.
    pub fn new_id(&mut self) -> String {
        let r = &mut self.random;
        uuid([r.id_u32(), r.id_u32(), r.id_u32(), r.id_u32()])
    }

    /// A fresh context for a call under `key`.
    pub fn ctx(&mut self, key: String, label: Option<String>) -> Ctx {
        Ctx {
            correlation_id: self.new_id(),
            key,
            label,
            started_ms: self.now,
            state: State::Init,
            attempts: 0,
            retries: 0,
            appointment_id: None,
            uncounted: true,
        }
    }

    /// Reports `event` of `ctx`: its log record, and the counters it moves. The first event of
    /// a page's call counts it as a booking.
    pub fn emit(&mut self, ctx: &mut Ctx, event: Event) {
        if ctx.uncounted {
            ctx.uncounted = false;
            self.metrics.bookings += 1;
        }
        event.count(&mut self.metrics);
        if self.logging {
            let record = event.record(ctx, self.now);
            self.out.push_back(Command::Log { record });
        }
    }

    /// Moves `ctx`'s state machine, logging the change (an invalid move is logged, not applied).
    pub fn advance(&mut self, ctx: &mut Ctx, to: State) {
        let from = ctx.state;
        match from.transition(to) {
            Ok(next) => {
                ctx.state = next;
                self.emit(ctx, Event::StateChanged(from));
            }
            Err(e) => self.emit(ctx, Event::InvalidTransition(e.code)),
        }
    }

    /// Queues a provider call; returns its number.
    pub fn send(
        &mut self,
        step: Step,
        url: String,
        key: &str,
        ctx: &Ctx,
        body: Option<String>,
        timeout_ms: u64,
    ) -> CallId {
        let call = self.next_call;
        self.next_call = self.next_call.wrapping_add(1).max(1);
        let method = if step == Step::Poll { "GET" } else { "POST" };
        self.out.push_back(Command::Send(Send {
            call,
            step,
            method,
            url,
            key: key.to_owned(),
            correlation_id: ctx.correlation_id.clone(),
            body,
            timeout_ms,
        }));
        call
    }

    /// Saves what changed in the idempotency records and the outbox, one storage item per
    /// payload and per booking's event, when a storage was loaded.
    pub fn persist(&mut self) {
        if !self.persists {
            // Nothing keeps them: no item is written, so none is made (JSON per booking).
            self.store.forget_changes();
            self.outbox.forget_changes();
            return;
        }
        for (fingerprint, change) in self.store.changes() {
            let hex = fingerprint_to_hex(fingerprint);
            // A localStorage write reaches other tabs late, so a tab claiming the payload the
            // moment this one let go could read the item from before it and book again: the
            // record is also announced in the origin's lock registry (`p=<fingerprint> <json>`,
            // which supersedes this tab's earlier one; without the JSON: withdrawn), which
            // claims read with the item.
            let (json, if_text, announce) = match change {
                ItemChange::Put(json) => {
                    let announce = cat(&[RECORD, &hex, " ", &json]);
                    (Some(json), None, announce)
                }
                ItemChange::RemoveIfHolding(text) => (None, Some(text), cat(&[RECORD, &hex])),
            };
            self.out.push_back(Command::Save {
                name: cat(&["p:", &hex]),
                json,
                if_text,
                announce: Some(announce),
            });
        }
        for (key, json) in self.outbox.changes() {
            self.out.push_back(Command::Save {
                name: cat(&["o:", &key]),
                json,
                if_text: None,
                announce: None,
            });
        }
    }

    /// A new claim's number.
    pub fn new_claim(&mut self) -> ClaimId {
        self.next_claim = self.next_claim.wrapping_add(1).max(1);
        self.next_claim
    }

    /// A URL under the configured base.
    pub fn url(&self, parts: &[&str]) -> String {
        let mut url = self.config.base_url.clone();
        for part in parts {
            url.push_str(part);
        }
        url
    }
}

/// The prefix of a record's announcement (`p=<fingerprint> <json>`, see [`Shared::persist`]).
pub const RECORD: &str = "p=";

/// First in, first out, on two vectors (`Vec` is the core's one collection type): pushed onto
/// `back`, popped from `front`, which takes `back` reversed when it runs out.
pub struct Queue<T> {
    back: Vec<T>,
    front: Vec<T>,
}

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue {
            back: Vec::new(),
            front: Vec::new(),
        }
    }
}

impl<T> Queue<T> {
    /// Adds `item` last.
    pub fn push_back(&mut self, item: T) {
        self.back.push(item);
    }

    /// Takes the first item.
    pub fn pop_front(&mut self) -> Option<T> {
        if self.front.is_empty() {
            core::mem::swap(&mut self.front, &mut self.back);
            self.front.reverse();
        }
        self.front.pop()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.front.is_empty() && self.back.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::Queue;

    #[test]
    fn the_queue_is_first_in_first_out_across_refills() {
        let mut q = Queue::default();
        assert!(q.is_empty());
        q.push_back(1);
        q.push_back(2);
        assert_eq!(q.pop_front(), Some(1));
        q.push_back(3);
        assert!(!q.is_empty());
        assert_eq!(q.pop_front(), Some(2));
        q.push_back(4);
        assert_eq!((q.pop_front(), q.pop_front()), (Some(3), Some(4)));
        assert_eq!(q.pop_front(), None);
        assert!(q.is_empty());
    }
}
