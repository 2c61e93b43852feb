//! The appointment client's core: a deterministic state machine that never awaits and never
//! reads a clock. It holds every booking in flight (as quinn's `Endpoint` holds connections),
//! the breaker, the idempotency store, the outbox and the metrics; it takes [`Input`]s with
//! the current time and yields [`Command`]s.
//!
//! The driver's loop is the [driver contract](crate::booking#the-driver-contract).
use alloc::string::String;
use alloc::vec::Vec;

use crate::booking::io::{Command, Input, RequestId};
use crate::booking::policy::config::ClientConfig;
use crate::booking::policy::router::route;
use crate::booking::random::{ChaCha, Random};
use crate::booking::run::booking::{Booking, BookingInput, RunState};
use crate::booking::run::flush::Flush;
use crate::booking::run::shared::Shared;
use crate::booking::store::outbox::OutboxStatus;
use crate::booking::wire::outcome::Operation;
use crate::vecs::{at_mut, remove_at};
use claim::Waiting;
use drain::Drain;
use views::Restored;

mod calls;
pub mod claim;
pub mod drain;
pub mod replay;
mod tabs;
pub mod views;

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
    /// The origin's secret as this page read it from storage, when it was one.
    pub(super) secret_item: Option<String>,
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
            secret_item: None,
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
            Input::Click { id, label, request } => match route(&label) {
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
            Input::Answer { call, answer } => self.route(BookingInput::Answer(call, answer)),
            Input::Timer => {}
            Input::Loaded { items } => self.load(items),
            Input::Claimed {
                claim,
                saved,
                granted,
                announced,
            } => {
                self.s.take_announced(&announced);
                if self.drain_claimed(claim, saved.as_deref(), granted) {
                } else if self.claims.iter().any(|w| w.claim == claim) {
                    self.claimed(claim, saved.as_deref(), &announced);
                } else {
                    self.route(BookingInput::Probe(claim, granted, saved));
                }
            }
            Input::Changed { name, json } => self.changed(&name, json.as_deref()),
            Input::Wake => {
                // The breaker other tabs shared is read again: storage events may be missed.
                if self.s.persists {
                    let name = "b:".into();
                    self.s.out.push_back(Command::Read { name });
                }
                self.wake();
            }
            Input::Agreed {
                name,
                text,
                settled,
            } => self.agreed(&name, text, settled),
            Input::Abandon { id, aborted } => self.abandon(id, aborted),
            Input::Flush { id } => self.flush(id),
        }
        self.run_due();
    }

    /// Whether anything reads log records (on by default): off, no [`Command::Log`] is made,
    /// the work a booking does for its log records is saved, and the counters still move.
    pub fn set_logging(&mut self, on: bool) {
        self.s.logging = on;
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
        let mut at = self.drain.at;
        let mut earliest = |t: Option<i64>| {
            if let Some(t) = t {
                at = Some(at.map_or(t, |at| at.min(t)));
            }
        };
        for booking in &self.bookings {
            earliest(booking.deadline());
        }
        for flush in &self.flushes {
            earliest(flush.deadline());
        }
        for waiting in &self.claims {
            earliest(Some(waiting.deadline_ms));
        }
        at
    }

    /// Hands an answer or the clock to the booking or flush it is for.
    fn route(&mut self, ev: BookingInput) {
        // The booking whose call (or probe claim) it is takes the input itself, not a copy.
        if let Some(i) = self.bookings.iter().position(|b| b.owns(&ev)) {
            if let Some(RunState::Ended(outcome)) =
                at_mut(&mut self.bookings, i).on(&mut self.s, ev)
            {
                let booking = remove_at(&mut self.bookings, i);
                self.end(booking, outcome);
            }
            return;
        }
        for i in 0..self.flushes.len() {
            if let Some(done) = at_mut(&mut self.flushes, i).on(&mut self.s, &ev) {
                if done {
                    let flush = remove_at(&mut self.flushes, i);
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
                    if let Some(RunState::Ended(outcome)) =
                        at_mut(&mut self.bookings, i).on(&mut self.s, BookingInput::Timer)
                    {
                        let booking = remove_at(&mut self.bookings, i);
                        self.end(booking, outcome);
                    }
                }
                (None, Some(i)) => {
                    let flush = at_mut(&mut self.flushes, i);
                    let done = if flush.released(&self.s.flushing) {
                        flush.advance(&mut self.s)
                    } else {
                        flush.on(&mut self.s, &BookingInput::Timer) == Some(true)
                    };
                    if done {
                        let flush = remove_at(&mut self.flushes, i);
                        self.flush_ended(flush);
                    }
                }
                (None, None) => return,
            }
        }
    }

    fn flush(&mut self, id: RequestId) {
        let (mut entries, mut skipped, mut awaiting) = (Vec::new(), 0, Vec::new());
        for entry in self
            .s
            .outbox
            .entries()
            .iter()
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
}
