//! The appointment client's core: a deterministic state machine that never awaits and never
//! reads a clock. It holds every booking in flight (as quinn's `Endpoint` holds connections),
//! the breaker, the idempotency store, the outbox and the metrics; it takes [`Input`]s with
//! the current time and yields [`Command`]s.
//!
//! The driver's loop (see `js/driver.js` for the browser's, `tests/flow.rs` for a test's):
//! feed one input with [`Client::handle`]; drain [`Client::poll`] until `None`, carrying out
//! each command; sleep until [`Client::poll_timeout`]; on waking, feed [`Input::Timer`].
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::booking::{Booking, Ev, Flow, Work};
use super::claim::Waiting;
use super::config::ClientConfig;
use super::drain::Drain;
use super::event::{Ctx, Event};
use super::flush::Flush;
use super::idempotency::Begin;
use super::io::ClaimId;
use super::io::{Command, Input, RequestId};
use super::outbox::OutboxEntry;
use super::outbox::OutboxStatus;
use super::outcome::Operation;
use super::random::{ChaCha, Random};
use super::request::{cancel_fingerprint, check_id, check_key, RawBookingRequest};
use super::router::route;
use super::scalar::{text, Scalar};
use super::shared::{Failed, Shared};
use super::snapshot::Snapshot;
use super::state::State;
use super::views::Restored;
use crate::{Error, ErrorCode};

/// See the module documentation.
pub struct Client<R: Random = ChaCha> {
    pub(super) s: Shared<R>,
    pub(super) bookings: Vec<Booking>,
    pub(super) flushes: Vec<Flush>,
    pub(super) restored: Restored,
    /// Calls waiting for their claim across tabs.
    pub(super) claims: Vec<Waiting>,
    /// Publishing events left pending, without a page's call.
    pub(super) drain: Drain,
}

impl<R: Random> Client<R> {
    /// A client with validated `config`, its random source, at `now`.
    pub fn new(config: ClientConfig, random: R, now: i64) -> Self {
        Client {
            s: Shared::new(config, random, now),
            bookings: Vec::new(),
            flushes: Vec::new(),
            restored: Restored::default(),
            claims: Vec::new(),
            drain: Drain::default(),
        }
    }

    /// Takes one input at `now` (an earlier time counts as the latest seen: time only moves
    /// forward), then runs whatever is due. Drain [`poll`](Self::poll) after every call.
    pub fn handle(&mut self, now: i64, input: Input) {
        self.s.now = self.s.now.max(now);
        match input {
            Input::Book { id, request } => self.book(id, &request, None, false),
            Input::Replay { id, request } => self.book(id, &request, None, true),
            Input::Cancel { id, appointment_id } => self.cancel(id, &appointment_id, None),
            Input::Handle { id, label, request } => match route(&label) {
                Ok(Operation::Book) => self.book(id, &request, Some(label), false),
                Ok(Operation::Cancel) => self.cancel(id, &request.appointment_id, Some(label)),
                Err(error) => self.refuse(id, None, Some(label), error),
            },
            Input::Refuse {
                id,
                operation,
                label,
                error,
            } => self.refuse(id, operation, label, error),
            Input::Answer { call, answer } => self.route(Ev::Answer(call, answer)),
            Input::Timer => {}
            Input::Loaded { json } => self.load(json.as_deref()),
            Input::Claimed {
                claim,
                saved,
                granted,
            } => {
                if self.drain_claimed(claim, saved.as_deref(), granted) {
                } else if self.claims.iter().any(|w| w.claim == claim) {
                    self.claimed(claim, saved.as_deref());
                } else {
                    self.route(Ev::Probe(claim, granted, saved));
                }
            }
            Input::Changed { name, json } => self.changed(&name, json.as_deref()),
            Input::Wake => self.wake(),
            Input::Abandon { id, aborted } => self.abandon(id, aborted),
            Input::Flush { id } => self.flush(id),
        }
        self.run_due();
    }

    /// The next command for the driver, or `None` when there is nothing left to do now.
    pub fn poll(&mut self) -> Option<Command> {
        self.s.out.pop_front()
    }

