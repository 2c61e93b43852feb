//! One booking (or a page's cancel) in flight, as an explicit phase: (checking →) creating → polling →
//! publishing → finished, with compensating entered from any failure once an appointment
//! exists. Each phase runs one [`Attempts`] sub-machine; [`Booking::on`] is the only
//! transition function. The follow-ups (publishing, compensating) are in
//! [`follow_up`](super::follow_up).
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::attempts::{At, Attempts, StepState, StepValue};
use super::shared::Shared;
use crate::booking::io::{ClaimId, RequestId};
use crate::booking::random::Random;
use crate::booking::report::event::{Ctx, Event};
use crate::booking::wire::contract::{Appointment, AppointmentStatus, Step};
use crate::booking::wire::outcome::Operation;
use crate::booking::wire::request::check_id;
use crate::json::ToJson;
use crate::{Error, ErrorCode};

pub use super::phase::{BookingInput, Phase, RunState, Work};

/// One booking in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct Booking {
    /// The page's call that started it; `None` once that call was abandoned and answered
    /// (the booking then finishes its follow-ups in the background).
    pub id: Option<RequestId>,
    /// Its context.
    pub ctx: Ctx,
    /// Book or cancel.
    pub operation: Operation,
    /// What it does.
    pub work: Work,
    /// When creating (and polling) must be over.
    pub deadline_ms: i64,
    /// Where it is.
    pub phase: Phase,
    /// Calls under the same key that wait for its result (a double click).
    pub joined: Vec<(RequestId, Ctx)>,
    /// The claim on its payload across tabs, released when it ends.
    pub claim: Option<ClaimId>,
    /// Whether its check found the earlier booking's appointment (its answer is a replay).
    pub found: bool,
}

impl Booking {
    /// A booking holding its key, about to make its first call.
    pub fn new<R: Random>(
        s: &mut Shared<R>,
        id: RequestId,
        ctx: Ctx,
        operation: Operation,
        work: Work,
    ) -> Self {
        let deadline_ms = ctx.started_ms.saturating_add(s.config.deadline_ms as i64);
        let attempts = first_call(s, &work, &ctx.key, deadline_ms);
        Booking {
            id: Some(id),
            ctx,
            operation,
            work,
            deadline_ms,
            phase: Phase::Calling(attempts),
            joined: Vec::new(),
            claim: None,
            found: false,
        }
    }

    /// Asks the provider about `appointment` before creating anything (see [`Phase::Checking`]).
    pub fn check<R: Random>(&mut self, s: &mut Shared<R>, appointment: String) -> RunState {
        let url = s.url(&["/appointments/", &appointment]);
        let key = self.ctx.key.clone();
        let mut attempts = Attempts::new(Step::Poll, key, url, None, Some(self.deadline_ms));
        let progress = attempts.next(s, &mut self.ctx);
        self.phase = Phase::Checking {
            appointment,
            attempts,
        };
        self.progress(s, progress)
    }

    /// The check found the earlier appointment gone (cancelled, unknown): book it anew.
    fn create_after_check<R: Random>(&mut self, s: &mut Shared<R>) -> RunState {
        s.store.set_verify(&self.ctx.key, None);
        s.persist();
        self.phase = Phase::Calling(first_call(s, &self.work, &self.ctx.key, self.deadline_ms));
        self.start(s)
    }

    /// The attempts under way, if a phase has some.
    pub fn attempts(&self) -> Option<&Attempts> {
        match &self.phase {
            Phase::Calling(a) | Phase::Polling(a) | Phase::Publishing(a) => Some(a),
            Phase::Compensating { attempts, .. } | Phase::Checking { attempts, .. } => {
                Some(attempts)
            }
            Phase::PollWait { .. } | Phase::AwaitFlush { .. } => None,
        }
    }

    /// Whether `ev` is for this booking: an answer to its call in flight, or the answer to its
    /// probe's claim ([`on`](Self::on) takes it then, and no other booking would).
    pub fn owns(&self, ev: &BookingInput) -> bool {
        let Some(a) = self.attempts() else {
            return false;
        };
        match ev {
            BookingInput::Answer(call, _) => a.call() == Some(*call),
            BookingInput::Probe(claim, ..) => a.at == (At::Probing { claim: *claim }),
            BookingInput::Timer => false,
        }
    }

