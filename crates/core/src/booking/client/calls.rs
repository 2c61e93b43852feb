//! A page's calls, from input to answer: `book` and `cancel` checked and made into a
//! [`Waiting`] call, a refusal answered at once, the run that takes the payload's key
//! ([`Client::run`]: start, join or replay), its end ([`Client::end`]: record, answer, joined
//! calls, release), and a call the page gave up on ([`Client::abandon`]).
use alloc::borrow::ToOwned;
use alloc::string::String;

use super::claim::Waiting;
use super::Client;
use crate::booking::io::{ClaimId, Command, RequestId};
use crate::booking::random::Random;
use crate::booking::report::event::{Ctx, Event};
use crate::booking::run::answer::RunError;
use crate::booking::run::booking::{Booking, RunState, Work};
use crate::booking::store::idempotency::Begin;
use crate::booking::wire::outcome::Operation;
use crate::booking::wire::request::{cancel_fingerprint, check_id, check_key, RawBookingRequest};
use crate::booking::wire::scalar::{text, Scalar};
use crate::booking::wire::state::State;
use crate::vecs::{at_mut, remove_at};
use crate::{Error, ErrorCode};

impl<R: Random> Client<R> {
    pub(super) fn book(
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

    pub(super) fn cancel(
        &mut self,
        id: RequestId,
        appointment_id: &Option<Scalar>,
        label: Option<String>,
    ) {
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

    pub(super) fn refuse(
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
                    RunState::Running => self.bookings.push(booking),
                    RunState::Ended(outcome) => self.end(booking, outcome),
                }
                return;
            }
        }
        if let Some(claim) = claim {
            self.s.out.push_back(Command::Release { claim });
        }
    }

    /// A run ended: its record, its answer, and the answers of the calls that joined it.
    pub(super) fn end(&mut self, mut booking: Booking, outcome: Result<(), RunError>) {
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
    pub(super) fn abandon(&mut self, id: RequestId, aborted: bool) {
        let abandoned = || match aborted {
            true => Error::new(ErrorCode::Aborted, "the caller's signal aborted the call"),
            false => Error::new(
                ErrorCode::Timeout,
                "the call was abandoned before it finished",
            ),
        };
        if let Some(i) = self.flushes.iter().position(|f| f.id == Some(id)) {
            at_mut(&mut self.flushes, i).abandon(&mut self.s);
            let flush = remove_at(&mut self.flushes, i);
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
            let booking = at_mut(&mut self.bookings, i);
            if let Some(j) = booking.joined.iter().position(|(j, _)| *j == id) {
                let (_, mut ctx) = remove_at(&mut booking.joined, j);
                let op = Some(booking.operation);
                let result = self.s.finish(&mut ctx, op, Err(abandoned().into()), false);
                self.s.settle(id, result);
                return;
            }
            if booking.id != Some(id) {
                continue;
            }
            if booking.has_appointment() {
                // The appointment exists: answer now, and let its follow-ups finish.
                booking.id = None;
                let mut ctx = booking.ctx.clone();
                let op = Some(booking.operation);
                let result = self.s.finish(&mut ctx, op, Err(abandoned().into()), false);
                self.s.settle(id, result);
            } else {
                let mut booking = remove_at(&mut self.bookings, i);
                if let Some(a) = booking.attempts_mut() {
                    a.abort(&mut self.s);
                }
                self.end(booking, Err(abandoned().into()));
            }
            return;
        }
    }
}