    /// When the core next needs [`Input::Timer`]: the earliest attempt timeout, retry or poll;
    /// the current time while commands are queued; `None` when nothing waits on the clock.
    pub fn poll_timeout(&self) -> Option<i64> {
        if !self.s.out.is_empty() {
            return Some(self.s.now);
        }
        let bookings = self.bookings.iter().filter_map(Booking::deadline);
        bookings
            .chain(self.flushes.iter().filter_map(Flush::deadline))
            .chain(self.claims.iter().map(|w| w.deadline_ms))
            .chain(self.drain.at)
            .min()
    }

    fn book(
        &mut self,
        id: RequestId,
        raw: &RawBookingRequest,
        label: Option<String>,
        replay: bool,
    ) {
        match self.book_call(id, raw, label.clone(), replay) {
            Err(error) => {
                let explicit = text(&raw.idempotency_key, "idempotencyKey").ok().flatten();
                let key = explicit
                    .filter(|k| check_key(k).is_ok())
                    .map_or_else(|| self.s.new_id(), str::to_owned);
                let ctx = self.s.ctx(key, label);
                self.s.reject(id, ctx, Some(Operation::Book), error);
            }
            Ok(call) => self.claim_or_start(call),
        }
    }

    /// The call `book(raw)` makes (`replay`: one that only sends a booking again, see
    /// [`super::replay`]), or why the request is refused.
    #[inline(never)]
    pub(super) fn book_call(
        &self,
        id: RequestId,
        raw: &RawBookingRequest,
        label: Option<String>,
        replay: bool,
    ) -> Result<Waiting, Error> {
        let explicit = text(&raw.idempotency_key, "idempotencyKey")
            .ok()
            .flatten()
            .map(str::to_owned);
        let request = raw.validate(self.s.now)?;
        let legacy = request.fingerprint();
        Ok(Waiting {
            claim: 0,
            id,
            label,
            operation: Operation::Book,
            fingerprint: self.s.keyed(legacy),
            legacy,
            explicit,
            replay,
            work: Work::Book(request),
            started_ms: self.s.now,
            deadline_ms: self.s.now.saturating_add(self.s.config.deadline_ms as i64),
        })
    }

    fn cancel(&mut self, id: RequestId, appointment_id: &Option<Scalar>, label: Option<String>) {
        let target = text(appointment_id, "appointmentId").and_then(|target| {
            let target = target.ok_or_else(|| {
                Error::invalid_field("appointmentId", "appointmentId is required")
            })?;
            check_id(target, "appointmentId").map(|()| target.to_owned())
        });
        match target {
            Err(error) => {
                let key = self.s.new_id();
                let ctx = self.s.ctx(key, label);
                self.s.reject(id, ctx, Some(Operation::Cancel), error);
            }
            Ok(target) => {
                let call = Waiting {
                    claim: 0,
                    id,
                    label,
                    operation: Operation::Cancel,
                    fingerprint: self.s.keyed(cancel_fingerprint(&target)),
                    legacy: cancel_fingerprint(&target),
                    explicit: None,
                    replay: false,
                    work: Work::Cancel(target),
                    started_ms: self.s.now,
                    deadline_ms: self.s.now.saturating_add(self.s.config.deadline_ms as i64),
                };
                self.claim_or_start(call);
            }
        }
    }

    fn refuse(
        &mut self,
        id: RequestId,
        operation: Option<Operation>,
        label: Option<String>,
        error: Error,
    ) {
        let key = self.s.new_id();
        let ctx = self.s.ctx(key, label);
        self.s.reject(id, ctx, operation, error);
    }