    /// The attempts under way, if a phase has some.
    pub fn attempts_mut(&mut self) -> Option<&mut Attempts> {
        match &mut self.phase {
            Phase::Calling(a) | Phase::Polling(a) | Phase::Publishing(a) => Some(a),
            Phase::Compensating { attempts, .. } | Phase::Checking { attempts, .. } => {
                Some(attempts)
            }
            Phase::PollWait { .. } | Phase::AwaitFlush { .. } => None,
        }
    }

    /// Whether the booking waits for a flush that has let its event go.
    pub fn flush_released(&self, flushing: &[String]) -> bool {
        matches!(&self.phase, Phase::AwaitFlush { event_id } if !flushing.contains(event_id))
    }

    /// When the booking next needs the clock.
    pub fn deadline(&self) -> Option<i64> {
        match &self.phase {
            Phase::PollWait { until, .. } => Some(*until),
            _ => self.attempts().and_then(Attempts::deadline),
        }
    }

    /// Whether its call in flight is past its timeout at `now`.
    pub fn call_overdue(&self, now: i64) -> bool {
        self.attempts().is_some_and(|a| a.call_overdue(now))
    }

    /// Whether the provider may hold an appointment for it (then a failure must compensate).
    pub fn has_appointment(&self) -> bool {
        self.ctx.appointment_id.is_some()
            && !matches!(self.phase, Phase::Calling(_) | Phase::Checking { .. })
    }

    /// Makes the first call.
    pub fn start<R: Random>(&mut self, s: &mut Shared<R>) -> RunState {
        let progress = match &mut self.phase {
            Phase::Calling(a) => a.next(s, &mut self.ctx),
            _ => return RunState::Running,
        };
        self.progress(s, progress)
    }

    /// The transition function: an answer or the clock moves the current phase.
    pub fn on<R: Random>(&mut self, s: &mut Shared<R>, ev: BookingInput) -> Option<RunState> {
        if self.flush_released(&s.flushing) && ev == BookingInput::Timer {
            return Some(self.publish(s));
        }
        if let Phase::PollWait { until, url } = &self.phase {
            if ev != BookingInput::Timer || s.now < *until {
                return None;
            }
            let mut a = Attempts::new(
                Step::Poll,
                self.ctx.key.clone(),
                url.clone(),
                None,
                Some(self.deadline_ms),
            );
            let progress = a.next(s, &mut self.ctx);
            self.phase = Phase::Polling(a);
            return Some(self.progress(s, progress));
        }
        let ctx = &mut self.ctx;
        let attempts = match &mut self.phase {
            Phase::Calling(a) | Phase::Polling(a) | Phase::Publishing(a) => a,
            Phase::Compensating { attempts, .. } | Phase::Checking { attempts, .. } => attempts,
            Phase::PollWait { .. } | Phase::AwaitFlush { .. } => return None,
        };
        let progress = match ev {
            BookingInput::Answer(call, answer) => attempts.on_answer(s, ctx, call, answer)?,
            BookingInput::Timer => attempts.on_timer(s, ctx)?,
            BookingInput::Probe(claim, granted, saved) => {
                attempts.on_probe(s, ctx, claim, granted, saved.as_deref())?
            }
        };
        Some(self.progress(s, progress))
    }

