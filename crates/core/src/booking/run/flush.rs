//! `flushOutbox()`, and the drains the core runs itself ([`crate::booking::client::drain`]): the events an
//! earlier page left pending, published one after another with their own retries, each as it
//! was written (byte for byte, under its own key). An entry that still fails stays pending for
//! the next flush; an entry whose booking is in flight here is left to that booking. Nothing
//! is dropped.
use alloc::vec::Vec;

use super::attempts::{Attempts, StepState};
use super::shared::Shared;
use crate::booking::io::{CallId, ClaimId, Command, RequestId};
use crate::booking::random::Random;
use crate::booking::report::event::{Ctx, Event};
use crate::booking::store::outbox::{OutboxEntry, OutboxStatus};
use crate::booking::wire::contract::Step;
use crate::json::ToJson;

/// One `flushOutbox()` call, or one drain, under way.
#[derive(Clone, Debug, PartialEq)]
pub struct Flush {
    /// The page's call; `None` for a drain (nobody is answered).
    pub id: Option<RequestId>,
    /// A drain's claim on its entry across tabs, released when it ends.
    pub claim: Option<ClaimId>,
    /// Entries not started yet, the next one last.
    queue: Vec<OutboxEntry>,
    current: Option<(Ctx, Attempts)>,
    /// Events the core's own drains are publishing: a page's flush waits for them and counts
    /// how they ended.
    pub awaiting: Vec<alloc::string::String>,
    published: u32,
    pending: u32,
}

impl Flush {
    /// A flush of `entries` (taken on in `s.flushing`); `skipped` more are pending but left
    /// to their bookings or to other flushes.
    pub fn new<R: Random>(
        s: &mut Shared<R>,
        id: Option<RequestId>,
        mut entries: Vec<OutboxEntry>,
        skipped: u32,
    ) -> Self {
        entries.reverse();
        for e in &entries {
            s.flushing.push(e.event.id.clone());
        }
        Flush {
            id,
            claim: None,
            awaiting: Vec::new(),
            queue: entries,
            current: None,
            published: 0,
            pending: skipped,
        }
    }

    /// The call in flight, if any.
    pub fn call(&self) -> Option<CallId> {
        self.current.as_ref().and_then(|(_, a)| a.call())
    }

    /// When the flush next needs the clock.
    pub fn deadline(&self) -> Option<i64> {
        self.current.as_ref().and_then(|(_, a)| a.deadline())
    }

    /// Whether its call in flight is past its timeout at `now`.
    pub fn call_overdue(&self, now: i64) -> bool {
        self.current
            .as_ref()
            .is_some_and(|(_, a)| a.call_overdue(now))
    }

    /// Starts entries until one is waiting; `true` once every entry is settled (the flush is
    /// then answered).
    pub fn advance<R: Random>(&mut self, s: &mut Shared<R>) -> bool {
        while self.current.is_none() {
            let Some(entry) = self.queue.pop() else {
                if self.awaiting.iter().any(|e| s.flushing.contains(e)) {
                    return false;
                }
                for event_id in self.awaiting.drain(..) {
                    match s.outbox.get(&event_id).map(|e| e.status) {
                        Some(OutboxStatus::Pending) => self.pending += 1,
                        _ => self.published += 1,
                    }
                }
                if let Some(id) = self.id {
                    s.out.push_back(Command::Flushed {
                        id,
                        published: self.published,
                        pending: self.pending,
                    });
                }
                return true;
            };
            let mut ctx = s.ctx(entry.booking_key.clone(), None);
            ctx.uncounted = false;
            ctx.appointment_id = Some(entry.event.appointment_id.clone());
            s.emit(&mut ctx, Event::OutboxFlush);
            let body = Some(entry.event.to_json());
            let mut attempts = Attempts::new(
                Step::Publish,
                entry.event.id.clone(),
                s.url(&["/events"]),
                body,
                None,
            );
            let progress = attempts.next(s, &mut ctx);
            self.current = Some((ctx, attempts));
            self.progress(s, progress);
        }
        false
    }

    /// An answer or the clock moved the current entry; `None` if it was not for this flush.
    pub fn on<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        ev: &super::booking::BookingInput,
    ) -> Option<bool> {
        let (ctx, attempts) = self.current.as_mut()?;
        let progress = match ev {
            super::booking::BookingInput::Answer(call, answer) => {
                attempts.on_answer(s, ctx, *call, answer.clone())?
            }
            super::booking::BookingInput::Timer => attempts.on_timer(s, ctx)?,
            super::booking::BookingInput::Probe(..) => return None, // events are never guarded
        };
        self.progress(s, progress);
        Some(self.advance(s))
    }

    /// Stops: the call in flight is aborted; what is left counts as pending.
    pub fn abandon<R: Random>(&mut self, s: &mut Shared<R>) {
        if let Some((_, mut attempts)) = self.current.take() {
            attempts.abort(s);
            let_go(&mut s.flushing, attempts.key());
            self.pending += 1;
        }
        for entry in self.queue.drain(..) {
            let_go(&mut s.flushing, &entry.event.id);
            self.pending += 1;
        }
        // Events a drain is publishing stay with the drain; this flush stops waiting for them.
        self.pending += self.awaiting.len() as u32;
        self.awaiting.clear();
        self.advance(s);
    }

    /// Whether it sends or will send `event_id`.
    pub fn has(&self, event_id: &str) -> bool {
        self.queue.iter().any(|e| e.event.id == event_id)
            || self
                .current
                .as_ref()
                .is_some_and(|(_, a)| a.key() == event_id)
    }

    /// Whether it waits only for drains that have all ended (then [`advance`](Self::advance)).
    pub fn released(&self, flushing: &[alloc::string::String]) -> bool {
        self.current.is_none()
            && self.queue.is_empty()
            && !self.awaiting.is_empty()
            && !self.awaiting.iter().any(|e| flushing.contains(e))
    }

    /// Entries left pending when it ended (or so far).
    pub fn pending(&self) -> u32 {
        self.pending
    }

    fn progress<R: Random>(&mut self, s: &mut Shared<R>, progress: StepState) {
        let Some((ctx, attempts)) = self.current.as_mut() else {
            return;
        };
        let published = match progress {
            StepState::Waiting => return,
            StepState::Done(_) => Some(false),
            StepState::GaveUp(e) if e.status == Some(422) => Some(true),
            StepState::GaveUp(e) => {
                s.emit(ctx, Event::OutboxPublishFailed(e.code));
                None
            }
        };
        match published {
            Some(conflict) => {
                s.outbox.settle(attempts.key(), OutboxStatus::Published);
                s.persist();
                s.emit(ctx, Event::OutboxPublished(conflict));
                self.published += 1;
            }
            None => self.pending += 1,
        }
        let_go(&mut s.flushing, attempts.key());
        self.current = None;
    }
}

/// Takes `event_id` off the events a flush has taken on (one retain for every caller).
fn let_go(flushing: &mut alloc::vec::Vec<alloc::string::String>, event_id: &str) {
    flushing.retain(|id| id != event_id);
}