    /// Takes the key, then runs, joins or replays; a claim is released once nothing runs
    /// under it (at once, or when the booking ends).
    pub(super) fn run(
        &mut self,
        call: Waiting,
        mut ctx: Ctx,
        claim: Option<ClaimId>,
        verify: Option<String>,
    ) {
        let Waiting {
            id,
            operation,
            fingerprint,
            legacy,
            work,
            ..
        } = call;
        // A booking cut short while cancelling its appointment resumes the cancel; one that
        // must check an earlier appointment first (a re-run too) checks it.
        let resume = self.s.store.compensating(&ctx.key);
        let verify = verify.or_else(|| self.s.store.verify(&ctx.key));
        let begin = self
            .s
            .store
            .begin_either(&ctx.key, fingerprint, legacy, ctx.started_ms);
        match begin {
            Begin::Conflict => {
                let error = Error::new(
                    ErrorCode::IdempotencyKeyReused,
                    "this idempotency key was already used with a different request",
                );
                self.s.reject(id, ctx, Some(operation), error);
            }
            Begin::Replay(stored) => {
                self.s.emit(
                    &mut ctx,
                    Event::Replayed(stored.appointment_id.clone(), stored.state),
                );
                let result = self.s.replayed(&ctx, stored);
                self.s.settle(id, result);
            }
            Begin::Join => {
                self.s.emit(&mut ctx, Event::Joined);
                match self.bookings.iter_mut().find(|b| b.ctx.key == ctx.key) {
                    Some(leader) => leader.joined.push((id, ctx)),
                    None => {
                        let error = Error::new(
                            ErrorCode::RequestInProgress,
                            "the booking this call joined was abandoned",
                        );
                        let result =
                            self.s
                                .finish(&mut ctx, Some(operation), Err(error.into()), false);
                        self.s.settle(id, result);
                    }
                }
            }
            Begin::Start => {
                // The record is saved in flight before the first call goes out.
                self.s.store.set_verify(&ctx.key, verify.clone());
                self.s.persist();
                self.s.advance(&mut ctx, State::InProgress);
                let mut booking = Booking::new(&mut self.s, id, ctx, operation, work);
                booking.claim = claim;
                let flow = match (resume, verify) {
                    (Some(appointment), _) => booking.resume_compensation(&mut self.s, appointment),
                    (None, Some(appointment)) => booking.check(&mut self.s, appointment),
                    (None, None) => booking.start(&mut self.s),
                };
                match flow {
                    Flow::Running => self.bookings.push(booking),
                    Flow::Ended(outcome) => self.end(booking, outcome),
                }
                return;
            }
        }
        if let Some(claim) = claim {
            self.s.out.push_back(Command::Release { claim });
        }
    }

    /// Hands an answer or the clock to the booking or flush it is for.
    fn route(&mut self, ev: Ev) {
        for i in 0..self.bookings.len() {
            if let Some(flow) = self.bookings[i].on(&mut self.s, ev.clone()) {
                if let Flow::Ended(outcome) = flow {
                    let booking = self.bookings.remove(i);
                    self.end(booking, outcome);
                }
                return;
            }
        }
        for i in 0..self.flushes.len() {
            if let Some(done) = self.flushes[i].on(&mut self.s, &ev) {
                if done {
                    let flush = self.flushes.remove(i);
                    self.flush_ended(flush);
                }
                return;
            }
        }
    }

    /// Runs everything due at the current time, until nothing is (each run makes progress).
    /// Calls past their timeout end first: they are over, and the breaker must hear of them
    /// before a retry that is also due asks it for a call (else a probe whose lease ran out
    /// with its call would let a second probe through).
    fn run_due(&mut self) {
        let due = |d: Option<i64>, now: i64| d.is_some_and(|d| d <= now);
        while let Some(i) = self.claims.iter().position(|w| w.deadline_ms <= self.s.now) {
            self.claim_expired(i);
        }
        self.drain_due();
        loop {
            let now = self.s.now;
            let flushing = &self.s.flushing;
            let overdue = (
                self.bookings.iter().position(|b| b.call_overdue(now)),
                self.flushes.iter().position(|f| f.call_overdue(now)),
            );
            let (booking, flush) = match overdue {
                (None, None) => (
                    self.bookings
                        .iter()
                        .position(|b| due(b.deadline(), now) || b.flush_released(flushing)),
                    self.flushes
                        .iter()
                        .position(|f| due(f.deadline(), now) || f.released(flushing)),
                ),
                found => found,
            };
            match (booking, flush) {
                (Some(i), _) => {
                    if let Some(Flow::Ended(outcome)) = self.bookings[i].on(&mut self.s, Ev::Timer)
                    {
                        let booking = self.bookings.remove(i);
                        self.end(booking, outcome);
                    }
                }
                (None, Some(i)) => {
                    let done = if self.flushes[i].released(&self.s.flushing) {
                        self.flushes[i].advance(&mut self.s)
                    } else {
                        self.flushes[i].on(&mut self.s, &Ev::Timer) == Some(true)
                    };
                    if done {
                        let flush = self.flushes.remove(i);
                        self.flush_ended(flush);
                    }
                }
                (None, None) => return,
            }
        }
    }