    /// What the current phase does with its attempts' progress.
    pub(crate) fn progress<R: Random>(
        &mut self,
        s: &mut Shared<R>,
        progress: StepState,
    ) -> RunState {
        let outcome = match progress {
            StepState::Waiting => return RunState::Running,
            StepState::Done(reply) => Ok(reply),
            StepState::GaveUp(error) => Err(error),
        };
        match (&self.phase, outcome) {
            (Phase::Checking { appointment, .. }, Ok(StepValue::Appointment(a)))
                if a.id == *appointment =>
            {
                if !matches!(
                    a.status,
                    AppointmentStatus::Confirmed | AppointmentStatus::Pending
                ) {
                    return self.create_after_check(s);
                }
                // The provider holds it: this booking is that one (no second appointment).
                self.ctx.appointment_id = Some(a.id.clone());
                self.found = true;
                let replayed =
                    Event::Replayed(Some(a.id), crate::booking::wire::state::State::Completed);
                s.emit(&mut self.ctx, replayed);
                RunState::Ended(Ok(()))
            }
            (Phase::Checking { .. }, Err(error)) if error.status == Some(404) => {
                self.create_after_check(s)
            }
            (Phase::Checking { .. }, Ok(_)) => RunState::Ended(Err(Error::new(
                ErrorCode::BadResponse,
                "the provider answered the lookup for another appointment",
            )
            .into())),
            (Phase::Calling(_), Ok(StepValue::Appointment(_)))
                if self.operation == Operation::Cancel =>
            {
                if let Work::Cancel(target) = &self.work {
                    s.note_cancelled(target);
                }
                RunState::Ended(Ok(()))
            }
            (Phase::Calling(_), Ok(StepValue::Appointment(a))) => self.created(s, a),
            (Phase::Polling(_), Ok(StepValue::Appointment(a))) => {
                if Some(&a.id) != self.ctx.appointment_id.as_ref() {
                    let error = Error::new(
                        ErrorCode::BadResponse,
                        "the status URL answered for another appointment",
                    );
                    return self.compensate(s, None, error);
                }
                self.appointment(s, a)
            }
            (Phase::Polling(_), Err(error)) => self.compensate(s, None, error),
            (Phase::Publishing(_), Ok(_)) => self.published(s, false),
            (Phase::Publishing(_), Err(error)) if error.status == Some(422) => {
                self.published(s, true)
            }
            (Phase::Publishing(a), Err(cause)) => {
                s.emit(&mut self.ctx, Event::OutboxPublishFailed(cause.code));
                let event_id = a.key().to_owned();
                let error = Error::new(
                    ErrorCode::OutboxPublishFailed,
                    "the appointment.created event could not be published",
                )
                .caused_by(cause);
                self.compensate(s, Some(event_id), error)
            }
            (Phase::Compensating { .. }, outcome) => self.compensated(s, outcome.map(|_| ())),
            (_, Err(error)) => RunState::Ended(Err(error.into())),
            (_, Ok(_)) => RunState::Ended(Err(Error::new(
                ErrorCode::BadResponse,
                "an answer of the wrong kind",
            )
            .into())),
        }
    }

    /// The create answered with an appointment.
    fn created<R: Random>(&mut self, s: &mut Shared<R>, a: Appointment) -> RunState {
        if check_id(&a.id, "id").is_err() {
            // An appointment may exist that the client cannot name, so it cannot cancel it.
            s.emit(
                &mut self.ctx,
                Event::ReconciliationNeeded(ErrorCode::BadResponse),
            );
            let error = Error::new(
                ErrorCode::BadResponse,
                "the provider returned a malformed appointment id",
            );
            return RunState::Ended(Err(error.into()));
        }
        self.ctx.appointment_id = Some(a.id.clone());
        self.appointment(s, a)
    }

    /// The appointment as the create or a poll left it: poll again, publish, or stop.
    fn appointment<R: Random>(&mut self, s: &mut Shared<R>, a: Appointment) -> RunState {
        match a.status {
            AppointmentStatus::Pending => {
                let wait = s.config.poll_interval_ms;
                if s.now.saturating_add(wait as i64) >= self.deadline_ms {
                    let error = Error::new(
                        ErrorCode::Timeout,
                        "the booking was still pending at its deadline",
                    );
                    return self.compensate(s, None, error);
                }
                s.emit(&mut self.ctx, Event::PollScheduled(wait));
                let url = a
                    .status_url
                    .unwrap_or_else(|| s.url(&["/appointments/", &a.id]));
                self.phase = Phase::PollWait {
                    until: s.now.saturating_add(wait as i64),
                    url,
                };
                RunState::Running
            }
            AppointmentStatus::Confirmed => {
                s.emit(&mut self.ctx, Event::Confirmed);
                self.publish(s)
            }
            _ => RunState::Ended(Err(Error::new(
                ErrorCode::ProviderRejected,
                "the provider did not confirm the appointment",
            )
            .into())),
        }
    }
}

/// The first call of `work` under `key`: the create, or the page's cancel.
fn first_call<R: Random>(s: &Shared<R>, work: &Work, key: &str, deadline_ms: i64) -> Attempts {
    let (step, url, body) = match work {
        Work::Book(request) => (
            Step::Create,
            s.url(&["/appointments"]),
            Some(request.to_json()),
        ),
        Work::Cancel(target) => (
            Step::Cancel,
            s.url(&["/appointments/", target, "/cancel"]),
            None,
        ),
    };
    Attempts::new(step, key.to_owned(), url, body, Some(deadline_ms))
}
