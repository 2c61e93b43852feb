//! The state every booking of one client shares, as quinn's `Endpoint` holds what its
//! connections share: settings, the clock, the random source, the breaker, the idempotency
//! store, the outbox, the counters and the command queue. Bookings ([`super::booking`]) and
//! flushes ([`super::flush`]) act on it; the [`super::Client`] routes inputs to them.
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::breaker::{Breaker, BreakerState};
use super::config::ClientConfig;
use super::event::{Ctx, Event};
use super::idempotency::{IdempotencyStore, ItemChange};
use super::io::{CallId, ClaimId, Command, RequestId, Send, Step};
use super::metrics::Metrics;
use super::outbox::Outbox;
use super::outcome::{BookingResult, Operation};
use super::random::{uuid, Random};
use super::snapshot::fingerprint_to_hex;
use super::state::State;
use crate::json::ToJson;
use crate::Error;
use alloc::collections::VecDeque;

/// How a run ended: an error, and whether an appointment it made was cancelled again.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    /// Why.
    pub error: Error,
    /// A follow-up failure cancelled the appointment again.
    pub compensated: bool,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Failed {
            error,
            compensated: false,
        }
    }
}

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
    /// Commands waiting for the driver.
    pub out: VecDeque<Command>,
    /// Events a flush has taken on (queued or in flight): one sender per event key.
    pub flushing: Vec<String>,
    /// The breaker state last saved for other tabs or taken from them (storage item `b:`).
    pub shared_breaker: Option<BreakerState>,
    /// The origin's secret (storage item `s:`), which keys the fingerprints kept in storage.
    pub secret: Option<[u32; 8]>,
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
            out: VecDeque::new(),
            flushing: Vec::new(),
            shared_breaker: Some(BreakerState::Closed { failures: 0 }),
            secret: None,
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
        let record = event.record(ctx, self.now);
        self.out.push_back(Command::Log { record });
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
        let records = self.store.changes();
        let entries = self.outbox.changes();
        if !self.persists {
            return;
        }
        let records = records.into_iter().map(|(fingerprint, change)| {
            let name = ["p:", &fingerprint_to_hex(fingerprint)].concat();
            match change {
                ItemChange::Put(json) => (name, Some(json), None),
                ItemChange::RemoveIfHolding(key, rev) => (name, None, Some((key, rev))),
            }
        });
        let entries = entries
            .into_iter()
            .map(|(key, json)| (["o:", &key].concat(), json, None));
        for (name, json, only) in records.chain(entries) {
            self.out.push_back(Command::Save { name, json, only });
        }
    }

    /// The page's cancel of `appointment_id` went through: its bookings are not found by
    /// payload any more, here and (through storage item `x:<id>`) in every tab and later page.
    pub fn note_cancelled(&mut self, appointment_id: &str) {
        self.store.cancelled(appointment_id, self.now, self.now);
        if self.persists {
            let mut json = String::new();
            crate::json::Object::new(&mut json)
                .field("at", &self.now)
                .end();
            let name = ["x:", appointment_id].concat();
            self.out.push_back(Command::Save {
                name,
                json: Some(json),
                only: None,
            });
        }
    }

    /// Another tab (or, at load, an earlier page) cancelled appointment `name[2..]`.
    pub fn take_cancelled(&mut self, name: &str, json: Option<&str>) {
        let at = json
            .and_then(crate::json::parse)
            .and_then(|v| v.int_field("at"));
        let (Some(id), Some(at)) = (name.get(2..), at) else {
            return;
        };
        if !self.store.cancelled(id, at, self.now) {
            // Older than any record that could name it: the item goes.
            let name = name.to_owned();
            self.out.push_back(Command::Save {
                name,
                json: None,
                only: None,
            });
        }
    }

    /// Saves the breaker's state for other tabs when it changed (with a storage). Half-open is
    /// this tab's own business (it is about to probe, or was refused the probe): what other
    /// tabs need is the probe's outcome, closed or open again.
    pub fn share_breaker(&mut self) {
        let state = self.breaker.state();
        let half_open = matches!(state, BreakerState::HalfOpen { .. });
        if self.persists && !half_open && self.shared_breaker != Some(state) {
            self.shared_breaker = Some(state);
            self.out.push_back(Command::Save {
                name: "b:".into(),
                json: Some(state.to_json()),
                only: None,
            });
        }
    }

    /// Takes the breaker state another tab saved (`None`: not one): a changed state is logged
    /// as a transition of this tab's breaker.
    pub fn adopt_breaker(&mut self, text: Option<&str>) {
        let Some(state) = text.and_then(BreakerState::from_json) else {
            return;
        };
        self.shared_breaker = Some(state);
        if let Some(t) = self.breaker.adopt(state) {
            let mut ctx = self.ctx(String::new(), None);
            ctx.uncounted = false;
            self.emit(&mut ctx, Event::BreakerChanged(t));
        }
    }

    /// Takes the origin's secret as storage holds it now (item `s:`, 64 hex digits). The first
    /// one read keys every fingerprint of this page. Where no storage orders the tabs that mint
    /// one at the same moment (localStorage without IndexedDB: a write reaches other tabs late,
    /// so each can read back its own), they converge on the lowest: a page holding a higher one
    /// takes the lower one and re-keys the records it made (saved under their new names, the old
    /// items removed), and a page holding the lowest writes it back over a higher one.
    pub fn take_secret(&mut self, text: Option<&str>) {
        let Some(key) = text.and_then(parse_secret) else {
            return;
        };
        match self.secret {
            None => self.secret = Some(key),
            Some(mine) if key < mine => {
                self.secret = Some(key);
                self.store.rekey(|plain| keyed(&key, plain));
                self.persist();
            }
            Some(mine) if key > mine => self.out.push_back(Command::Save {
                name: "s:".into(),
                json: Some(secret_to_hex(&mine)),
                only: None,
            }),
            Some(_) => {}
        }
    }

    /// A payload's fingerprint as storage keeps it: keyed with the origin's secret (one
    /// ChaCha20 block over it), so storage alone does not confirm a guessed patient by hashing
    /// their fields; the plain fingerprint without a secret.
    pub fn keyed(&self, fingerprint: u64) -> u64 {
        match &self.secret {
            Some(key) => keyed(key, fingerprint),
            None => fingerprint,
        }
    }

    /// A new claim's number.
    pub fn new_claim(&mut self) -> ClaimId {
        self.next_claim = self.next_claim.wrapping_add(1).max(1);
        self.next_claim
    }

    /// Ends `ctx`'s call: its final state, the closing record (for a run), its result.
    pub fn finish(
        &mut self,
        ctx: &mut Ctx,
        operation: Option<Operation>,
        outcome: Result<(), Failed>,
        ran: bool,
    ) -> BookingResult {
        let (state, error, compensated) = match outcome {
            Ok(()) => (State::Completed, None, false),
            Err(Failed { error, compensated }) => (State::Failed, Some(error), compensated),
        };
        self.advance(ctx, state);
        if ran {
            let event = match state {
                State::Completed => Event::Completed,
                _ => Event::Failed(error.as_ref().map(|e| e.code)),
            };
            self.emit(ctx, event);
        }
        BookingResult {
            operation,
            state,
            appointment_id: ctx.appointment_id.clone(),
            error,
            attempts: ctx.attempts,
            retries: ctx.retries,
            idempotent_replay: false,
            correlation_id: ctx.correlation_id.clone(),
            idempotency_key: ctx.key.clone(),
            compensated,
            action_label: ctx.label.clone(),
            duration_ms: self.elapsed(ctx),
        }
    }

    /// A stored or joined result, as `ctx`'s answer.
    pub fn replayed(&self, ctx: &Ctx, stored: BookingResult) -> BookingResult {
        BookingResult {
            attempts: 0,
            retries: 0,
            idempotent_replay: true,
            correlation_id: ctx.correlation_id.clone(),
            action_label: ctx.label.clone(),
            duration_ms: self.elapsed(ctx),
            ..stored
        }
    }

    /// Answers page call `id`; the one place results move the counters.
    pub fn settle(&mut self, id: RequestId, result: BookingResult) {
        self.metrics.observe_latency(result.duration_ms);
        match result.state {
            State::Completed => self.metrics.completed += 1,
            _ => self.metrics.failed += 1,
        }
        self.out.push_back(Command::Done { id, result });
    }

    /// A call refused before anything was sent or stored.
    pub fn reject(
        &mut self,
        id: RequestId,
        mut ctx: Ctx,
        operation: Option<Operation>,
        error: Error,
    ) {
        self.emit(&mut ctx, Event::Rejected(error.code));
        let result = self.finish(&mut ctx, operation, Err(error.into()), false);
        self.settle(id, result);
    }

    /// Milliseconds since `ctx` started.
    pub fn elapsed(&self, ctx: &Ctx) -> u64 {
        (self.now - ctx.started_ms).max(0) as u64
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

/// `fingerprint` keyed with secret `key` (see [`Shared::keyed`]).
fn keyed(key: &[u32; 8], fingerprint: u64) -> u64 {
    let words = super::random::block(key, 0, [fingerprint as u32, (fingerprint >> 32) as u32, 0]);
    u64::from(words[0]) | u64::from(words[1]) << 32
}

/// A secret's 64 hex digits as eight big-endian words (so words compare as the text does).
fn parse_secret(text: &str) -> Option<[u32; 8]> {
    let mut key = [0u32; 8];
    for (i, word) in key.iter_mut().enumerate() {
        let hex = text.get(i * 8..i * 8 + 8).filter(|_| text.len() == 64)?;
        if !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        *word = u32::from_str_radix(hex, 16).ok()?;
    }
    Some(key)
}

/// The text of a secret, as storage keeps it.
fn secret_to_hex(key: &[u32; 8]) -> String {
    let mut text = String::with_capacity(64);
    for word in key {
        for shift in (0..8).rev() {
            let digit = (word >> (shift * 4)) & 0xf;
            text.push(char::from_digit(digit, 16).unwrap_or('0'));
        }
    }
    text
}