    /// A run ended: its record, its answer, and the answers of the calls that joined it.
    fn end(&mut self, mut booking: Booking, outcome: Result<(), Failed>) {
        let mut result = self
            .s
            .finish(&mut booking.ctx, Some(booking.operation), outcome, true);
        // Its check found the earlier booking's appointment: nothing new was made.
        result.idempotent_replay = booking.found;
        self.s
            .store
            .finish(&booking.ctx.key, result.clone(), self.s.now);
        // Compensated: the appointment was cancelled again, so booking the payload once more
        // (without a key) is a new booking, as after a page's cancel. Keyed calls still replay.
        if let (true, Some(id)) = (result.compensated, &result.appointment_id) {
            self.s.store.forget_appointment(id);
        }
        self.s.persist();
        if let Some(id) = booking.id {
            self.s.settle(id, result.clone());
        }
        for (id, ctx) in booking.joined {
            let answer = self.s.replayed(&ctx, result.clone());
            self.s.settle(id, answer);
        }
        if let Some(claim) = booking.claim {
            self.s.out.push_back(Command::Release { claim });
        }
    }

    /// The page gave up on call `id`; see [`Input::Abandon`].
    fn abandon(&mut self, id: RequestId, aborted: bool) {
        let abandoned = || match aborted {
            true => Error::new(ErrorCode::Aborted, "the caller's signal aborted the call"),
            false => Error::new(
                ErrorCode::Timeout,
                "the call was abandoned before it finished",
            ),
        };
        if let Some(i) = self.flushes.iter().position(|f| f.id == Some(id)) {
            self.flushes[i].abandon(&mut self.s);
            let flush = self.flushes.remove(i);
            self.flush_ended(flush);
            return;
        }
        if let Some(i) = self.claims.iter().position(|w| w.id == id) {
            let call = self.stop_waiting(i);
            let key = self.key_of(&call);
            let mut ctx = self.s.ctx(key, call.label);
            ctx.started_ms = call.started_ms;
            let result = self.s.finish(
                &mut ctx,
                Some(call.operation),
                Err(abandoned().into()),
                false,
            );
            self.s.settle(id, result);
            return;
        }
        for i in 0..self.bookings.len() {
            if let Some(j) = self.bookings[i].joined.iter().position(|(j, _)| *j == id) {
                let (_, mut ctx) = self.bookings[i].joined.remove(j);
                let op = Some(self.bookings[i].operation);
                let result = self.s.finish(&mut ctx, op, Err(abandoned().into()), false);
                self.s.settle(id, result);
                return;
            }
            if self.bookings[i].id != Some(id) {
                continue;
            }
            if self.bookings[i].has_appointment() {
                // The appointment exists: answer now, and let its follow-ups finish.
                let booking = &mut self.bookings[i];
                booking.id = None;
                let mut ctx = booking.ctx.clone();
                let op = Some(booking.operation);
                let result = self.s.finish(&mut ctx, op, Err(abandoned().into()), false);
                self.s.settle(id, result);
            } else {
                let mut booking = self.bookings.remove(i);
                if let Some(a) = booking.attempts_mut() {
                    a.abort(&mut self.s);
                }
                self.end(booking, Err(abandoned().into()));
            }
            return;
        }
    }

    fn flush(&mut self, id: RequestId) {
        let (mut entries, mut skipped, mut awaiting) = (Vec::new(), 0, Vec::new());
        for entry in self
            .s
            .outbox
            .entries()
            .filter(|e| e.status == OutboxStatus::Pending)
        {
            // One sender per event: a booking in flight, or another flush, has it already.
            let booking = self.bookings.iter().any(|b| b.ctx.key == entry.booking_key);
            let id = &entry.event.id;
            let drained = |f: &Flush| f.id.is_none() && f.has(id);
            if self.flushes.iter().any(drained) {
                awaiting.push(id.clone());
            } else if booking || self.s.flushing.contains(id) {
                skipped += 1;
            } else {
                entries.push(entry.clone());
            }
        }
        let mut flush = Flush::new(&mut self.s, Some(id), entries, skipped);
        flush.awaiting = awaiting;
        if flush.advance(&mut self.s) {
            self.flush_ended(flush);
        } else {
            self.flushes.push(flush);
        }
    }

    /// Another tab changed storage item `name`; see [`Input::Changed`].
    fn changed(&mut self, name: &str, json: Option<&str>) {
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

    fn load(&mut self, json: Option<&str>) {
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
